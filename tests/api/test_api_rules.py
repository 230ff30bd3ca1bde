"""GET /v1/rules and /v1/rules/<id>: the loaded ruleset, as a clinician checks a result against it."""

import shutil

import pytest
import yaml

from api import create_app
from rules import RULES_DIR
from screening import default_screener

RULESET = default_screener().ruleset


def test_rules_list_every_loaded_rule_in_ruleset_order(client):
    body = client.get("/v1/rules").get_json()
    assert body["ruleset"] == {"name": RULESET.name, "version": RULESET.version}
    assert [rule["id"] for rule in body["rules"]] == [rule.id for rule in RULESET.rules]


def test_rules_show_what_a_clinician_checks(client):
    body = client.get("/v1/rules").get_json()
    for shown, rule in zip(body["rules"], RULESET.rules, strict=False):
        assert shown["points"] == rule.points
        assert shown["referral"] == rule.referral
        assert [e["citation"] for e in shown["evidence"]] == [e.citation for e in rule.evidence]
        assert [i["name"] for i in shown["inputs"]] == list(rule.inputs)
        for name, threshold in shown["thresholds"].items():
            parameter = RULESET.parameters[name]
            assert (threshold["value"], threshold["unit"]) == (parameter.value, parameter.unit)
            assert threshold["reference"] or threshold["basis"] == "design choice"


def test_rules_say_each_condition_as_a_result_explains_it(client, example_intake):
    conditions = {rule["id"]: rule["condition"] for rule in client.get("/v1/rules").get_json()["rules"]}
    result = client.post("/v1/screenings", json=example_intake).get_json()
    assert result["explanation"], "the example should fire rules"
    for entry in result["explanation"]:
        assert entry["condition"] == conditions[entry["rule"]]


def test_rules_every_result_reason_can_be_looked_up(client, example_intake):
    result = client.post("/v1/screenings", json=example_intake).get_json()
    for rule_id in result["referral"]["reasons"] + result["not_assessed"]:
        response = client.get(f"/v1/rules/{rule_id}")
        assert response.status_code == 200
        assert response.get_json()["id"] == rule_id


@pytest.mark.parametrize("rule", RULESET.rules, ids=lambda rule: rule.id)
def test_rule_by_id_names_its_ruleset(client, rule):
    body = client.get(f"/v1/rules/{rule.id}").get_json()
    assert body["id"] == rule.id
    assert body["ruleset"]["version"] == RULESET.version


@pytest.mark.parametrize("rule_id", ["load.nonexistent", "LOAD.SINGLE_RUN_SPIKE", "load"])
def test_rule_unknown_id_is_404_problem(client, rule_id):
    response = client.get(f"/v1/rules/{rule_id}")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert "GET /v1/rules" in response.get_json()["detail"]


def test_rules_come_from_the_rule_files_not_from_code(tmp_path):
    folder = tmp_path / "rules"
    shutil.copytree(RULES_DIR, folder)
    path = folder / "parameters" / "load.yaml"
    data = yaml.safe_load(path.read_text())
    name, entry = next(iter(data.items()))
    entry["value"] = entry["value"] + 0.25 if isinstance(entry["value"], float) else entry["value"] + 3
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    client = create_app({"TESTING": True, "RULES_DIR": folder}).test_client()
    shown = {
        threshold_name: threshold
        for rule in client.get("/v1/rules").get_json()["rules"]
        for threshold_name, threshold in rule["thresholds"].items()
    }
    assert shown[f"load.{name}"]["value"] == entry["value"]
