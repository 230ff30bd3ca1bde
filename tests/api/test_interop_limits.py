"""FHIR $screen and the CDS Hooks service refuse early: body size, then item and answer counts on the raw JSON."""

import http.client
import json
import time

import pytest

from api import create_app
from screening.interop import bounds
from tests.support import launch
from tests.support.paths import ROOT

RESPONSE = json.loads((ROOT / "examples" / "questionnaire-response.json").read_text())
HOOK = json.loads((ROOT / "examples" / "cds-hook-request.json").read_text())
SCREEN = "/fhir/QuestionnaireResponse/$screen"
FHIR_JSON = "application/fhir+json"


def with_weekly_answers(count: int) -> dict:
    response = json.loads(json.dumps(RESPONSE))
    for group in response["item"]:
        for item in group.get("item", []):
            if item["linkId"] == "training.weekly_distance":
                item["answer"] = [{"valueDecimal": 30}] * count
    return response


def in_hook(response: dict) -> dict:
    hook = json.loads(json.dumps(HOOK))
    hook["prefetch"]["intake"] = {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": response}]}
    return hook


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    app = create_app({"TESTING": True, "STORE": "off", "CDS_AUTH": "off"})
    return app.test_client()


def test_a_response_with_more_answers_than_an_item_takes_is_422_before_any_model_is_built(client, monkeypatch):
    import api.clinic_systems.fhir

    def no_model(payload):
        raise AssertionError("the R4B model was built")

    monkeypatch.setattr(api.clinic_systems.fhir, "model_errors", no_model)
    answer = client.post(SCREEN, json=with_weekly_answers(5000), headers={"Content-Type": FHIR_JSON})
    assert answer.status_code == 422
    issue = answer.get_json()["issue"][0]
    assert issue["expression"] == ["training.weekly_distance"]
    assert "5,000 answers: the item takes at most 12" in issue["details"]["text"]


def test_a_response_with_many_more_items_than_the_questionnaire_is_422(client):
    response = json.loads(json.dumps(RESPONSE))
    response["item"] = response["item"] + [{"linkId": "runner.age", "answer": [{"valueInteger": 40}]}] * 200
    answer = client.post(SCREEN, json=response, headers={"Content-Type": FHIR_JSON})
    assert answer.status_code == 422
    assert "items: Questionnaire soleus-intake has" in answer.get_json()["issue"][0]["details"]["text"]


def test_a_response_within_the_counts_is_still_screened(client):
    answer = client.post(SCREEN, json=with_weekly_answers(12), headers={"Content-Type": FHIR_JSON})
    assert answer.status_code == 200
    assert answer.get_json()["resourceType"] == "RiskAssessment"


def test_a_fhir_body_past_its_limit_is_413_as_an_operation_outcome(client):
    body = json.dumps(with_weekly_answers(20_000)).encode()
    assert len(body) > 256 * 1024
    answer = client.post(SCREEN, data=body, headers={"Content-Type": FHIR_JSON})
    assert answer.status_code == 413
    assert answer.get_json()["issue"][0]["code"] == "too-costly"
    assert "FHIR_MAX_CONTENT_LENGTH" in answer.get_json()["issue"][0]["details"]["text"]


def test_a_cds_call_past_its_limit_is_413(client):
    answer = client.post("/cds-services/soleus-screen", json=in_hook(with_weekly_answers(80_000)))
    assert answer.status_code == 413
    assert "CDS_MAX_CONTENT_LENGTH" in answer.get_json()["detail"]


def test_a_cds_prefetch_with_too_many_answers_gets_the_unreadable_card_naming_the_item(client):
    answer = client.post("/cds-services/soleus-screen", json=in_hook(with_weekly_answers(5000)))
    assert answer.status_code == 200
    (card,) = answer.get_json()["cards"]
    assert card["summary"] == "Soleus intake could not be screened: training.weekly_distance"
    assert "5,000 answers: the item takes at most 12." in card["detail"]


def test_counting_stops_early_on_a_huge_item_list():
    specs = {"a": None}  # only its size is read before the count is past
    response = {"item": [{"linkId": "x"}] * 1_000_000}
    started = time.perf_counter()
    errors = bounds.count_errors(response, specs)  # type: ignore[arg-type]
    assert list(errors) == ["QuestionnaireResponse.item"]
    assert time.perf_counter() - started < 0.05


def test_a_16_mb_questionnaire_response_to_the_real_server_is_refused_at_once(tmp_path):
    body = json.dumps(with_weekly_answers(820_000), separators=(",", ":")).encode()
    assert 16_000_000 < len(body) < 16 * 1024 * 1024
    with launch.start(launch.serve_command("--workers", "1", "--threads", "2"), env={"SOLEUS_STORE": "off"}) as server:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        started = time.monotonic()
        try:
            try:
                connection.request("POST", SCREEN, body=body, headers={"Content-Type": FHIR_JSON})
            except (BrokenPipeError, ConnectionResetError):
                pass  # answered before the whole body was sent: the answer is still there to read
            answer = connection.getresponse()
            answer.read()
        finally:
            connection.close()
        seconds = time.monotonic() - started
    assert answer.status in (413, 422)
    assert seconds < 5  # 18 s before the limits; the benchmark measures it (scripts/bench_huge_body.py)
