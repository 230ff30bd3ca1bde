"""The programme's stage from one screening: each boundary on both sides at every age/sex reference band,
asymmetry, pain while running, one tested leg, miles and km, and the weaker leg's extra set.

The boundaries are read from the rule data (the very-low fraction, the test
noise, the symmetry cut-offs), so a test says where the stage changes, not a
copy of a stage table.
"""

import copy
import math

import pytest

from screening import default_screener
from screening.derive import heel_raise_reference
from screening.result.schema import ResultSchema
from tests.support.intakes import healthy

SCREENER = default_screener()
RULESET = SCREENER.ruleset
HALF = RULESET.parameter("strength.very_low_fraction")
NOISE = int(RULESET.parameter("strength.test_noise_reps"))
TARGET = int(RULESET.parameter("programme.clinical_target_reps"))
BANDS = [(band.age_from + 5, sex) for band in RULESET.heel_raise_norms.bands for sex in ("female", "male")]


def _runner(age: int, sex: str | None, left: int | None, right: int | None, pain: int = 0) -> dict:
    intake = healthy()
    intake["runner"].update(age=age, sex=sex)
    intake["heel_raise"] = {"left": left, "right": right}
    intake["wellness"]["pain_while_running"] = pain
    return intake


def programme_of(intake: dict) -> dict:
    result = SCREENER.screen(copy.deepcopy(intake))
    assert ResultSchema().validate(result) == {}
    return result["programme"]


def stage(intake: dict) -> int:
    programme = programme_of(intake)
    assert programme["status"] == "prescribed", programme["reason"]
    return programme["stage"]["number"]


def _goal(age: int, sex: str | None) -> int:
    reps = heel_raise_reference(age, sex, RULESET.heel_raise_norms, RULESET.parameter("strength.reference_from_age"))
    return reps["reps"] if reps["reps"] is not None else TARGET


@pytest.mark.parametrize(("age", "sex"), [*BANDS, (16, "female"), (45, None)])
def test_each_stage_starts_where_the_rule_data_says_at_every_reference_band(age, sex):
    goal = _goal(age, sex)
    half = math.ceil(HALF * goal)  # the fewest reps that are not under half the goal
    # Stage 1 below half the goal, never at it (0 reps refers soon: the programme is then withheld).
    if half - 1 >= 1:
        assert stage(_runner(age, sex, half - 1, half - 1)) == 1
    assert stage(_runner(age, sex, half, half)) == (2 if goal - half > NOISE else 3)
    # Stage 2 while the shortfall is beyond test noise; stage 3 within it but short of the goal.
    if goal - NOISE - 1 >= half:
        assert stage(_runner(age, sex, goal - NOISE - 1, goal - NOISE - 1)) == 2
    assert stage(_runner(age, sex, goal - NOISE, goal - NOISE)) == 3
    assert stage(_runner(age, sex, goal - 1, goal - 1)) == 3
    # Stage 4 (loaded) at the goal with the legs within 10%.
    assert stage(_runner(age, sex, goal, goal)) == 4


def test_a_runner_with_no_reference_works_towards_the_clinical_target_and_is_told_so():
    programme = programme_of(_runner(16, "male", TARGET, TARGET))
    assert programme["legs"]["goal"] == TARGET
    assert "clinical target" in programme["reason"]


@pytest.mark.parametrize(("weaker", "stronger", "expected"), [(27, 30, 4), (27, 31, 3)])
def test_legs_more_than_ten_percent_apart_stay_at_single_leg_even_at_the_goal(weaker, stronger, expected):
    """Female 30-39: goal 27. 27/30 is exactly 90% (within 10%); 27/31 is not."""
    assert stage(_runner(32, "female", weaker, stronger)) == expected
    assert stage(_runner(32, "female", stronger, weaker)) == expected


def test_calf_pain_while_running_above_the_safe_band_keeps_the_runner_at_split_stance():
    see_physio = int(RULESET.parameter("wellness.pain_running_see_physio"))
    assert stage(_runner(32, "female", 30, 30, pain=see_physio)) == 4
    programme = programme_of(_runner(32, "female", 30, 30, pain=see_physio + 1))
    assert programme["stage"]["number"] == 2
    assert f"{see_physio + 1}/10" in programme["reason"]


def test_pain_never_lifts_a_weak_leg_above_stage_one():
    assert stage(_runner(32, "female", 5, 5, pain=4)) == 1


@pytest.mark.parametrize("leg", ["left", "right"])
def test_one_tested_leg_is_enough_to_prescribe(leg):
    other = "right" if leg == "left" else "left"
    intake = _runner(32, "female", None, None)
    intake["heel_raise"][leg] = 20
    programme = programme_of(intake)
    assert programme["status"] == "prescribed"
    assert programme["stage"]["number"] == 2
    assert programme["legs"][other] is None
    assert f"({leg}, the only one tested)" in programme["reason"]
    assert "emphasis" not in programme


def test_no_tested_leg_starts_at_stage_one_and_says_why():
    programme = programme_of(_runner(32, "female", None, None))
    assert programme["status"] == "prescribed"
    assert programme["stage"]["number"] == 1
    assert "no leg was tested" in programme["reason"]


def test_miles_and_km_give_the_same_programme():
    km = _runner(44, "male", 15, 22)
    miles = copy.deepcopy(km)
    miles["training"].update(
        unit="mi",
        weekly_distance=[w / 1.609344 for w in km["training"]["weekly_distance"]],
        longest_run_30d=12 / 1.609344,
        latest_run=12 / 1.609344,
    )
    assert programme_of(miles) == programme_of(km)


def test_marked_asymmetry_gives_the_weaker_leg_one_extra_set_said_in_words():
    programme = programme_of(_runner(32, "female", 30, 18))  # 60%, 12 reps apart
    rows = programme["exercises"]
    assert [row["legs"] for row in rows] == ["both", "right"]
    assert rows[1]["sets"] == int(RULESET.parameter("programme.extra_sets"))
    assert "right" in rows[1]["how"]
    assert programme["emphasis"]["says"].startswith("Your right leg is the weaker one (18 against 30")


@pytest.mark.parametrize(("left", "right"), [(24, 30), (23, 30), (10, 16)])
def test_no_extra_set_without_marked_asymmetry_beyond_test_noise(left, right):
    """24/30 is exactly 80%, not below it; 23/30 is below it and 7 apart, beyond test noise (an extra set);
    10/16 is far below it but only 6 apart, within test noise."""
    programme = programme_of(_runner(32, "female", left, right))
    marked = left / right < RULESET.parameter("strength.lsi_marked") and right - left > NOISE
    assert ("emphasis" in programme) is marked
    assert [row["legs"] for row in programme["exercises"]] == (["both", "left"] if marked else ["both"])


def test_the_loaded_stage_uses_heavy_slow_resistance_three_seconds_each_way():
    programme = programme_of(_runner(32, "female", 30, 30))
    for row in programme["exercises"]:
        assert row["tempo"] == "3 seconds up, 3 seconds down"
        assert row["sessions_per_week"] == 3
        assert [(step["sets"], step["reps"]) for step in row["progression"]][::4] == [(3, 15), (4, 6)]


def test_the_next_screenings_count_that_moves_the_stage_on_is_the_boundary_itself():
    programme = programme_of(_runner(32, "female", 15, 15))  # goal 27: stage 2 from 14, stage 3 from 21
    assert programme["stage"]["number"] == 2
    moves_on = programme["moves_on_at"]["reps"]
    assert stage(_runner(32, "female", moves_on, moves_on)) == 3
    assert stage(_runner(32, "female", moves_on - 1, moves_on - 1)) == 2


@pytest.mark.parametrize(("age", "sex"), BANDS[::3])
@pytest.mark.parametrize("pain", [0, 4])
def test_more_heel_raises_never_choose_an_earlier_stage(age, sex, pain):
    """What moves_on_at's bisection rests on, checked of the rule data: the stage never falls as the weaker
    leg's count rises (the other leg at least as strong)."""
    from screening.programme import choose

    rules = SCREENER.programme.rules
    goal = _goal(age, sex)
    for other in (None, goal // 2, goal, goal + 8):
        stages = []
        for reps in range(1, 2 * goal + 2):
            legs = choose.Legs(reps, None if other is None else max(other, reps))
            found = choose.values(legs, goal, pain)
            stages.append(next(c for c in rules.choices if choose.all_hold(c.terms, found, RULESET)).stage.number)
        assert stages == sorted(stages), (other, stages)
