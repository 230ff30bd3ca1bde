"""What the clinical note (clinic/result.html) shows of one screening: the form's result page and the page a
CDS Hooks card links to render the same note from this.

Everything is said from the result (and the intake as entered) through the
core's wording, so the note, the text note and the roster report say the same
things: rule titles, each condition with the runner's values, where a value
not simply entered came from, the points and caps adding up to the score, and
which points come from effect sizes and which are design choices.
"""

from urllib.parse import quote

from flask import current_app

from api.plumbing.json_provider import encode
from screening.programme.trend import heel_trend
from screening.result.conditions import entry_in_words, needs_in_words
from screening.result.entered import entered
from screening.result.listing import design_choice_cutoffs, points_listing, points_origin
from screening.result.scale import scale_bar
from screening.result.sections import band_text, derived_in_words, history_in_words, risk_multiple_text, scale_text
from screening.result.values import local_time


def note_context(result: dict, intake: dict, ruleset, screened_by: str = "") -> dict:
    """Everything the clinical note (clinic/result.html) shows of one screening."""
    unit = intake["training"].get("unit") or "km"
    return {
        "result": result,
        "download": _download(result, intake),
        "multiple": risk_multiple_text(result["risk"]),
        "multiple_caveat": ruleset.independence_note,  # beside the multiple, not only in the rulebook
        "scale": scale_text(result["risk"]),
        "scale_bar": scale_bar(result["risk"]),
        "read": {entry["rule"]: entry_in_words(entry, ruleset, unit) for entry in result["explanation"]},
        "titles": {rule.id: rule.title for rule in ruleset.rules},
        "needs": {entry["rule"]: needs_in_words(entry["needs"], ruleset) for entry in result["not_assessed_detail"]},
        "entered": entered(intake, ruleset),
        "derived": derived_in_words(result["derived"]),
        "over_time": history_in_words(result.get("history"), change=False),  # the change: under Previous
        "screened_by": screened_by,
        "screened_local": local_time(result["screened_at"], current_app.config.get("CLINIC_TIMEZONE")),
        "band_text": band_text(result["risk"]),
        "listing": points_listing(result),
        "origin": {entry["rule"]: points_origin(entry) for entry in result["explanation"] if entry["points"]},
        "cutoffs": {entry["rule"]: design_choice_cutoffs(entry) for entry in result["explanation"]},
        "points_from": points_from(result),
        "heel_trend": heel_trend_of(result, ruleset),
    }


def heel_trend_of(result: dict, ruleset) -> dict | None:
    """The heel-raise trend per leg the note draws under Programme (None without an earlier screening)."""
    programme = result.get("programme")
    if not programme:
        return None
    return heel_trend(programme, int(ruleset.parameter("programme.return_to_play_reps")))


def points_from(result: dict) -> dict[str, list[str]]:
    """The fired rules with points, by where the points come from: an effect size, or a design choice."""
    found: dict[str, list[str]] = {"effect": [], "design choice": []}
    for entry in result["explanation"]:
        if entry["points"]:
            found["effect" if entry.get("effect") else "design choice"].append(entry["rule"])
    return found


def _download(result: dict, intake: dict) -> dict:
    """The result as a JSON file the browser saves without asking the server again.

    It carries the validated intake too (under "intake"), so the file records what was entered.
    """
    text = encode({**result, "intake": intake}, indent=True).decode()
    return {
        "href": "data:application/json;charset=utf-8," + quote(text),
        "filename": f"screening-{result['runner_id']}-{result['screening_id'][:8]}.json",
    }
