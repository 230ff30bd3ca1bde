"""Properties of ruleset 2.2.0's safety rules that hold for every runner the contract allows.

- No result with a DVT risk factor and any calf symptom is ever below urgent.
- No training or loading advice is given while a soon or urgent referral is open.

Hypothesis draws intakes from tests/support/strategies.py (any valid runner, and runners
whose values sit where the rules change), with and without a runner history.
"""

import copy

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screening import default_screener
from tests.support.histories import NOW_TEXT, history_of, random_earlier
from tests.support.strategies import near_threshold_intakes, ruleset2_intakes

EXAMPLES = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
RUNNERS = ruleset2_intakes() | near_threshold_intakes()
RISK_FACTORS = [
    name.split(".", 1)[1]
    for name, spec in default_screener().ruleset.inputs.items()
    if name.startswith("red_flags.") and spec.kind == "risk_factor"
]


def _symptoms(intake: dict) -> list[str]:
    """The calf symptoms the intake reports, reckoned here from the contract's fields, not from the rules."""
    wellness, ostrc = intake["wellness"], intake.get("ostrc_o2") or {}
    found = []
    if wellness["soreness"] >= 1:
        found.append("soreness")
    if (wellness.get("pain_while_running") or 0) >= 1:
        found.append("calf pain while running")
    if wellness.get("exertional_pain_settles_with_rest"):
        found.append("exertional calf pain")
    if any(answer > 0 for answer in ostrc.values()):
        found.append("an OSTRC-O2 calf problem")
    return found


@st.composite
def _runner_with_a_dvt_risk_factor(draw):
    intake = copy.deepcopy(draw(RUNNERS))
    intake.setdefault("red_flags", {})[draw(st.sampled_from(RISK_FACTORS))] = True
    symptom = draw(
        st.sampled_from(
            (
                ("wellness", "soreness", draw(st.integers(1, 10))),
                ("wellness", "pain_while_running", draw(st.integers(1, 10))),
                ("wellness", "exertional_pain_settles_with_rest", True),
                (None, None, None),  # whatever the drawn runner already reports
            )
        )
    )
    section, name, value = symptom
    if section:
        intake[section][name] = value
    return intake


@EXAMPLES
@given(_runner_with_a_dvt_risk_factor(), st.randoms(use_true_random=False))
def test_no_result_with_a_dvt_risk_factor_and_a_calf_symptom_is_ever_below_urgent(intake, rng):
    history = history_of(random_earlier(rng))
    result = default_screener().screen(intake, history=history, screened_at=NOW_TEXT)
    if _symptoms(intake):
        assert result["referral"]["urgency"] == "urgent", (_symptoms(intake), result["referral"])
        assert result["risk"]["band"] == "symptomatic"
        assert result["referral"]["escalation"]["text"].endswith("call the emergency number now.")
        assert result["recommendations"][0]["id"] == "rec.urgent_medical"
    else:
        assert "rec.dvt_safety_net" in [rec["id"] for rec in result["recommendations"]]


@EXAMPLES
@given(RUNNERS, st.randoms(use_true_random=False))
def test_no_training_or_loading_advice_is_given_while_a_soon_or_urgent_referral_is_open(intake, rng):
    ruleset = default_screener().ruleset
    history = history_of(random_earlier(rng))
    result = default_screener().screen(intake, history=history, screened_at=NOW_TEXT)
    kinds = {rec["id"]: ruleset.recommendations[rec["id"]].kind for rec in result["recommendations"]}
    if result["referral"]["urgency"] in ("soon", "urgent") or result["risk"]["band"] == "symptomatic":
        assert not {rec for rec, kind in kinds.items() if kind in ("training", "loading")}, kinds
        assert "hold" in kinds.values(), "what to do instead is said"
    else:
        assert "hold" not in kinds.values()
