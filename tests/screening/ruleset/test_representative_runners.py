"""scripts/representative_runners.py: the table in rules/CHANGELOG.md is what the rules give, and its
clinically essential rows say what a clinician must see."""

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from screening import default_screener
from tests.support.paths import ROOT

SCRIPT = ROOT / "scripts" / "representative_runners.py"
CHANGELOG = ROOT / "rules" / "CHANGELOG.md"


@pytest.fixture(scope="module")
def script():
    spec = importlib.util.spec_from_file_location("representative_runners", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def results(script) -> dict[str, dict]:
    """Each representative runner's result under the current rules, by the runner's name."""
    return dict(script.screen_all(script.load_runners(), default_screener()))


def _check(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--check", str(path)], capture_output=True, text=True, timeout=60
    )


def _fired(result: dict) -> set[str]:
    return {entry["rule"] for entry in result["explanation"]}


def _recommended(result: dict) -> set[str]:
    return {rec["id"] for rec in result["recommendations"]}


def test_the_changelog_table_is_the_one_the_rules_give():
    checked = _check(CHANGELOG)
    assert checked.returncode == 0, checked.stderr


def test_check_fails_on_a_drifted_table_and_write_brings_it_back(tmp_path):
    drifted = tmp_path / "CHANGELOG.md"
    text = CHANGELOG.read_text(encoding="utf-8")
    generated = text.index("<!-- representative-runners:start -->")
    before, after = text[:generated], text[generated:]
    drifted.write_text(
        before + after.replace("| Healthy runner, 32 | 0 |", "| Healthy runner, 32 | 3 |", 1), encoding="utf-8"
    )
    assert drifted.read_text(encoding="utf-8") != text

    checked = _check(drifted)
    assert checked.returncode == 1
    assert "| Healthy runner, 32 | 0 |" in checked.stderr

    subprocess.run([sys.executable, str(SCRIPT), "--write", str(drifted)], check=True, timeout=60)
    assert drifted.read_text(encoding="utf-8") == text


def test_check_refuses_a_file_without_the_markers(tmp_path):
    plain = tmp_path / "notes.md"
    plain.write_text("# Notes\n", encoding="utf-8")
    checked = _check(plain)
    assert checked.returncode != 0
    assert "representative-runners:start" in checked.stderr


def test_a_row_gives_score_multiple_band_urgency_and_every_destination(script):
    result = {
        "risk": {"score": 14, "band": "moderate", "relative_risk": {"value": 2.64}},
        "referral": {"urgency": "soon", "to": "sports physician", "destinations": ["sports physician", "physio"]},
    }
    assert script.row("A", result) == ("A", "14", "2.6x", "moderate", "soon", "sports physician, physio", "-")
    no_referral = {"risk": {"score": 0, "band": "low"}, "referral": {"urgency": None, "to": None}}
    assert script.row("B", no_referral) == ("B", "0", "-", "low", "none", "-", "-")


def test_dropping_a_field_leaves_the_rest_of_the_intake(script):
    intake = {"runner": {"id": "r", "age": 30, "previous_running_injury_12m": True}, "ostrc_o2": {"pain": 1}}
    assert script.without(intake, "runner.previous_running_injury_12m") == {
        "runner": {"id": "r", "age": 30},
        "ostrc_o2": {"pain": 1},
    }
    assert script.without(intake, "ostrc_o2") == {"runner": {"id": "r", "age": 30, "previous_running_injury_12m": True}}
    assert script.without(intake, "wellness.exertional_pain_settles_with_rest") == intake


def test_the_healthy_runner_is_low_with_no_referral_and_is_told_to_carry_on(results):
    healthy = results["Healthy runner, 32"]
    assert (healthy["risk"]["score"], healthy["risk"]["band"]) == (0, "low")
    assert healthy["referral"]["urgency"] is None
    assert _recommended(healthy) == {"rec.carry_on"}


def test_a_red_flag_sign_on_a_healthy_runner_refers_urgently_to_a_physician(results):
    referral = results["Calf swelling (red-flag sign), otherwise healthy, 32"]["referral"]
    assert (referral["urgency"], referral["to"]) == ("urgent", "physician")


def test_a_dvt_risk_factor_alone_is_not_urgent_but_gives_safety_net_advice(results):
    alone = results["Long-haul flight 3 weeks ago (DVT risk factor), no calf symptom, 34"]
    assert alone["referral"]["urgency"] != "urgent"
    assert "rec.dvt_safety_net" in _recommended(alone)
    assert "rec.urgent_medical" not in _recommended(alone)


def test_a_dvt_risk_factor_with_calf_soreness_refers_urgently(results):
    with_pain = results["Previous DVT (risk factor) with calf soreness 5/10, 34"]
    assert (with_pain["referral"]["urgency"], with_pain["referral"]["to"]) == ("urgent", "physician")
    assert "rec.urgent_medical" in _recommended(with_pain)


def test_a_calf_strain_6_weeks_ago_is_high_and_referred_soon_despite_strength_training(results):
    strain = results["Calf strain 6 weeks ago, strength-trains 2x a week, 35"]
    assert strain["risk"]["band"] == "high"
    assert strain["referral"]["urgency"] == "soon"


def test_severe_soreness_is_referred_soon_and_no_heel_raise_on_a_sore_calf_urgently(results):
    severe = results["Calf soreness 10/10 for 2 days, 30"]
    assert (severe["referral"]["urgency"], severe["risk"]["band"]) == ("soon", "symptomatic")
    # 0 reps with calf soreness 2/10: a suspected rupture until a Thompson test says otherwise.
    no_raise = results["No single-leg heel raise on either leg, 38"]
    assert no_raise["referral"]["urgency"] == "urgent"
    assert "red_flags.no_heel_raise_with_calf_symptom" in _fired(no_raise)
    assert not {rec for rec in _recommended(no_raise) if rec in ("rec.soleus_loading", "rec.strength_training")}


def test_the_runners_added_with_ruleset_2_2_show_what_it_changed(results):
    mild = results["Previous DVT (risk factor) with calf soreness 1/10, 36"]
    assert mild["referral"]["urgency"] == "urgent" and "escalation" in mild["referral"]
    strain = results["Calf strain 9 weeks ago, otherwise healthy, 33"]
    assert strain["risk"]["score"] == 34  # the taper from 37 at 8 weeks, not a cliff to 5
    lost = results["Could not run last week for the calf (OSTRC-O2 time loss), 29"]
    assert (lost["referral"]["urgency"], lost["risk"]["band"]) == ("soon", "symptomatic")
    weak = results["Woman of 45 with 10 and 11 heel raises (under half her reference of 24)"]
    assert weak["referral"]["urgency"] == "routine" and "strength.very_low" in weak["referral"]["reasons"]


def test_exertional_pain_goes_soon_to_a_sports_physician(results):
    referral = results["Calf pain during runs that settles with rest, 27"]["referral"]
    assert (referral["urgency"], referral["to"]) == ("soon", "sports physician")


def test_a_big_spike_is_not_scored_down_by_strength_training(results):
    spike = results["Latest run 2.5x the longest of 30 days, strength-trains 3x a week, 28"]
    assert spike["risk"]["band"] == "moderate"
    assert "load.single_run_spike_extreme" in _fired(spike)


def test_a_72_year_old_at_his_age_norm_fires_no_strength_rule(results):
    older = results["Man of 72 with 16 heel raises a leg (his age norm is 14)"]
    assert not {rule for rule in _fired(older) if rule.startswith("strength.")}
    assert older["risk"]["band"] == "low"


def test_the_changelog_points_table_gives_every_rule_the_points_the_loader_computes():
    from screening import default_screener

    text = (ROOT / "rules" / "CHANGELOG.md").read_text(encoding="utf-8")
    newest = text.split("\n## ")[1]  # the newest version's entry: its own points table
    assert newest.startswith(default_screener().ruleset.version)
    table = {}
    for line in newest.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and cells[0].startswith("`") and cells[0].endswith("`"):
            table.setdefault(cells[0].strip("`"), cells[2])
    for rule in default_screener().ruleset.rules:
        points = str(rule.points) if rule.taper is None else f"{rule.points} -> {rule.taper.end_points}"
        assert table.get(rule.id) == points, f"{rule.id}: CHANGELOG says {table.get(rule.id)}"


def test_the_programme_column_says_each_runners_stage_the_weaker_legs_extra_set_or_that_it_is_withheld(results):
    split = results["Man of 38 with 18 and 30 heel raises (left well below his reference of 32)"]["programme"]
    assert (split["stage"]["number"], split["emphasis"]["leg"]) == (2, "left")
    assert (
        results["Woman of 45 with 10 and 11 heel raises (under half her reference of 24)"]["programme"]["stage"][
            "number"
        ]
        == 1
    )
    strain = results["Calf strain 9 weeks ago, otherwise healthy, 33"]["programme"]
    assert strain["stage"]["number"] == 3 and strain["return_to_run"]["weeks_since_strain"] == 9
    for name, result in results.items():
        if result["referral"]["urgency"] in ("soon", "urgent"):
            assert result["programme"]["status"] == "withheld", name
