"""Hypothesis strategies for intakes: any valid one, and a valid one broken at one known field.

`valid_intakes()` covers the whole contract: whole numbers as ints or as
whole floats (7.0), distances as any finite float or int in range for the
unit (including 0, -0.0, tiny values and subnormals), optional fields present, null or
absent, any red flags. `invalid_intakes()` draws a valid intake and breaks it
in one way, returning `(payload, path)`: the field path the error must be
keyed by (`_schema` for a body that is not an object).
"""

import math

from hypothesis import strategies as st

from screening.intake.schema import KM_PER_MILE, MAX_DISTANCE_KM, RED_FLAGS

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
