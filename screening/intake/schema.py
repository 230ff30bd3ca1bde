"""The v1 intake schema (contract.md), in marshmallow 4.

Every field says what it expects and its unit in its metadata, which flows into
the OpenAPI spec. Numbers are strict (see `fields`); unknown fields are
rejected at every level; `errors_by_path` turns marshmallow's nested messages
into `{"training.weekly_distance.3": [...]}`.
"""

from marshmallow import ValidationError, fields, validate, validates_schema

from screening.intake.fields import FullMatch, Rfc3339Time, StrictBoolean, StrictNumber, StrictSchema, WholeNumber

KM_PER_MILE = 1.609344
MAX_DISTANCE_KM = 400
RUNNER_ID_PATTERN = r"^[A-Za-z0-9._-]{1,64}$"
GROUP_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,31}$"  # a squad's name, as a coach writes it
RED_FLAGS = (
    "calf_swelling",
    "pitting_oedema",
    "recent_immobilisation_or_surgery",
    "long_travel_past_8_weeks",
    "previous_dvt",
    "sudden_pop_or_snap",
    "unable_to_heel_raise_or_bear_weight",
    "numbness_pale_or_cold_foot",
    "pain_at_rest_or_night",
    "active_cancer",
)


def _scale(description: str, **kwargs):
    return WholeNumber(validate=validate.Range(0, 10), metadata={"description": description + " (0-10)"}, **kwargs)


class RunnerSchema(StrictSchema):
    id = fields.String(
        required=True,
        validate=FullMatch(
            RUNNER_ID_PATTERN, error="Expected a pseudonymous id: 1-64 letters, digits, '.', '_' or '-' (never a name)."
        ),
        metadata={"description": "Pseudonymous runner id (never a name)", "example": "club-0042"},
    )
    age = WholeNumber(
        required=True, validate=validate.Range(12, 100), metadata={"description": "Age in whole years, 12-100"}
    )
    sex = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.OneOf(("female", "male", "other")),
        metadata={
            "description": "Selects the heel-raise reference norms; absent, null or 'other' means sex-neutral norms"
        },
    )
    previous_running_injury_12m = StrictBoolean(
        load_default=None,
        allow_none=True,
        metadata={
            "description": "A running injury other than the calf strain (prior_calf_strain_weeks_ago) in the past "
            "12 months; absent or null = not known (not assessed)"
        },
    )
    prior_calf_strain_weeks_ago = WholeNumber(
        load_default=None,
        allow_none=True,
        validate=validate.Range(0, 5200),
        metadata={"description": "Whole weeks since the most recent calf strain; absent or null = none known"},
    )
    group = fields.String(
        load_default=None,
        allow_none=True,
        validate=FullMatch(
            GROUP_PATTERN, error="Expected a group (squad) name: 1-32 letters, digits, spaces, '.', '_' or '-'."
        ),
        metadata={
            "description": "Optional: the runner's group within the team (a squad: juniors, masters, elite), for the "
            "team page and the roster report; absent or null = none. Not read by any rule.",
            "example": "masters",
        },
    )


def _distance(description: str, **kwargs):
    return StrictNumber(
        validate=validate.Range(min=0),
        metadata={"description": description + " In `training.unit`; at most 400 km (248.5 mi)."},
        **kwargs,
    )


class TrainingSchema(StrictSchema):
    unit = fields.String(
        load_default="km",
        validate=validate.OneOf(("km", "mi")),
        metadata={"description": "Unit of every distance in the intake; results report km"},
    )
    weekly_distance = fields.List(
        _distance("A completed week's distance."),
        required=True,
        validate=validate.Length(1, 12),
        metadata={"description": "1-12 completed weeks, oldest first; the last is the most recent week"},
    )
    longest_run_30d = _distance(
        "Longest single run in the 30 days before latest_run.", load_default=None, allow_none=True
    )
    latest_run = _distance("The most recent (or next planned) single run.", load_default=None, allow_none=True)
    strength_sessions_per_week = WholeNumber(
        load_default=None,
        allow_none=True,
        validate=validate.Range(0, 14),
        metadata={"description": "Strength sessions per week, 0-14"},
    )

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    def check_distance_limit(self, data, original_data, **kwargs):
        """Every distance is at most 400 km, whatever unit it was given in.

        Reads the original payload: after a field error marshmallow drops the
        bad list items, which would shift the indices errors are keyed by.
        """
        unit = data.get("unit", "km")
        if unit not in ("km", "mi") or not isinstance(original_data, dict):
            return
        factor = 1.0 if unit == "km" else KM_PER_MILE
        shown = MAX_DISTANCE_KM if unit == "km" else round(MAX_DISTANCE_KM / KM_PER_MILE, 1)
        message = f"Must be at most {shown} {unit} (400 km)."
        errors: dict = {}
        weeks = original_data.get("weekly_distance")
        for index, value in enumerate(weeks if isinstance(weeks, list) else []):
            if _is_number(value) and _too_far(value, factor):
                errors.setdefault("weekly_distance", {})[index] = [message]
        for name in ("longest_run_30d", "latest_run"):
            if _is_number(original_data.get(name)) and _too_far(original_data[name], factor):
                errors[name] = [message]
        if errors:
            raise ValidationError(errors)


def _too_far(value, factor: float) -> bool:
    # Compared in the given unit first: an integer past 1e308 cannot be multiplied as a float.
    return value > MAX_DISTANCE_KM or value * factor > MAX_DISTANCE_KM


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class WellnessSchema(StrictSchema):
    exertional_pain_settles_with_rest = StrictBoolean(
        load_default=None,
        allow_none=True,
        metadata={
            "description": "Calf pain that comes on during runs and settles within about 30 minutes of rest; "
            "absent or null = not asked (not assessed)"
        },
    )
    fatigue = _scale("Fatigue, 0 fresh to 10 exhausted", required=True)
    soreness = _scale("Calf soreness, 0 none to 10 worst imaginable", required=True)
    soreness_days = WholeNumber(
        load_default=None,
        allow_none=True,
        validate=validate.Range(0, 365),
        metadata={"description": "How many days the calf soreness has lasted"},
    )
    pain_while_running = _scale("Calf pain while running", load_default=None, allow_none=True)


def _reps(side: str):
    return WholeNumber(
        required=True,
        allow_none=True,
        validate=validate.Range(0, 200),
        error_messages={
            "required": "Missing: give the number of heel raises (0-200), or null if the leg was not tested.",
            "type": "Expected a number of heel raises, got {kind}; use null if the leg was not tested.",
        },
        metadata={
            "description": f"{side} leg: single-leg bent-knee heel raises to fatigue, whole reps 0-200; "
            "null = not tested (strength rules report 'not assessed')"
        },
    )


class HeelRaiseSchema(StrictSchema):
    left = _reps("Left")
    right = _reps("Right")


RedFlagsSchema = StrictSchema.from_dict(
    {
        name: StrictBoolean(load_default=False, metadata={"description": "Red flag; default false"})
        for name in RED_FLAGS
    },
    name="RedFlagsSchema",
)


def _answer(question: str, choices: tuple[str, ...]):
    return WholeNumber(
        required=True,
        validate=validate.Range(0, len(choices) - 1),
        metadata={
            "description": f"{question}: the answer's index, 0-{len(choices) - 1} ("
            + "; ".join(f"{i} {c}" for i, c in enumerate(choices))
            + ")",
            "choices": list(choices),
        },
    )


_EXTENT = ("no", "to a minor extent", "to a moderate extent", "to a major extent", "could not take part")


class OstrcO2Schema(StrictSchema):
    """The OSTRC-O2 questionnaire for the calf, past 7 days (Clarsen 2020); all four answers."""

    participation = _answer(
        "Participation in running with a calf problem",
        (
            "full participation without problems",
            "full participation, but with a calf problem",
            "reduced participation because of a calf problem",
            "could not take part because of a calf problem",
        ),
    )
    training_modification = _answer("Training modified because of a calf problem", _EXTENT)
    performance = _answer("Performance affected by a calf problem", _EXTENT)
    pain = _answer("Calf pain related to running", ("no pain", "mild pain", "moderate pain", "severe pain"))


class CorrectionsSchema(StrictSchema):
    """Corrections to what the runner's earlier stored screenings recorded (they stay on record otherwise)."""

    previous_dvt_in_error = StrictBoolean(
        load_default=False,
        metadata={
            "description": "The previous DVT recorded at an earlier screening was entered in error: it is no longer "
            "on record from this screening on (unless red_flags.previous_dvt is ticked again). Default false"
        },
    )
    calf_strain_in_error = StrictBoolean(
        load_default=False,
        metadata={
            "description": "The calf strain recorded at an earlier screening was entered in error: it is no longer "
            "on record from this screening on (a strain given as prior_calf_strain_weeks_ago in the same intake is "
            "the one on record instead). Default false"
        },
    )


SCREENED_AT_DESCRIPTION = (
    "When the visit happened, RFC 3339 with its offset (2026-11-30T14:05:00+01:00, or Z for UTC); absent or "
    "null: when the service received it. At most CLOCK_SKEW_SECONDS (300) after the service's clock, not before "
    "2000. The runner's history is read as it stood before this time, so a late-entered visit is ordered by it."
)


class IntakeSchema(StrictSchema):
    """One runner's intake (contract v1)."""

    runner = fields.Nested(RunnerSchema, required=True)
    training = fields.Nested(TrainingSchema, required=True)
    wellness = fields.Nested(WellnessSchema, required=True)
    heel_raise = fields.Nested(HeelRaiseSchema, required=True)
    ostrc_o2 = fields.Nested(
        OstrcO2Schema,
        load_default=None,
        allow_none=True,
        metadata={"description": "Optional OSTRC-O2 questionnaire; if given, all four answers are required"},
    )
    red_flags = fields.Nested(RedFlagsSchema, load_default=lambda: {name: False for name in RED_FLAGS})
    corrections = fields.Nested(
        CorrectionsSchema,
        load_default=None,
        allow_none=True,
        metadata={"description": "Optional: corrections to facts the runner's earlier screenings recorded"},
    )
    # FHIR carries it as QuestionnaireResponse.authored, not as an item (screening/interop).
    screened_at = fields.String(
        load_default=None,
        allow_none=True,
        validate=Rfc3339Time(),
        metadata={
            "description": SCREENED_AT_DESCRIPTION,
            "example": "2026-11-30T14:05:00+01:00",
            "format": "date-time",
            "fhir": "authored",
        },
    )


_PLAIN = {
    "Unknown field.": "Unknown field: not part of the v1 intake.",
    "Invalid input type.": "Expected an object.",
    "Not a valid list.": "Expected a list of numbers.",
    "Field may not be null.": "Must not be null.",
}


def errors_by_path(messages: dict | list[str], prefix: str = "") -> dict[str, list[str]]:
    """Flatten marshmallow's nested error dict into dotted field paths."""
    flat: dict[str, list[str]] = {}
    if isinstance(messages, list):
        flat[prefix or "_schema"] = [_PLAIN.get(m, m) for m in messages]
        return flat
    for key, value in messages.items():
        path = prefix if key == "_schema" and prefix else f"{prefix}.{key}" if prefix else str(key)
        for sub_path, sub_messages in errors_by_path(value, path).items():
            flat.setdefault(sub_path, []).extend(sub_messages)
    return flat
