"""Build valid intakes for the engine tests: a healthy runner, a varied pool, seeded random ones.

Random intakes aim at the rules' edges on purpose: distances exactly at (and
one float step either side of) 1.10, 1.30 and 2.00 x the longest run, heel
raises whose limb symmetry index is exactly 0.90 or 0.80 with a gap of exactly
6 or 7, scores on their cut-offs, zeros, nulls, omitted optional fields, miles,
and tiny distances (which Python writes in exponent notation).
"""

import copy
import math
import random

from screening.intake.schema import RED_FLAGS

MAX_MILES = 248.5  # the contract's 400 km, as the largest whole tenth of a mile below it


def healthy(runner_id: str = "healthy-runner") -> dict:
    """A runner on whom no rule fires and whose data is complete (female 30-39: reference 27 reps)."""
    return {
        "runner": {"id": runner_id, "age": 32, "sex": "female", "previous_running_injury_12m": False},
        "training": {
            "unit": "km",
            "weekly_distance": [30, 30, 30, 30],
            "longest_run_30d": 12,
            "latest_run": 12,
            "strength_sessions_per_week": 1,
        },
        "wellness": {
            "fatigue": 2,
            "soreness": 0,
            "soreness_days": 0,
            "pain_while_running": 0,
            "exertional_pain_settles_with_rest": False,
        },
        "heel_raise": {"left": 30, "right": 30},
        "ostrc_o2": {"participation": 0, "training_modification": 0, "performance": 0, "pain": 0},
        "red_flags": {name: False for name in RED_FLAGS},
    }


def bare(runner_id: str = "bare-runner") -> dict:
    """The least an intake may hold: every optional input missing, heel raises not tested."""
    return {
        "runner": {"id": runner_id, "age": 30},
        "training": {"weekly_distance": [0]},
        "wellness": {"fatigue": 0, "soreness": 0},
        "heel_raise": {"left": None, "right": None},
    }


def _pick(rng: random.Random, *choices):
    return rng.choice(choices)


def _near(rng: random.Random, value: float) -> float:
    """The value itself, or the float just below or just above it (never below 0)."""
    return _pick(rng, value, value, max(0.0, math.nextafter(value, -math.inf)), math.nextafter(value, math.inf))


def _distance(rng: random.Random, limit: float) -> float | int:
    kind = rng.random()
    if kind < 0.15:
        return 0
    if kind < 0.25:
        return _pick(rng, 1e-05, 2e-06, 1.5e-05, 0.0001, 5e-324, 0.1)  # tiny: exponent notation
    if kind < 0.6:
        return rng.randint(0, int(limit))
    return round(rng.uniform(0, limit), rng.choice((1, 2, 6, 15)))


def _runs(rng: random.Random, limit: float) -> tuple:
    """(longest_run_30d, latest_run), often exactly on a spike boundary."""
    longest = _distance(rng, limit / 2)
    kind = rng.random()
    if kind < 0.5:
        latest = _near(rng, longest * rng.choice((1.10, 1.30, 2.00)))
    elif kind < 0.6:
        latest = longest
    else:
        latest = _distance(rng, limit)
    latest = min(max(latest, 0), limit)
    return _pick(rng, longest, longest, longest, None), _pick(rng, latest, latest, latest, None)


def _weeks(rng: random.Random, limit: float) -> list:
    count = rng.randint(1, 12)
    kind = rng.random()
    if kind < 0.2:  # latest week exactly 1.30 x the week before
        base = rng.randint(0, int(limit / 2))
        return [base] * max(count - 1, 1) + [_near(rng, base * 1.30)]
    if kind < 0.35:  # ACWR exactly 1.5: latest = 1.8 x each of three equal weeks
        base = rng.randint(0, int(limit / 2))
        return [base] * max(count - 1, 3) + [base * 1.8]
    return [_distance(rng, limit) for _ in range(count)]


def _heel_raises(rng: random.Random) -> tuple:
    kind = rng.random()
    if kind < 0.1:
        return _pick(rng, (None, None), (None, 25), (30, None))
    if kind < 0.45:  # symmetry index exactly 0.90 or 0.80, gaps 6 and 7 around the test noise
        weaker, stronger = rng.choice(
            (
                (54, 60),
                (63, 70),
                (27, 30),
                (24, 30),
                (28, 35),
                (16, 20),
                (36, 45),
                (0, 0),
                (0, 7),
                (19, 20),
                (20, 27),
                (27, 27),
            )
        )
    else:
        weaker = rng.randint(0, 60)
        stronger = weaker + rng.choice((0, 1, 5, 6, 7, 8, rng.randint(0, 140)))
    return (weaker, stronger) if rng.random() < 0.5 else (stronger, weaker)


def _maybe(rng: random.Random, section: dict, key: str, value, omit: float = 0.1) -> None:
    """Set the key, or leave it out (an optional field may be absent)."""
    if rng.random() >= omit:
        section[key] = value


def random_intake(rng: random.Random, runner_id: str) -> dict:
    """One valid intake drawn from `rng` (the same seed gives the same intakes)."""
    unit = _pick(rng, "km", "km", "mi")
    limit = 400 if unit == "km" else MAX_MILES
    longest, latest = _runs(rng, limit)
    left, right = _heel_raises(rng)
    runner = {"id": runner_id, "age": _pick(rng, 12, 39, 40, 40.0, 41, 100, rng.randint(12, 100))}
    _maybe(rng, runner, "sex", _pick(rng, "female", "male", "other", None), omit=0.2)
    _maybe(
        rng, runner, "prior_calf_strain_weeks_ago", _pick(rng, None, 0, 14, 15, 16, 5200, rng.randint(0, 60)), omit=0.3
    )
    training = {"weekly_distance": _weeks(rng, limit)}
    _maybe(rng, training, "unit", unit, omit=0.0 if unit == "mi" else 0.3)
    _maybe(rng, training, "longest_run_30d", longest)
    _maybe(rng, training, "latest_run", latest)
    _maybe(rng, training, "strength_sessions_per_week", _pick(rng, None, 0, 1, 2, 3, 14))
    wellness = {
        "fatigue": _pick(rng, 0, 6, 7, 10, rng.randint(0, 10)),
        "soreness": _pick(rng, 0, 1, 4, 5, 10, rng.randint(0, 10)),
    }
    _maybe(rng, wellness, "soreness_days", _pick(rng, None, 0, 6, 7, 365, rng.randint(0, 30)))
    _maybe(rng, wellness, "pain_while_running", _pick(rng, None, 0, 3, 4, 5, 6, 10, rng.randint(0, 10)))
    intake = {
        "runner": runner,
        "training": training,
        "wellness": wellness,
        "heel_raise": {"left": left, "right": right},
    }
    if rng.random() < 0.8:
        flags = {name: rng.random() < 0.05 for name in RED_FLAGS}
        intake["red_flags"] = {name: value for name, value in flags.items() if value or rng.random() < 0.7}
    # Ruleset 2 fields, drawn last so the draws above stay those of earlier versions.
    _maybe(rng, runner, "previous_running_injury_12m", _pick(rng, None, False, True))
    _maybe(rng, wellness, "exertional_pain_settles_with_rest", _pick(rng, None, False, False, True))
    _maybe(rng, wellness, "soreness", _pick(rng, 3, 4, 7, 8, rng.randint(0, 10)), omit=0.6)
    if rng.random() < 0.5:
        intake["ostrc_o2"] = {
            "participation": rng.randint(0, 3),
            "training_modification": _pick(rng, 0, 1, 2, rng.randint(0, 4)),
            "performance": _pick(rng, 0, 1, 2, rng.randint(0, 4)),
            "pain": rng.randint(0, 3),
        }
    return intake


def random_intakes(count: int, seed: int, prefix: str = "random") -> list[dict]:
    rng = random.Random(seed)
    return [random_intake(rng, f"{prefix}-{index}") for index in range(count)]


def pool(size: int = 96, seed: int = 20240) -> list[dict]:
    """A varied pool with a distinct runner id each: the hand-made cases first, then random ones."""
    special = [healthy(), bare()]
    red_flag = healthy("red-flag")
    red_flag["red_flags"]["calf_swelling"] = True
    rupture = healthy("rupture")
    rupture["red_flags"].update(sudden_pop_or_snap=True, unable_to_heel_raise_or_bear_weight=True)
    untested = healthy("heel-raise-missing")
    untested["heel_raise"] = {"left": 22, "right": None}
    miles = healthy("miles")
    miles["training"].update(unit="mi", weekly_distance=[18, 20, 21, 30], longest_run_30d=10, latest_run=11)
    spike = healthy("spike")
    spike["training"].update(longest_run_30d=10, latest_run=25)
    masters = healthy("masters-strain")
    masters["runner"].update(age=52, sex="male", prior_calf_strain_weeks_ago=8)
    special += [red_flag, rupture, untested, miles, spike, masters]
    return [copy.deepcopy(intake) for intake in special] + random_intakes(size - len(special), seed, "pool")


def as_form(intake: dict) -> dict:
    """An intake as an HTML form posts it: dotted names, text values, a list per week, unticked boxes left out."""
    fields: dict = {}
    for section, values in intake.items():
        for name, value in values.items():
            if value is None or value is False:
                continue
            path = f"{section}.{name}"
            if isinstance(value, list):
                fields[path] = [str(item) for item in value]
            else:
                fields[path] = "true" if value is True else str(value)
    return fields


def with_changes(intake: dict, changes: dict) -> dict:
    """A copy of the intake with each dotted path set to its value ({"wellness.soreness": 3})."""
    changed = copy.deepcopy(intake)
    for path, value in changes.items():
        *parents, key = path.split(".")
        target = changed
        for name in parents:
            target = target.setdefault(name, {})
        target[key] = value
    return changed
