"""Screening a QuestionnaireResponse: every clinical case gives the JSON API's result, as a valid RiskAssessment."""

import json
import subprocess
import sys

import pytest
from fhir.resources.R4B.careplan import CarePlan
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from fhir.resources.R4B.riskassessment import RiskAssessment

from screening import default_screener
from screening.interop import codes
from screening.interop.items import intake_items
from screening.interop.response import from_intake, to_intake
from tests.screening.ruleset.test_rules_cases import ALL_CASES, _base, _merge
from tests.support.paths import ROOT

SCREEN = "/fhir/QuestionnaireResponse/$screen"
FHIR_JSON = "application/fhir+json"
ITEMS = intake_items()
PATIENT = {"reference": "Patient/ehr-7781"}


def _response_for(intake: dict, **extra) -> dict:
    return {**from_intake(default_screener().validate(intake), ITEMS, subject=PATIENT), **extra}


def _post(client, resource, media=FHIR_JSON):
    return client.post(SCREEN, data=json.dumps(resource), content_type=media)


def _extensions(resource: dict, url: str) -> list[dict]:
    return [ext for ext in resource.get("extension", []) if ext["url"] == url]


def _referral(assessment: dict) -> dict:
    """The referral as the result states it, read back from the referral extension."""
    (referral,) = _extensions(assessment, codes.REFERRAL_EXTENSION)
    found: dict = {"urgency": None, "to": None, "reasons": []}
    for part in referral["extension"]:
        value = next(value for key, value in part.items() if key.startswith("value"))
        if part["url"] in ("reason", "destination"):
            found.setdefault(part["url"] + "s", []).append(value)
        else:
            found[part["url"]] = value
    return found


@pytest.mark.parametrize("case", ALL_CASES)
def test_every_case_screens_the_same_through_fhir_as_through_the_json_api(client, case):
    intake = _merge(_base(), case["input"])
    response = _response_for(intake, id="qr-1")
    QuestionnaireResponse.model_validate(response)
    read, errors = to_intake(response, ITEMS)
    assert errors == {}
    assert default_screener().validate(read) == default_screener().validate(intake)

    fhir = _post(client, response)
    assert fhir.status_code == 200, fhir.get_data(as_text=True)
    assert fhir.mimetype == FHIR_JSON
    assessment = fhir.get_json()
    RiskAssessment.model_validate(assessment)
    result = client.post("/v1/screenings", json=intake).get_json()

    # HL7 risk-probability has no "symptomatic": the coding is the score's band, the band extension the band.
    assert assessment["prediction"][0]["qualitativeRisk"]["coding"][0]["code"] == result["risk"]["score_band"]
    assert [ext["valueCode"] for ext in _extensions(assessment, codes.BAND_EXTENSION)] == [result["risk"]["band"]]
    if result["risk"]["band"] == "symptomatic":
        assert assessment["prediction"][0]["qualitativeRisk"]["text"].startswith("symptomatic: symptoms of a present")
    referral = dict(result["referral"])
    if "escalation" in referral:
        referral["escalation"] = referral["escalation"]["text"]
        assert assessment["note"][0]["text"] == referral["escalation"], "the escalation line is said first"
    assert _referral(assessment) == referral
    fired = [ext["valueString"] for ext in _extensions(assessment, codes.FIRED_RULE_EXTENSION)]
    assert fired == [entry["rule"] for entry in result["explanation"]]
    assert assessment["subject"] == PATIENT
    assert assessment["basis"] == [{"reference": "QuestionnaireResponse/qr-1"}]
    assert assessment["status"] == "final"
    assert assessment["method"]["coding"][0]["version"] == result["ruleset"]["version"]


def test_risk_assessment_explains_in_words_and_carries_the_recommendations(client, example_intake):
    assessment = _post(client, _response_for(example_intake)).get_json()
    result = default_screener().screen(example_intake)
    prediction = assessment["prediction"][0]
    for entry in result["explanation"]:
        assert entry["title"] in prediction["rationale"]
    for recommendation in result["recommendations"]:
        assert recommendation["text"] in assessment["mitigation"]
    assert result["disclaimer"] in [note["text"] for note in assessment["note"]]
    assert "basis" not in assessment  # the response had no id to refer to


def test_unanswered_heel_raises_mean_not_tested_and_the_strength_rules_are_not_assessed(client, example_intake):
    response = _response_for(example_intake)
    response["item"] = [item for item in response["item"] if item["linkId"] != "heel_raise"]
    intake, errors = to_intake(response, ITEMS)
    assert errors == {}
    assert intake["heel_raise"] == {"left": None, "right": None}
    notes = " ".join(note["text"] for note in _post(client, response).get_json()["note"])
    assert "Not assessed" in notes and "strength." in notes


def test_an_invalid_answer_is_a_422_naming_the_linkid_with_the_json_apis_message(client, example_intake):
    response = _response_for(example_intake)
    response["item"][0]["item"][1]["answer"] = [{"valueInteger": 11}]
    example_intake["runner"]["age"] = 11
    answer = _post(client, response)
    assert answer.status_code == 422
    outcome = answer.get_json()
    OperationOutcome.model_validate(outcome)
    expected = client.post("/v1/screenings", json=example_intake).get_json()["errors"]["runner.age"]
    assert outcome["issue"] == [
        {"severity": "error", "code": "value", "details": {"text": expected[0]}, "expression": ["runner.age"]}
    ]


def test_a_wrong_answer_in_a_repeating_item_names_the_item_and_the_answer(client, example_intake):
    response = _response_for(example_intake)
    weeks = response["item"][1]["item"][1]
    assert weeks["linkId"] == "training.weekly_distance"
    weeks["answer"][2] = {"valueString": "forty"}
    weeks["answer"][3] = {"valueDecimal": 900}
    issues = _post(client, response).get_json()["issue"]
    assert {issue["expression"][0] for issue in issues} == {"training.weekly_distance"}
    assert issues[0]["details"]["text"] == "Answer 3: Expected valueDecimal (a number), got valueString."
    assert len(issues) == 1  # the schema's view of the shortened list is not reported on top


def test_unknown_items_missing_required_items_and_wrong_codes_are_all_reported(client, example_intake):
    response = _response_for(example_intake)
    response["item"][0]["item"] = [item for item in response["item"][0]["item"] if item["linkId"] != "runner.age"]
    response["item"].append({"linkId": "runner.name", "answer": [{"valueString": "Jo"}]})
    response["item"][0]["item"][1]["answer"] = [{"valueCoding": {"code": "f"}}]
    answer = _post(client, response)
    assert answer.status_code == 422
    by_item = {issue["expression"][0]: issue for issue in answer.get_json()["issue"]}
    assert by_item["runner.name"]["code"] == "structure"
    assert by_item["runner.age"]["code"] == "required"
    assert "female, male, other" in by_item["runner.sex"]["details"]["text"]


def test_a_body_the_r4_model_refuses_is_a_400_naming_the_item(client, example_intake):
    response = _response_for(example_intake)
    response["item"][0]["item"][1]["answer"] = [{"valueInteger": "forty"}]
    answer = _post(client, response)
    assert answer.status_code == 400
    (issue,) = answer.get_json()["issue"]
    assert issue["expression"] == ["runner.age"]
    assert issue["details"]["text"].startswith("valueInteger:")


@pytest.mark.parametrize(
    ("body", "media", "status"),
    [
        ({"resourceType": "Patient"}, FHIR_JSON, 400),
        ("not json", FHIR_JSON, 400),
        ({"resourceType": "QuestionnaireResponse", "status": "completed"}, "text/plain", 415),
    ],
    ids=["another resource", "not JSON", "wrong media type"],
)
def test_what_is_not_a_questionnaire_response_is_an_operation_outcome(client, body, media, status):
    data = body if isinstance(body, str) else json.dumps(body)
    answer = client.post(SCREEN, data=data, content_type=media)
    assert answer.status_code == status
    assert answer.mimetype == FHIR_JSON
    OperationOutcome.model_validate(answer.get_json())


def test_a_response_to_another_questionnaire_is_refused(client, example_intake):
    answer = _post(client, _response_for(example_intake, questionnaire="http://example.org/Questionnaire/phq-9"))
    assert answer.status_code == 422
    assert answer.get_json()["issue"][0]["expression"] == ["QuestionnaireResponse.questionnaire"]


def test_cli_prints_a_risk_assessment(tmp_path, example_intake):
    path = tmp_path / "intake.json"
    path.write_text(json.dumps(example_intake))
    done = subprocess.run(
        [sys.executable, "-m", "api.commands", "screen", "--format", "fhir", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assessment = json.loads(done.stdout)
    RiskAssessment.model_validate(assessment)
    assert assessment["subject"]["identifier"] == {"system": codes.RUNNER_ID_SYSTEM, "value": "club-0042"}
    assert assessment["prediction"][0]["qualitativeRisk"]["coding"][0]["code"] == "high"


def test_readme_examples_are_the_example_intake_as_fhir(example_intake):
    examples = ROOT / "examples"
    response = json.loads((examples / "questionnaire-response.json").read_text())
    QuestionnaireResponse.model_validate(response)
    read, errors = to_intake(response, ITEMS)
    assert errors == {}
    # `authored` is when the visit happened: the intake's screened_at.
    with_time = {**example_intake, "screened_at": response["authored"]}
    assert default_screener().validate(read) == default_screener().validate(with_time)
    hook = json.loads((examples / "cds-hook-request.json").read_text())
    assert hook["prefetch"]["intake"]["entry"][0]["resource"] == response


@pytest.mark.parametrize("status", ["in-progress", "stopped", "entered-in-error"])
def test_an_unfinished_response_is_not_screened_lest_an_unanswered_red_flag_count_as_no(client, example_intake, status):
    answer = _post(client, _response_for(example_intake, status=status))
    assert answer.status_code == 422
    (issue,) = answer.get_json()["issue"]
    assert issue["expression"] == ["QuestionnaireResponse.status"]


def test_a_response_without_its_groups_reads_the_same_and_a_repeated_item_is_refused(example_intake):
    response = _response_for(example_intake)
    flat = {**response, "item": [leaf for group in response["item"] for leaf in group["item"]]}
    assert to_intake(flat, ITEMS) == to_intake(response, ITEMS)
    repeated = {**flat, "item": [*flat["item"], flat["item"][0]]}
    assert to_intake(repeated, ITEMS)[1] == {"runner.id": ["The item appears more than once."]}


def test_authored_is_when_the_visit_happened_and_a_date_without_a_time_is_refused_naming_it(client, example_intake):
    response = _response_for(example_intake, authored="2026-11-30T10:00:00+01:00")
    assessment = _post(client, response).get_json()
    assert assessment["occurrenceDateTime"] == "2026-11-30T09:00:00Z"
    answer = _post(client, _response_for(example_intake, authored="2026-11-30"))
    assert answer.status_code == 422
    (issue,) = answer.get_json()["issue"]
    assert issue["expression"] == ["QuestionnaireResponse.authored"]
    assert "RFC 3339" in issue["details"]["text"]
    future = _post(client, _response_for(example_intake, authored="2099-01-01T00:00:00Z"))
    assert future.status_code == 422
    assert future.get_json()["issue"][0]["expression"] == ["QuestionnaireResponse.authored"]


def test_a_fhir_questionnaire_response_round_trips_its_visit_time(example_intake):
    intake = default_screener().validate({**example_intake, "screened_at": "2026-11-30T09:00:00Z"})
    response = from_intake(intake, ITEMS)
    assert response["authored"] == "2026-11-30T09:00:00Z"
    assert to_intake(response, ITEMS)[0]["screened_at"] == "2026-11-30T09:00:00Z"


def _care_plan(assessment: dict) -> dict:
    """The CarePlan the RiskAssessment's programme extension references, from its contained resources."""
    (reference,) = _extensions(assessment, codes.PROGRAMME_EXTENSION)
    (plan,) = [r for r in assessment["contained"] if f"#{r['id']}" == reference["valueReference"]["reference"]]
    return plan


def test_the_programme_is_a_care_plan_referenced_from_the_risk_assessment(client, example_intake):
    assessment = _post(client, _response_for(example_intake)).get_json()
    RiskAssessment.model_validate(assessment)
    plan = _care_plan(assessment)
    CarePlan.model_validate(plan)
    programme = default_screener().screen(example_intake)["programme"]
    assert (plan["status"], plan["intent"], plan["subject"]) == ("active", "proposal", PATIENT)
    assert plan["title"] == f"Soleus programme: stage {programme['stage']['number']} ({programme['stage']['title']})"
    assert plan["description"] == programme["reason"]
    assert len(plan["activity"]) == len(programme["exercises"])
    for activity, row in zip(plan["activity"], programme["exercises"], strict=True):
        assert activity["detail"]["description"].startswith(f"{row['title']}: {row['sets']} x {row['reps']}")
        assert row["how"] in activity["detail"]["description"]


def test_a_withheld_programme_is_a_care_plan_on_hold_with_no_activity(client, example_intake):
    example_intake["red_flags"]["calf_swelling"] = True
    assessment = _post(client, _response_for(example_intake)).get_json()
    plan = _care_plan(assessment)
    CarePlan.model_validate(plan)
    assert plan["status"] == "on-hold" and "activity" not in plan
    assert plan["description"].startswith("No calf programme yet: a clinician should see you first")
