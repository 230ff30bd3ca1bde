"""Hypothesis strategies for intakes: any valid one, and a valid one broken at one known field.

`valid_intakes()` covers the whole contract: whole numbers as ints or as
whole floats (7.0), distances as any finite float or int in range for the
unit (including 0, -0.0, tiny values and subnormals), optional fields present, null or
absent, any red flags. `invalid_intakes()` draws a valid intake and breaks it
in one way, returning `(payload, path)`: the field path the error must be
keyed by (`_schema` for a body that is not an object).

For ruleset 2.0: `ruleset2_intakes()` adds its optional fields (and the
OSTRC-O2 section), `near_threshold_intakes()` puts values where the rules
change, `invalid_ostrc_o2_intakes()` breaks one OSTRC-O2 answer, and
`same_runner_in_km_and_mi()` gives one runner entered in both units.
"""

import copy
import math
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import strategies as st
from marshmallow import validate

from screening.intake.schema import KM_PER_MILE, MAX_DISTANCE_KM, RED_FLAGS, OstrcO2Schema

MAX_MILES = MAX_DISTANCE_KM / KM_PER_MILE
# Valid miles stop at the contract's 248.5 mi: MAX_MILES itself may convert to a hair over 400 km.
VALID_MILES = 248.5
WHOLE_FIELDS = {  # path: (lowest, highest, may be null)
    "runner.age": (12, 100, False),
    "runner.prior_calf_strain_weeks_ago": (0, 5200, True),
    "training.strength_sessions_per_week": (0, 14, True),
    "wellness.fatigue": (0, 10, False),
    "wellness.soreness": (0, 10, False),
    "wellness.soreness_days": (0, 365, True),
    "wellness.pain_while_running": (0, 10, True),
    "heel_raise.left": (0, 200, True),
    "heel_raise.right": (0, 200, True),
}
DISTANCE_FIELDS = ("training.latest_run", "training.longest_run_30d")
REQUIRED = (
    "runner",
    "training",
    "wellness",
    "heel_raise",
    "runner.id",
    "runner.age",
    "training.weekly_distance",
    "wellness.fatigue",
    "wellness.soreness",
    "heel_raise.left",
    "heel_raise.right",
)
SECTIONS = ("runner", "training", "wellness", "heel_raise", "red_flags")


def whole(lowest: int, highest: int):
    """A whole number as JSON may carry it: 7 or 7.0."""
    return st.integers(lowest, highest).flatmap(lambda n: st.sampled_from((n, float(n))))


# Tiny distances that Python writes as `1e-05`, a form durable_rules' parser once refused.
TINY = st.integers(1, 9).flatmap(lambda digit: st.integers(5, 323).map(lambda power: float(f"{digit}e-{power}")))


def distance(limit: float):
    return st.one_of(
        st.integers(0, math.floor(limit)),
        st.just(-0.0),
        TINY,
        st.floats(0, limit, allow_nan=False, allow_infinity=False),
    )


# When a visit happened: a past time (2000 to now less a day), written with Z, z, a T or t, a space, an
# offset of -12:00 to +14:00, with or without fractions of a second.
PAST = st.datetimes(min_value=datetime(2000, 1, 2), max_value=datetime(2026, 1, 1))


@st.composite
def visit_times(draw) -> str:
    moment = draw(PAST).replace(tzinfo=UTC)
    minutes = draw(st.integers(-12 * 60, 14 * 60))
    local = moment.astimezone(timezone(timedelta(minutes=minutes)))
    text = local.isoformat(timespec=draw(st.sampled_from(("seconds", "milliseconds", "microseconds"))))
    if minutes == 0 and draw(st.booleans()):
        text = text.replace("+00:00", draw(st.sampled_from(("Z", "z"))))
    return text.replace("T", draw(st.sampled_from(("T", "t", " "))), 1)


def _section(required: dict, optional: dict):
    return st.fixed_dictionaries(required, optional=optional)


def _optional_whole(path: str):
    lowest, highest, _ = WHOLE_FIELDS[path]
    return st.none() | whole(lowest, highest)


@st.composite
def valid_intakes(draw) -> dict:
    unit = draw(st.sampled_from(("km", "mi", None)))
    limit = VALID_MILES if unit == "mi" else MAX_DISTANCE_KM
    runner = draw(
        _section(
            {"id": st.from_regex(r"[A-Za-z0-9._-]{1,64}", fullmatch=True), "age": whole(12, 100)},
            {
                "sex": st.sampled_from(("female", "male", "other", None)),
                "prior_calf_strain_weeks_ago": _optional_whole("runner.prior_calf_strain_weeks_ago"),
            },
        )
    )
    training = draw(
        _section(
            {"weekly_distance": st.lists(distance(limit), min_size=1, max_size=12)},
            {
                "latest_run": st.none() | distance(limit),
                "longest_run_30d": st.none() | distance(limit),
                "strength_sessions_per_week": _optional_whole("training.strength_sessions_per_week"),
            },
        )
    )
    if unit is not None:
        training["unit"] = unit
    wellness = draw(
        _section(
            {"fatigue": whole(0, 10), "soreness": whole(0, 10)},
            {
                "soreness_days": _optional_whole("wellness.soreness_days"),
                "pain_while_running": _optional_whole("wellness.pain_while_running"),
            },
        )
    )
    intake = {
        "runner": runner,
        "training": training,
        "wellness": wellness,
        "heel_raise": {side: draw(_optional_whole(f"heel_raise.{side}")) for side in ("left", "right")},
    }
    if draw(st.booleans()):
        intake["red_flags"] = draw(_section({}, {name: st.booleans() for name in RED_FLAGS}))
    if draw(st.booleans()):
        intake["screened_at"] = draw(st.none() | visit_times())
    if draw(st.integers(0, 3)) == 0:
        intake["corrections"] = draw(
            st.none() | _section({}, {"previous_dvt_in_error": st.booleans(), "calf_strain_in_error": st.booleans()})
        )
    return intake


def _split(path: str) -> tuple:
    *parents, key = path.split(".")
    return parents, key


def _set(payload: dict, path: str, value) -> None:
    parents, key = _split(path)
    target = payload
    for name in parents:
        target = target.setdefault(name, {})
    target[key] = value


NOT_NUMBERS = st.one_of(
    st.booleans(),
    st.text(max_size=5),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=1),
)


def _wrong_type(draw, payload):
    path = draw(st.sampled_from((*WHOLE_FIELDS, *DISTANCE_FIELDS)))
    may_be_null = WHOLE_FIELDS.get(path, (0, 0, True))[2]
    _set(payload, path, draw(NOT_NUMBERS if may_be_null else NOT_NUMBERS | st.none()))
    return path


def _fraction(draw, payload):
    path = draw(st.sampled_from(tuple(WHOLE_FIELDS)))
    lowest, highest, _ = WHOLE_FIELDS[path]
    _set(payload, path, draw(st.integers(lowest, highest - 1)) + draw(st.sampled_from((0.5, 0.25, 1e-9))))
    return path


def _out_of_range(draw, payload):
    path = draw(st.sampled_from(tuple(WHOLE_FIELDS)))
    lowest, highest, _ = WHOLE_FIELDS[path]
    _set(payload, path, draw(st.integers(max_value=lowest - 1) | st.integers(min_value=highest + 1)))
    return path


def _too_far_or_negative(draw, payload):
    weeks = payload["training"]["weekly_distance"]
    path = draw(st.sampled_from((*DISTANCE_FIELDS, f"training.weekly_distance.{len(weeks) - 1}")))
    limit = MAX_MILES if payload["training"].get("unit") == "mi" else MAX_DISTANCE_KM
    value = draw(
        st.floats(max_value=-1e-9, allow_nan=False, allow_infinity=False)
        | st.floats(min_value=limit + 0.01, allow_nan=False, allow_infinity=False)
        | st.integers(min_value=math.floor(limit) + 1)
    )
    if path.startswith("training.weekly_distance"):
        weeks[-1] = value
    else:
        _set(payload, path, value)
    return path


def _bad_week(draw, payload):
    weeks = payload["training"]["weekly_distance"]
    index = draw(st.integers(0, len(weeks) - 1))
    weeks[index] = draw(NOT_NUMBERS | st.none())
    return f"training.weekly_distance.{index}"


def _week_count(draw, payload):
    payload["training"]["weekly_distance"] = draw(st.just([]) | st.lists(st.just(10), min_size=13, max_size=20))
    return "training.weekly_distance"


def _unknown_key(draw, payload):
    key = "extra_" + draw(st.from_regex(r"[a-z0-9]{1,8}", fullmatch=True))
    section = draw(st.sampled_from((None, *SECTIONS)))
    if section is None:
        payload[key] = draw(st.integers())
        return key
    payload.setdefault(section, {})[key] = draw(st.integers())
    return f"{section}.{key}"


def _missing(draw, payload):
    path = draw(st.sampled_from(REQUIRED))
    parents, key = _split(path)
    target = payload
    for name in parents:
        target = target[name]
    del target[key]
    return path


def _section_not_object(draw, payload):
    section = draw(st.sampled_from(SECTIONS))
    payload[section] = draw(st.none() | st.lists(st.integers(), max_size=2) | st.text(max_size=3) | st.integers())
    return section


def _bad_choice(draw, payload):
    path, value = draw(
        st.sampled_from(
            (
                ("runner.sex", "f"),
                ("runner.sex", "Female"),
                ("runner.sex", 1),
                ("training.unit", "yards"),
                ("training.unit", "KM"),
                ("training.unit", None),
                ("runner.id", ""),
                ("runner.id", "Jane Doe"),
                ("runner.id", "x" * 65),
                ("runner.id", 42),
            )
        )
    )
    _set(payload, path, value)
    return path


def _bad_screened_at(draw, payload):
    payload["screened_at"] = draw(
        st.sampled_from(
            (
                "2026-11-30",  # a date without its time
                "2026-11-30T09:00:00",  # no offset
                "2026-02-30T09:00:00Z",  # no such day
                "1999-12-31T23:59:59Z",  # before 2000
                "2099-01-01T00:00:00Z",  # in the future
                "30/11/2026 09:00",
                "",
                20261130,
                True,
            )
        )
    )
    return "screened_at"


def _bad_red_flag(draw, payload):
    name = draw(st.sampled_from(RED_FLAGS))
    payload.setdefault("red_flags", {})[name] = draw(st.sampled_from((1, 0, "true", "yes", None, [])))
    return f"red_flags.{name}"


MUTATIONS = (
    _wrong_type,
    _fraction,
    _out_of_range,
    _too_far_or_negative,
    _bad_week,
    _week_count,
    _unknown_key,
    _missing,
    _section_not_object,
    _bad_choice,
    _bad_red_flag,
    _bad_screened_at,
)


@st.composite
def invalid_intakes(draw) -> tuple:
    """(payload, path): a valid intake broken in exactly one way, and the field path that names it."""
    if draw(st.integers(0, 19)) == 0:
        return draw(
            st.none()
            | st.lists(st.integers(), max_size=2)
            | st.text(max_size=5)
            | st.integers()
            | st.floats()
            | st.booleans()
        ), "_schema"
    payload = draw(valid_intakes())
    path = draw(st.sampled_from(MUTATIONS))(draw, payload)
    return payload, path


# Ruleset 2.0's optional intake fields. `ABSENT` marks a key left out of the payload.
ABSENT = object()
RULESET2_FLAGS = ("runner.previous_running_injury_12m", "wellness.exertional_pain_settles_with_rest")
# The OSTRC-O2 answers as the schema (the one definition of a valid intake) allows them: name -> highest index.
OSTRC_O2_HIGHEST = {
    name: next(v.max for v in field.validators if isinstance(v, validate.Range))
    for name, field in OstrcO2Schema().fields.items()
}


def ostrc_o2_answers():
    """All four OSTRC-O2 answers, each a valid index (as an int or a whole float)."""
    return st.fixed_dictionaries({name: whole(0, highest) for name, highest in OSTRC_O2_HIGHEST.items()})


def _put(payload: dict, path: str, value) -> None:
    if value is not ABSENT:
        _set(payload, path, value)


@st.composite
def ruleset2_intakes(draw) -> dict:
    """A valid intake with ruleset 2.0's optional fields (and the ostrc_o2 section) present, null or absent."""
    intake = draw(valid_intakes())
    for path in RULESET2_FLAGS:
        _put(intake, path, draw(st.sampled_from((ABSENT, None, True, False))))
    _put(intake, "ostrc_o2", draw(st.just(ABSENT) | st.none() | ostrc_o2_answers()))
    return intake


# Ratios the spike rules compare against, and values either side of them.
SPIKE_THRESHOLDS = (1.10, 1.30, 2.00)
NUDGES = (0.0, 1e-9, -1e-9, 0.001, -0.001, 0.005, -0.005, 0.01, -0.01)
THRESHOLD_RATIOS = st.builds(
    lambda ratio, nudge: ratio + nudge, st.sampled_from(SPIKE_THRESHOLDS), st.sampled_from(NUDGES)
)


@st.composite
def near_threshold_intakes(draw) -> dict:
    """A valid intake (km) whose values sit where the rules change: ages near 40, recent strains, spike ratios..."""
    intake = draw(ruleset2_intakes())
    intake["runner"]["age"] = draw(st.integers(35, 45) | whole(12, 100))
    intake["runner"]["prior_calf_strain_weeks_ago"] = draw(st.none() | st.integers(0, 25) | whole(0, 5200))
    longest = draw(st.integers(1, 150) | st.floats(0.5, 150))
    intake["training"] = {
        "unit": "km",
        "weekly_distance": draw(st.lists(st.integers(0, 120), min_size=1, max_size=6)),
        "longest_run_30d": longest,
        "latest_run": longest * draw(THRESHOLD_RATIOS | st.floats(0, 2.6)),
        "strength_sessions_per_week": draw(st.none() | st.integers(0, 14)),
    }
    intake["heel_raise"] = {side: draw(st.none() | st.integers(0, 45)) for side in ("left", "right")}
    return intake


def _invalid_answer(draw, answers: dict) -> str:
    name = draw(st.sampled_from(tuple(OSTRC_O2_HIGHEST)))
    highest = OSTRC_O2_HIGHEST[name]
    kind = draw(st.sampled_from(("out of range", "fraction", "string", "boolean", "null")))
    if kind == "out of range":
        bad = draw(st.integers(max_value=-1) | st.integers(min_value=highest + 1))
        if draw(st.booleans()):  # a whole float, which counts as a whole number: still out of range
            bad = float(max(-(10**6), min(bad, 10**6)))
    elif kind == "fraction":
        bad = draw(st.integers(0, highest - 1)) + draw(st.sampled_from((0.5, 0.25, 1e-9)))
    elif kind == "string":
        bad = draw(st.sampled_from([str(i) for i in range(highest + 1)]) | st.text(max_size=5))
    elif kind == "boolean":
        bad = draw(st.booleans())
    else:
        bad = None
    answers[name] = bad
    return f"ostrc_o2.{name}"


def _missing_answer(draw, answers: dict) -> str:
    name = draw(st.sampled_from(tuple(OSTRC_O2_HIGHEST)))
    del answers[name]
    return f"ostrc_o2.{name}"


def _unknown_answer(draw, answers: dict) -> str:
    key = "extra_" + draw(st.from_regex(r"[a-z0-9]{1,8}", fullmatch=True))
    answers[key] = draw(st.integers(0, 4))
    return f"ostrc_o2.{key}"


@st.composite
def invalid_ostrc_o2_intakes(draw) -> tuple:
    """(payload, path): a valid intake with one OSTRC-O2 answer broken, and that answer's path."""
    intake = draw(ruleset2_intakes())
    answers = draw(ostrc_o2_answers())
    path = draw(st.sampled_from((_invalid_answer, _missing_answer, _unknown_answer)))(draw, answers)
    intake["ostrc_o2"] = answers
    return intake, path


# A km value whose conversion to miles (and the schema's check back in km) stays within 400 km.
SAFE_KM = 399.99


def positive_distance(limit: float):
    return st.one_of(
        st.integers(1, math.floor(limit)),
        st.integers(1, math.floor(limit * 10)).map(lambda tenths: tenths / 10),
        st.floats(0.001, limit, allow_nan=False, allow_infinity=False),
    )


@st.composite
def same_runner_in_km_and_mi(draw) -> tuple:
    """(entered, converted): one runner entered in km or mi, and the same runner entered in the other unit.

    mi = km / KM_PER_MILE, km = mi * KM_PER_MILE. The latest run is the longest
    run times a ratio at or beside a spike threshold (or any ratio up to 3),
    and the weeks may end on a week exactly 1.30 times the one before or on an
    ACWR of exactly 1.5; in the other unit these are either converted or
    computed again from that unit's own numbers.
    """
    intake = draw(ruleset2_intakes())
    entered = draw(st.sampled_from(("km", "mi")))
    limit = SAFE_KM if entered == "km" else VALID_MILES

    def convert(value):
        return value / KM_PER_MILE if entered == "km" else value * KM_PER_MILE

    ratio = draw(THRESHOLD_RATIOS | st.floats(0, 3))
    longest = draw(positive_distance(limit / max(ratio, 1.0)))
    weeks = draw(st.lists(st.just(0) | positive_distance(limit), max_size=8))
    ending = draw(st.sampled_from(((), (1.30,), (1, 1, 1.8))))  # week-over-week 1.30; ACWR 1.8 / 1.2 = 1.5
    if ending:
        base = draw(positive_distance(limit / 1.8))
        weeks += [base] + [base * factor for factor in ending]
    if not weeks:
        weeks = [draw(positive_distance(limit))]
    own_numbers = draw(st.booleans())
    other_weeks = [convert(week) for week in weeks]
    if own_numbers and ending:
        other_weeks[-1] = other_weeks[-2] * ending[-1] if ending == (1.30,) else other_weeks[-4] * 1.8
    other_longest = convert(longest)
    sessions = intake["training"].get("strength_sessions_per_week")
    intake["training"] = {"weekly_distance": weeks, "longest_run_30d": longest, "latest_run": longest * ratio}
    if entered == "mi" or draw(st.booleans()):
        intake["training"]["unit"] = entered
    if sessions is not None:
        intake["training"]["strength_sessions_per_week"] = sessions
    other = copy.deepcopy(intake)
    other["training"].update(
        unit="mi" if entered == "km" else "km",
        weekly_distance=other_weeks,
        longest_run_30d=other_longest,
        latest_run=other_longest * ratio if own_numbers else convert(longest * ratio),
    )
    return intake, other
