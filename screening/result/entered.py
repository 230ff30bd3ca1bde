"""What was entered: every value of a validated intake, in words, for the note a clinician keeps.

Distances are shown in the unit they were entered in and in km; weeks are
counted from 1 (Week 1 the oldest); answers the intake leaves out are said
("not given", "not tested"), never left blank.
"""

from screening.result.values import distance, format_value, weekly
from screening.ruleset.model import Ruleset

SECTIONS = (
    ("Runner", "runner", ("id", "age", "sex", "prior_calf_strain_weeks_ago", "previous_running_injury_12m")),
    (
        "Training",
        "training",
        ("unit", "weekly_distance", "longest_run_30d", "latest_run", "strength_sessions_per_week"),
    ),
    (
        "Wellness",
        "wellness",
        ("fatigue", "soreness", "soreness_days", "pain_while_running", "exertional_pain_settles_with_rest"),
    ),
    ("Heel-raise test (bent knee, to fatigue)", "heel_raise", ("left", "right")),
    ("OSTRC-O2 questionnaire", "ostrc_o2", ("participation", "training_modification", "performance", "pain")),
)
# The label of each row, as the note says it (a condition says an input by its short name: conditions.SHORT_NAMES).
ROW_LABELS = {
    "runner.id": "Runner id",
    "runner.age": "Age",
    "runner.sex": "Sex",
    "runner.prior_calf_strain_weeks_ago": "Weeks since the last calf strain",
    "runner.previous_running_injury_12m": "Another running injury (not the calf strain) in the past 12 months",
    "training.unit": "Distance unit",
    "training.weekly_distance": "Weekly distance",
    "training.longest_run_30d": "Longest run of the 30 days before the latest",
    "training.latest_run": "Latest (or next planned) run",
    "training.strength_sessions_per_week": "Strength sessions a week",
    "wellness.fatigue": "Fatigue (0-10)",
    "wellness.soreness": "Calf soreness (0-10)",
    "wellness.soreness_days": "Days the soreness has lasted",
    "wellness.pain_while_running": "Calf pain while running (0-10)",
    "wellness.exertional_pain_settles_with_rest": "Pain during runs that settles with rest",
    "heel_raise.left": "Left leg",
    "heel_raise.right": "Right leg",
}
UNITS = {
    "runner.age": "years",
    "runner.prior_calf_strain_weeks_ago": "weeks",
    "wellness.soreness_days": "days",
    "heel_raise.left": "reps",
    "heel_raise.right": "reps",
}
DISTANCES = ("training.longest_run_30d", "training.latest_run")


def _shown(path: str, value, unit: str) -> str:
    if path in DISTANCES and value is not None:
        return distance(value, unit)
    if value is None:
        return "not tested" if path.startswith("heel_raise.") else "not given"
    text = format_value(value)
    return f"{text} {UNITS[path]}" if path in UNITS else text


def entered(intake: dict, ruleset: Ruleset) -> list[dict]:
    """Sections of (label, value) rows: every value the intake holds, as it was entered."""
    unit = intake["training"].get("unit") or "km"
    sections = []
    if intake.get("screened_at"):
        sections.append({"title": "Visit", "rows": [("When the visit happened (as entered)", intake["screened_at"])]})
    for title, key, names in SECTIONS:
        values = intake.get(key)
        if values is None:
            sections.append({"title": title, "rows": [("Answered", "no (the section was left out)")]})
            continue
        rows = []
        for name in names:
            path = f"{key}.{name}"
            value = values.get(name)
            if path == "training.weekly_distance":
                rows.append(weekly(value or [], unit))
                continue
            rows.append(
                (
                    ROW_LABELS.get(path, ruleset.inputs[path].description if path in ruleset.inputs else path),
                    _shown(path, value, unit),
                )
            )
        sections.append({"title": title, "rows": rows})
    flags = intake.get("red_flags") or {}
    ticked = [ruleset.inputs[f"red_flags.{name}"].description for name, on in flags.items() if on]
    sections.append(
        {"title": "Red flags ticked", "rows": [(text, "yes") for text in ticked] or [("Red flags", "none ticked")]}
    )
    corrections = intake.get("corrections") or {}
    said = [CORRECTIONS[name] for name, on in corrections.items() if on]
    if said:
        sections.append({"title": "Corrections to the runner's record", "rows": [(text, "yes") for text in said]})
    return sections


CORRECTIONS = {
    "previous_dvt_in_error": "The previous DVT on record was entered in error",
    "calf_strain_in_error": "The calf strain on record was entered in error",
}
