"""The programme is withheld, with the reason in words, whenever a referral comes first: every red-flag sign,
every `soon` or `urgent` referral, and severe pain while running (refer first, no training advice). A recent
calf strain gets the return-to-run checklist and no loading past its stage.

The property test draws any valid runner (tests/support/strategies.py) and reckons
"a referral comes first" from the result's referral and the intake's own
fields, not from the programme's code.
"""

import copy

import pytest
from hypothesis import HealthCheck, given, settings

from screening import default_screener
from tests.support.intakes import healthy
from tests.support.strategies import near_threshold_intakes, ruleset2_intakes

SCREENER = default_screener()
RULESET = SCREENER.ruleset
SIGNS = [n.split(".", 1)[1] for n, spec in RULESET.inputs.items() if n.startswith("red_flags.") and spec.kind == "sign"]
ACCEPTABLE = RULESET.parameter("wellness.pain_running_acceptable")
EXAMPLES = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def screen(intake: dict) -> dict:
    return SCREENER.screen(copy.deepcopy(intake))


@pytest.mark.parametrize("sign", SIGNS)
def test_every_red_flag_sign_withholds_the_programme_and_says_why(sign):
    intake = healthy()
    intake["red_flags"][sign] = True
    result = screen(intake)
    programme = result["programme"]
    assert programme["status"] == "withheld"
    assert programme["stage"] is None and programme["exercises"] == []
    assert RULESET.inputs[f"red_flags.{sign}"].description in programme["reason"]
    assert "a clinician should see you first" in programme["reason"]


def test_severe_pain_while_running_withholds_the_programme_and_names_the_pain():
    intake = healthy()
    intake["wellness"]["pain_while_running"] = int(ACCEPTABLE) + 1
    programme = screen(intake)["programme"]
    assert programme["status"] == "withheld"
    assert f"calf pain while running {int(ACCEPTABLE) + 1}/10" in programme["reason"]


def test_pain_at_the_acceptable_limit_still_gets_a_programme():
    intake = healthy()
    intake["wellness"]["pain_while_running"] = int(ACCEPTABLE)
    assert screen(intake)["programme"]["status"] == "prescribed"


def test_a_soon_referral_withholds_the_programme_with_the_referring_rule_in_words():
    intake = healthy()
    intake["heel_raise"] = {"left": 0, "right": 30}  # no single-leg heel raise, no calf symptom: soon
    result = screen(intake)
    assert result["referral"]["urgency"] == "soon"
    programme = result["programme"]
    assert programme["status"] == "withheld"
    assert "soon referral: " + RULESET.rule("strength.no_heel_raise").title in programme["reason"]


def test_a_routine_referral_does_not_withhold_the_programme():
    intake = healthy()
    intake["heel_raise"] = {"left": 12, "right": 30}  # under half the reference, marked asymmetry: routine
    result = screen(intake)
    assert result["referral"]["urgency"] == "routine"
    assert result["programme"]["status"] == "prescribed"


def test_a_calf_strain_in_the_reinjury_window_gets_the_checklist_and_no_loading():
    intake = healthy()
    intake["runner"]["prior_calf_strain_weeks_ago"] = 10
    programme = screen(intake)["programme"]  # 30/30 at goal 27 would be stage 4 (loaded)
    assert programme["status"] == "prescribed"
    assert programme["stage"]["number"] == 3
    assert "stays at stage 3 or below" in programme["reason"]
    checks = {check["id"]: check["status"] for check in programme["return_to_run"]["checks"]}
    assert checks == {"walking": "to check", "heel_raises": "met", "symmetry": "met", "hopping": "to check"}
    assert "moves_on_at" not in programme


def test_the_checklist_never_guesses_a_leg_that_was_not_tested():
    intake = healthy()
    intake["runner"]["prior_calf_strain_weeks_ago"] = 12
    intake["heel_raise"] = {"left": 30, "right": None}
    checks = {c["id"]: c["status"] for c in screen(intake)["programme"]["return_to_run"]["checks"]}
    assert checks["symmetry"] == "not assessed"


def test_a_strain_within_eight_weeks_withholds_the_programme_but_keeps_the_checklist():
    intake = healthy()
    intake["runner"]["prior_calf_strain_weeks_ago"] = 4
    programme = screen(intake)["programme"]
    assert programme["status"] == "withheld"
    assert programme["return_to_run"]["weeks_since_strain"] == 4


def test_a_strain_past_the_reinjury_window_has_no_checklist():
    intake = healthy()
    intake["runner"]["prior_calf_strain_weeks_ago"] = int(RULESET.parameter("history.recurrence_window_weeks")) + 1
    programme = screen(intake)["programme"]
    assert "return_to_run" not in programme
    assert programme["stage"]["number"] == 4


def _refer_first(intake: dict, result: dict) -> bool:
    signs = any((intake.get("red_flags") or {}).get(sign) for sign in SIGNS)
    pain = intake["wellness"].get("pain_while_running")
    return result["referral"]["urgency"] in ("soon", "urgent") or signs or (pain is not None and pain > ACCEPTABLE)


@EXAMPLES
@given(ruleset2_intakes() | near_threshold_intakes())
def test_the_programme_is_never_prescribed_while_a_referral_comes_first(intake):
    result = SCREENER.screen(intake)
    programme = result["programme"]
    if _refer_first(intake, result):
        assert programme["status"] == "withheld"
        assert programme["exercises"] == [] and programme["stage"] is None
    else:
        assert programme["status"] == "prescribed"
        assert programme["stage"] is not None and programme["exercises"]
