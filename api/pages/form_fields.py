"""Read the clinic intake form: posted text -> dotted intake fields, errors -> form inputs.

The form posts the contract's dotted names (`heel_raise.left`), twelve
`training.weekly_distance` inputs (empty ones unused) and two form-only
"not tested" checkboxes. `read_form` keeps every value exactly as typed (to
re-render it), builds the dotted fields `screening.intake.flat.validate_flat` takes,
and adds the checks that only make sense for this layout (a gap between filled
weeks, a heel-raise count that is neither entered nor marked "not tested").
`place_errors` then moves the core's errors onto the inputs that caused them:
a week's error index counts filled weeks only, so it is mapped back to the box.
"""

from dataclasses import dataclass, field

from marshmallow.fields import Nested

from screening.intake.flat import FIELD_KINDS, REQUIRED_BY_SECTION, TRUE_WORDS
from screening.intake.messages import plain_message
from screening.intake.schema import RED_FLAGS, IntakeSchema

WEEKS = 12
WEEKLY = "training.weekly_distance"
SIDES = ("left", "right")
HEEL_RAISE = {f"heel_raise.{side}" for side in SIDES}
NOT_TESTED = {side: f"not_tested.{side}" for side in SIDES}
CSRF_FIELD = "csrf_token"
SCREENED_AT = "screened_at"  # a date and time input in the clinic's zone, sent on as RFC 3339
SCREENED_BY = "screened_by"  # who screened: printed on the note, never part of the intake
TEAM = "team"  # the club or clinic key the screening is stored under (runner ids are unique only within one)
FORM_ONLY = {CSRF_FIELD, SCREENED_BY, TEAM, SCREENED_AT, *NOT_TESTED.values()}
# Labels of the form's own inputs that can carry an error (not contract fields).
FORM_LABELS = {TEAM: "Team (club or clinic key)"}
GENERAL = "_form"
TICKED = TRUE_WORDS

LABELS = {
    SCREENED_AT: "When the visit happened",
    "runner.id": "Runner id",
    "runner.age": "Age",
    "runner.sex": "Sex (for the reference norms)",
    "runner.prior_calf_strain_weeks_ago": "Weeks since the last calf strain",
    "runner.previous_running_injury_12m": "Another running injury (not the calf strain) in the past 12 months",
    "runner.group": "Group (squad)",
    "training.unit": "Distance unit",
    WEEKLY: "Weekly distance",
    "training.longest_run_30d": "Longest single run in the 30 days before the latest run",
    "training.latest_run": "Latest (or next planned) single run",
    "training.strength_sessions_per_week": "Strength sessions per week",
    "wellness.fatigue": "Fatigue",
    "wellness.soreness": "Calf soreness",
    "wellness.soreness_days": "Days the calf soreness has lasted",
    "wellness.pain_while_running": "Calf pain while running",
    "wellness.exertional_pain_settles_with_rest": "Calf pain that comes on during runs and settles within "
    "about 30 minutes of rest",
    "ostrc_o2.participation": "Participation in running",
    "ostrc_o2.training_modification": "Training modified",
    "ostrc_o2.performance": "Performance affected",
    "ostrc_o2.pain": "Calf pain",
    "heel_raise.left": "Left leg: bent-knee heel raises",
    "heel_raise.right": "Right leg: bent-knee heel raises",
    "corrections.previous_dvt_in_error": "The previous DVT on record for this runner was entered in error",
    "corrections.calf_strain_in_error": "The calf strain on record for this runner was entered in error",
}
RED_FLAG_LABELS = {
    "calf_swelling": "Calf swelling: one calf swollen or larger than the other",
    "pitting_oedema": "Swelling that keeps a dent when pressed with a finger (pitting oedema)",
    "recent_immobilisation_or_surgery": "Bed rest of 3 days or more, a plaster cast, or major surgery "
    "in the past 12 weeks",
    "long_travel_past_8_weeks": "A journey of 4 hours or more (flight, car, coach) in the past 8 weeks",
    "previous_dvt": "Has had a blood clot in a leg (deep vein thrombosis) before",
    "sudden_pop_or_snap": "Felt a sudden pop or snap in the calf, or as if kicked from behind",
    "unable_to_heel_raise_or_bear_weight": "Cannot rise onto the toes of one leg, or cannot put weight on the leg",
    "numbness_pale_or_cold_foot": "Numbness, or a pale or cold foot",
    "pain_at_rest_or_night": "Calf pain at rest or at night",
    "active_cancer": "Active cancer (treatment now or in the past 6 months, or palliative care)",
}
LABELS.update({f"red_flags.{name}": text for name, text in RED_FLAG_LABELS.items()})


def red_flag_kind(name: str) -> str:
    """ "sign" or "risk_factor", as rules/inputs.yaml declares the red flag."""
    from screening import default_screener

    return default_screener().ruleset.inputs[f"red_flags.{name}"].kind


def choices(path: str) -> list[tuple[int, str]]:
    """(index, label) answers of a questionnaire item, from the intake schema's metadata."""
    section, name = path.split(".", 1)
    nested = IntakeSchema().fields[section]
    assert isinstance(nested, Nested), f"{section} is not a section of the intake"
    return list(enumerate(nested.schema.fields[name].metadata["choices"]))


# Required fields of each intake section, for when a whole section was left empty.
_REQUIRED = REQUIRED_BY_SECTION
_PLAIN = {"Missing data for required field.": "Required: fill this in."}


def _blank(value) -> bool:
    if isinstance(value, list):
        return not any(text.strip() for text in value)
    return not (value or "").strip()


def week_index(path: str) -> int | None:
    """The index in `training.weekly_distance.<index>` if it is ASCII digits, else None (`.x`, `.1e3`, `.²`)."""
    prefix, _, last = path.rpartition(".")
    if prefix == WEEKLY and last.isascii() and last.isdigit():
        return int(last)
    return None


def field_id(path: str) -> str:
    """The HTML id of a field's input (a week's box: `training.weekly_distance.3`)."""
    return "f-" + path.replace(".", "-").replace("_", "-")


@dataclass
class FormState:
    """What the form shows: the values as typed and the errors by input."""

    values: dict = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)

    def value(self, path: str) -> str:
        return self.values.get(path, "")

    def week(self, index: int) -> str:
        weeks = self.values.get(WEEKLY, [])
        return weeks[index] if index < len(weeks) else ""

    def checked(self, path: str) -> bool:
        return self.values.get(path, "").strip().lower() in TICKED

    def summary(self) -> list[tuple[str, str, str]]:
        """(input id, label, message) for every error, in the form's order."""
        order = list(FORM_LABELS) + list(LABELS) + [f"{WEEKLY}.{i}" for i in range(WEEKS)]
        rank = {path: index for index, path in enumerate(order)}
        weekly_rank = rank[WEEKLY]
        items = []
        for path, messages in self.errors.items():
            position = week_index(path)
            if position is not None:
                key, label = (weekly_rank, position + 0.5), f"Week {position + 1} distance"
            else:
                key, label = (rank.get(path, len(order)), 0), LABELS.get(path) or FORM_LABELS.get(path, "Other problem")
            target = field_id(path) if path in LABELS or path in FORM_LABELS or position is not None else "intake-form"
            if path == WEEKLY:
                target = field_id(f"{WEEKLY}.0")
            for message in messages:
                items.append((key, target, label, message))
        return [(target, label, message) for _, target, label, message in sorted(items, key=lambda i: i[0])]


def blank_state() -> FormState:
    """The empty form: kilometres, nothing else chosen."""
    return FormState(values={"training.unit": "km", WEEKLY: [""] * WEEKS})


def _as_text(value) -> str:
    """A validated intake value as the form's input holds it (read back by `read_form` to the same value)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


# Not carried into the next visit's form: its own time, corrections made once, and the facts kept on
# record, which later screenings read from the history (the form shows them with their dates instead).
NOT_CARRIED = {SCREENED_AT, "corrections.previous_dvt_in_error", "corrections.calf_strain_in_error"}
ON_RECORD = {"red_flags.previous_dvt", "runner.prior_calf_strain_weeks_ago"}


def state_of_intake(intake: dict, on_record: bool = False) -> FormState:
    """The form filled in with a validated intake (a stored screening's), so posting it gives the same intake.

    `on_record`: the runner's history keeps the previous DVT and the calf strain's date, so those two are
    left empty (a stale "2 weeks ago" would restate an old strain as new); the form shows them as recorded.
    """
    state = blank_state()
    values = state.values
    for path in FIELD_KINDS:
        if path in NOT_CARRIED or (on_record and path in ON_RECORD):
            continue
        section, name = path.split(".", 1)
        part = intake.get(section) or {}
        value = part.get(name)
        if path == WEEKLY:
            weeks = [_as_text(week) for week in value or []][:WEEKS]
            values[WEEKLY] = weeks + [""] * (WEEKS - len(weeks))
        elif path in HEEL_RAISE:
            if value is None:
                values[NOT_TESTED[name]] = "yes"
            else:
                values[path] = _as_text(value)
        elif value is not None:
            values[path] = _as_text(value)
    return state


def visit_time(text: str, zone: str | None) -> str:
    """A date and time input's value (2026-11-30T14:05, the clinic's local time) as RFC 3339 with its offset;
    ValueError when it is not one. `zone`: an IANA name, else the machine's local zone."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    moment = datetime.fromisoformat(text.strip())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(zone)) if zone else moment.astimezone()
    return moment.isoformat(timespec="seconds")


def read_form(form, zone: str | None = None) -> tuple[FormState, dict, dict[str, list[str]], list[int]]:
    """Return (state, flat fields for the core, layout errors, box of each filled week).

    `zone` is the clinic's time zone (an IANA name) the visit's date and time are entered in.
    """
    values: dict = {}
    flat: dict = {}
    errors: dict[str, list[str]] = {}
    for path in form.keys():
        if path in (WEEKLY, CSRF_FIELD):
            continue
        values[path] = form.getlist(path)[-1]
        if path not in FORM_ONLY and path not in HEEL_RAISE:
            flat[path] = values[path]
    when = values.get(SCREENED_AT, "").strip()
    if when:
        try:
            flat[SCREENED_AT] = visit_time(when, zone)
        except ValueError:
            errors[SCREENED_AT] = ["Enter the date and time of the visit, or leave both empty for now."]
            flat.pop(SCREENED_AT, None)
    posted = form.getlist(WEEKLY)
    weeks = values[WEEKLY] = posted + [""] * (WEEKS - len(posted))
    filled = [index for index, text in enumerate(weeks) if text.strip()]
    flat[WEEKLY] = [weeks[index] for index in filled]
    if filled:
        for gap in sorted(set(range(filled[0], filled[-1] + 1)) - set(filled)):
            errors[f"{WEEKLY}.{gap}"] = ["Empty between filled weeks: enter 0 for a week without running."]
    for side in SIDES:
        path = f"heel_raise.{side}"
        count = form.get(path, "").strip()
        not_tested = form.get(NOT_TESTED[side], "").strip().lower() in TICKED
        if count and not_tested:
            errors[path] = ["Enter a count or tick 'Not tested', not both."]
        elif not count and not not_tested:
            errors[path] = ["Enter the number of heel raises, or tick 'Not tested'."]
        else:
            flat[path] = "" if not_tested else values.get(path, "")
    return FormState(values=values), flat, errors, filled


def place_errors(
    core_errors: dict[str, list[str]], layout_errors: dict[str, list[str]], filled: list[int], values: dict
) -> dict[str, list[str]]:
    """Key every error by the input it belongs to, layout errors first."""
    placed = {path: list(messages) for path, messages in layout_errors.items()}
    for path, messages in core_errors.items():
        messages = [plain_message(_PLAIN.get(m, m)) for m in messages]
        index = week_index(path)
        if index is not None:
            path = f"{WEEKLY}.{filled[index]}" if index < len(filled) else WEEKLY
        if path in _REQUIRED:
            # A whole section was left empty: name each required input that is blank.
            targets = [p for p in _REQUIRED[path] if _blank(values.get(p)) and p not in placed]
            if targets or not any(p.startswith(path + ".") for p in placed):
                for target in targets or [GENERAL]:
                    placed.setdefault(target, []).extend(messages)
            continue
        if path in placed:
            continue
        if path not in LABELS and week_index(path) is None:
            messages = [f"{path}: {m}" for m in messages]
            path = GENERAL
        placed.setdefault(path, []).extend(messages)
    return placed


assert set(LABELS) == set(FIELD_KINDS), "every contract field needs a label on the form"
assert set(RED_FLAG_LABELS) == set(RED_FLAGS)
