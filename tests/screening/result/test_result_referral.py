"""The referral: the most urgent referring rule decides it, whatever order the ruleset lists rules in."""

from dataclasses import replace

from screening import default_screener
from screening.result.builder import ResultBuilder


def _rules_with(*referrals: str):
    """Real rules of the packaged ruleset, in ruleset order, given these referral effects."""
    ruleset = default_screener().ruleset
    return [
        replace(rule, referral=referral, index=index)
        for index, (rule, referral) in enumerate(zip(ruleset.rules, referrals, strict=False))
    ]


def test_a_later_more_urgent_rule_outranks_an_earlier_less_urgent_one():
    early_routine, not_referring, late_urgent = _rules_with("routine", "none", "urgent")
    referral = ResultBuilder(default_screener().ruleset).referral([early_routine, not_referring, late_urgent])

    assert referral["required"] is True
    assert referral["urgency"] == "urgent"
    assert referral["to"] == default_screener().ruleset.referral_to["urgent"]
    # Reasons list the referring rules most urgent first; a rule that refers nowhere is no reason.
    assert referral["reasons"] == [late_urgent.id, early_routine.id]


def test_referral_reasons_rank_by_urgency_then_keep_the_ruleset_order():
    rules = _rules_with("routine", "soon", "routine", "soon")
    referral = ResultBuilder(default_screener().ruleset).referral(list(reversed(rules)))

    assert referral["urgency"] == "soon"
    assert referral["reasons"] == [rules[1].id, rules[3].id, rules[0].id, rules[2].id]


def test_no_referring_rule_means_no_referral():
    rules = _rules_with("none", "none")
    assert ResultBuilder(default_screener().ruleset).referral(rules) == {
        "required": False,
        "urgency": None,
        "to": None,
        "reasons": [],
    }
