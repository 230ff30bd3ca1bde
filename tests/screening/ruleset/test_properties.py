"""Properties that hold for every intake the contract allows, and for every one it refuses.

Hypothesis draws intakes from tests/support/strategies.py. A valid intake must give a
result the contract's ResultSchema accepts, with clinically required
invariants; an intake broken in one way must raise IntakeError keyed by the
broken field, never any other exception. Examples are bounded so the file runs
in seconds.
"""

import copy
import math

from hypothesis import HealthCheck, example, given, settings

from screening import IntakeError, default_screener
from screening.result.schema import ResultSchema
from tests.support.strategies import invalid_intakes, valid_intakes

EXAMPLES = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
RESULT_SCHEMA = ResultSchema()


def _screen(payload: dict) -> dict:
    return default_screener().screen(payload)


def _fired(result: dict) -> list[str]:
    return [entry["rule"] for entry in result["explanation"]]


# Found by this test: a change relative to a subnormal distance overflowed to infinity.
OVERFLOWING = {
    "runner": {"id": "0", "age": 12},
    "training": {"weekly_distance": [5e-324, 1], "latest_run": 1, "longest_run_30d": 5e-324},
    "wellness": {"fatigue": 0, "soreness": 0},
    "heel_raise": {"left": None, "right": None},
}
# Found by this test too: durable_rules refused floats written as 1e-05.
EXPONENT = {
    "runner": {"id": "0", "age": 12},
    "training": {"weekly_distance": [1e-05]},
    "wellness": {"fatigue": 0, "soreness": 0},
    "heel_raise": {"left": None, "right": None},
}


@EXAMPLES
@given(valid_intakes())
@example(OVERFLOWING)
@example(EXPONENT)
def test_any_valid_intake_gives_a_result_the_contract_accepts(payload):
    result = _screen(payload)
    assert RESULT_SCHEMA.validate(result) == {}
    assert result["runner_id"] == payload["runner"]["id"]


@EXAMPLES
@given(valid_intakes())
def test_a_red_flag_sign_always_refers_urgently_and_only_a_red_flag_does(payload):
    ruleset = default_screener().ruleset
    # Only red-flag rules refer urgently in the rule data: each reads a ticked red flag, or (a suspected
    # rupture) a leg with no heel raise together with a calf symptom. So the converse holds too.
    urgent = [rule for rule in ruleset.rules if rule.referral == "urgent"]
    assert all(rule.group == "red_flags" for rule in urgent)
    assert all(
        any(name.startswith("red_flags.") for name in rule.inputs)
        or set(rule.inputs) == {"derived.heel_raise_weakest_tested", "derived.calf_symptom"}
        for rule in urgent
    )
    result = _screen(payload)
    referral = result["referral"]
    flags = {name for name, ticked in payload.get("red_flags", {}).items() if ticked}
    signs = {name for name in flags if ruleset.inputs[f"red_flags.{name}"].kind == "sign"}
    no_heel_raise = 0 in {payload["heel_raise"][side] for side in ("left", "right")}
    if signs:
        assert referral["required"] and referral["urgency"] == "urgent"
        assert referral["to"] == ruleset.referral_to["urgent"]
    elif not flags and not no_heel_raise:
        assert referral["urgency"] != "urgent"


@EXAMPLES
@given(valid_intakes())
def test_score_is_the_points_of_fired_rules_within_range_and_its_band_matches(payload):
    ruleset = default_screener().ruleset
    result = _screen(payload)
    score, band = result["risk"]["score"], result["risk"]["band"]
    assert ruleset.score_min <= score <= ruleset.score_max
    by_group: dict[str, int] = {}
    for entry in result["explanation"]:
        rule = ruleset.rule(entry["rule"])
        points = rule.points
        if rule.taper is not None:  # linear from its points at the taper's start to its end points, half away
            start, end = ruleset.parameter(rule.taper.start), ruleset.parameter(rule.taper.end)
            exact = points + (entry["inputs"][rule.taper.input] - start) / (end - start) * (
                rule.taper.end_points - points
            )
            points = math.floor(exact + 0.5)
            assert rule.taper.end_points <= points <= rule.points
        assert entry["points"] == points
        by_group[rule.group] = by_group.get(rule.group, 0) + points
    points = sum(min(total, ruleset.caps.get(group, total)) for group, total in by_group.items())
    assert score == min(max(points, ruleset.score_min), ruleset.score_max)
    assert result["risk"]["relative_risk"]["value"] == round(ruleset.points_base**score, 2)
    starts = [b.start for b in ruleset.bands] + [ruleset.score_max + 1]
    (expected_band,) = [
        b.band for b, start, end in zip(ruleset.bands, starts, starts[1:], strict=False) if start <= score < end
    ]
    assert result["risk"]["score_band"] == expected_band
    present = [entry["rule"] for entry in result["explanation"] if ruleset.rule(entry["rule"]).present_injury]
    assert band == ("symptomatic" if present else expected_band)
    assert result["risk"].get("symptoms", []) == present


@EXAMPLES
@given(valid_intakes())
def test_every_explanation_names_a_real_rule_and_the_values_it_read(payload):
    ruleset = default_screener().ruleset
    known = {rule.id for rule in ruleset.rules}
    for entry in _screen(payload)["explanation"]:
        assert entry["rule"] in known
        rule = ruleset.rule(entry["rule"])
        assert set(rule.inputs) <= set(entry["inputs"])
        # What the condition compared is known; context (the other leg, say) may be untested.
        assert None not in [entry["inputs"][name] for name in rule.inputs], entry


@EXAMPLES
@given(valid_intakes())
def test_a_rule_reported_not_assessed_did_not_fire(payload):
    result = _screen(payload)
    assert not set(result["not_assessed"]) & set(_fired(result))
    assert result["not_assessed"] == [entry["rule"] for entry in result["not_assessed_detail"]]


@EXAMPLES
@given(valid_intakes())
def test_the_same_intake_twice_gives_the_same_result_and_is_left_unchanged(payload):
    original = copy.deepcopy(payload)
    first, second = _screen(payload), _screen(copy.deepcopy(payload))
    assert payload == original
    ignore = {"screening_id": None, "screened_at": None}
    assert {**first, **ignore} == {**second, **ignore}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(invalid_intakes())
def test_an_invalid_intake_is_refused_with_errors_at_the_broken_field(case):
    payload, path = case
    try:
        _screen(payload)
    except IntakeError as error:
        assert set(error.errors) == {path}, (payload, error.errors)
        assert all(isinstance(message, str) and message for message in error.errors[path])
    else:
        raise AssertionError(f"accepted an intake broken at {path}: {payload!r}")
