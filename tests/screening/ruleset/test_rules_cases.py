"""Run the rule cases written as data in tests/cases/*.yaml.

Each case changes a healthy base runner (cases/base.yaml, on whom no rule
fires) and says which rules must fire, which must not, which must be reported
as not assessed, and any result values (dotted paths) it expects. A case is
reported by its file and its sentence.

`earlier` gives the runner's earlier stored screenings as tests/support/histories.py
reads them; `earlier: null` screens with no store at all. Without the key the
runner has histories.WIDE_BASELINE, so every history rule is assessed and none
fires on the base runner. `facts` gives the facts on record (days before this
screening): `previous_dvt_since_days_ago`, `calf_strain_on_days_ago` and
`recorded_days_ago`.
"""

import copy
from datetime import timedelta

import pytest
import yaml

from screening import default_screener
from screening.over_time.series import Facts
from tests.support.histories import NOW, NOW_TEXT, WIDE_BASELINE, history_of
from tests.support.paths import TESTS

CASES = TESTS / "cases"
CASE_KEYS = {
    "name",
    "input",
    "earlier",
    "facts",
    "fires",
    "does_not_fire",
    "not_assessed",
    "not_assessed_excludes",
    "expect",
}


def _merge(base: dict, change: dict) -> dict:
    merged = copy.deepcopy(base)
    for key, value in change.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _base() -> dict:
    return yaml.safe_load((CASES / "base.yaml").read_text(encoding="utf-8"))


def _cases():
    for path in sorted(CASES.glob("*.yaml")):
        if path.name == "base.yaml":
            continue
        for case in yaml.safe_load(path.read_text(encoding="utf-8")):
            yield pytest.param(case, id=f"{path.stem}: {case['name']}")


ALL_CASES = list(_cases())


def _lookup(result, path: str):
    value = result
    for part in path.split("."):
        value = value[int(part)] if isinstance(value, list) else value[part]
    return value


def _facts(described: dict | None) -> Facts | None:
    if described is None:
        return None

    def ago(key: str):
        days = described.get(key)
        return None if days is None else NOW - timedelta(days=days)

    return Facts(ago("previous_dvt_since_days_ago"), ago("calf_strain_on_days_ago"), ago("recorded_days_ago"))


def _screen(change: dict, earlier: list[dict] | None = WIDE_BASELINE, facts: dict | None = None) -> dict:
    history = history_of(earlier, _facts(facts))
    return default_screener().screen(_merge(_base(), change), history=history, screened_at=NOW_TEXT)


def test_base_runner_fires_no_rule_and_misses_no_data():
    result = _screen({})
    assert result["explanation"] == []
    assert result["not_assessed"] == []
    assert (result["risk"]["score"], result["risk"]["band"], result["risk"]["relative_risk"]["value"]) == (0, "low", 1)


@pytest.mark.parametrize("case", ALL_CASES)
def test_rule_case(case):
    assert set(case) <= CASE_KEYS, f"unknown keys {set(case) - CASE_KEYS}"
    result = _screen(case["input"], case.get("earlier", WIDE_BASELINE), case.get("facts"))
    fired = {entry["rule"] for entry in result["explanation"]}
    missing = set(case.get("fires", [])) - fired
    assert not missing, f"expected to fire: {sorted(missing)}; fired: {sorted(fired)}"
    unexpected = set(case.get("does_not_fire", [])) & fired
    assert not unexpected, f"fired but should not: {sorted(unexpected)}"
    not_reported = set(case.get("not_assessed", [])) - set(result["not_assessed"])
    assert not not_reported, f"not reported as not assessed: {sorted(not_reported)}"
    wrongly = set(case.get("not_assessed_excludes", [])) & set(result["not_assessed"])
    assert not wrongly, f"reported as not assessed but the data was not missing: {sorted(wrongly)}"
    for path, expected in (case.get("expect") or {}).items():
        assert _lookup(result, path) == expected, f"{path}: {_lookup(result, path)!r} != {expected!r}"


def test_every_rule_has_a_case_where_it_fires_and_one_where_it_does_not():
    fires, does_not = set(), set()
    for param in ALL_CASES:
        case = param.values[0]
        fires.update(case.get("fires", []))
        does_not.update(case.get("does_not_fire", []))
    rule_ids = {rule.id for rule in default_screener().ruleset.rules}
    assert rule_ids - fires == set(), "rules with no case where they fire"
    assert rule_ids - does_not == set(), "rules with no case where they just do not fire"
    assert (fires | does_not) <= rule_ids, "cases name rules that do not exist"


def _red_flags(kind: str) -> list[str]:
    inputs = default_screener().ruleset.inputs
    return [
        name.split(".", 1)[1] for name, spec in inputs.items() if name.startswith("red_flags.") and spec.kind == kind
    ]


def test_every_red_flag_sign_alone_refers_urgently_on_an_otherwise_healthy_runner():
    flags = _red_flags("sign")
    assert len(flags) == 6
    for flag in flags:
        result = _screen({"red_flags": {flag: True}})
        assert result["referral"]["urgency"] == "urgent", flag
        assert result["referral"]["to"] == "physician", flag
        assert f"red_flags.{flag}" in result["referral"]["reasons"], flag
        assert result["recommendations"][0]["id"] == "rec.urgent_medical", flag


def test_every_dvt_risk_factor_alone_gives_advice_and_never_an_urgent_referral():
    factors = _red_flags("risk_factor")
    assert len(factors) == 4
    for factor in factors:
        result = _screen({"red_flags": {factor: True}})
        assert result["referral"]["urgency"] != "urgent", factor
        assert "rec.dvt_safety_net" in [rec["id"] for rec in result["recommendations"]], factor


CALF_SYMPTOMS = [
    {"wellness": {"soreness": 1, "soreness_days": 1}},
    {"wellness": {"pain_while_running": 1}},
    {"wellness": {"exertional_pain_settles_with_rest": True}},
    {"ostrc_o2": {"pain": 1}},
    {"ostrc_o2": {"participation": 1}},
]


@pytest.mark.parametrize("symptom", CALF_SYMPTOMS, ids=lambda change: str(change))
def test_every_dvt_risk_factor_with_any_calf_symptom_refers_urgently_with_the_escalation_line(symptom):
    for factor in _red_flags("risk_factor"):
        result = _screen(_merge({"red_flags": {factor: True}}, symptom))
        assert result["referral"]["urgency"] == "urgent", (factor, symptom)
        assert result["referral"]["to"] == "physician", (factor, symptom)
        assert "call the emergency number now" in result["referral"]["escalation"]["text"], factor
        titles = " ".join(entry["title"] for entry in result["explanation"])
        assert "no calf symptom" not in titles, (factor, titles)


def test_a_healthy_runner_is_told_to_carry_on_and_when_to_screen_again():
    result = _screen({})
    assert [rec["id"] for rec in result["recommendations"]] == ["rec.carry_on"]
    assert "screen again" in result["recommendations"][0]["text"]
