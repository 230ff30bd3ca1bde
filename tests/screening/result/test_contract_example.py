"""The contract's example intake gives the derived values the contract shows."""

import json

from screening import default_screener
from screening.result.schema import ResultSchema
from tests.support.paths import ROOT

EXAMPLE = json.loads((ROOT / "examples" / "intake.json").read_text())


def test_contract_example_derived_values_match_the_contract():
    derived = default_screener().screen(EXAMPLE)["derived"]
    assert derived["weekly_distance_km"] == [38, 40, 41, 55]
    assert derived["week_over_week_change"] == 0.34
    assert derived["acwr"] == 1.26
    assert derived["spike_vs_longest_30d"] == 0.33
    assert derived["limb_symmetry_index"] == 0.54
    assert derived["heel_raise_reference"] == {"reps": 24, "basis": "straight-knee norm, female 40-49"}


def test_contract_example_is_high_risk_with_a_routine_physiotherapy_referral_for_marked_asymmetry():
    result = default_screener().screen(EXAMPLE)
    assert result["risk"]["band"] == "high"
    assert result["referral"]["urgency"] == "routine"
    assert result["referral"]["to"] == "physiotherapist"
    assert "strength.asymmetry_marked" in result["referral"]["reasons"]
    assert ResultSchema().validate(result) == {}


def test_each_explanation_entry_shows_the_values_its_condition_compared():
    result = default_screener().screen(EXAMPLE)
    spike = next(e for e in result["explanation"] if e["rule"].startswith("load.single_run_spike"))
    # Compared as measured (24 / 18 to 9 decimals), shown rounded in derived.
    assert spike["inputs"] == {
        "derived.spike_ratio": 1.333333333,
        "training.latest_run": 24,
        "training.longest_run_30d": 18,
    }
    assert result["derived"]["spike_vs_longest_30d"] == 0.33
    assert "derived.spike_ratio > 1.30" in spike["condition"]
    assert spike["evidence"][0]["citation"].startswith("Frandsen et al. 2025")
    assert spike["thresholds"]["load.spike_ratio_large"]["value"] == 1.3


def test_recommendations_name_the_rules_that_caused_them_and_appear_once():
    result = default_screener().screen(EXAMPLE)
    fired = {entry["rule"] for entry in result["explanation"]}
    ids = [rec["id"] for rec in result["recommendations"]]
    assert len(ids) == len(set(ids))
    for rec in result["recommendations"]:
        assert rec["because"] and set(rec["because"]) <= fired
    assert "rec.soleus_loading" in ids
