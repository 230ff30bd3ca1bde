"""POST /v1/screenings through Flask's test client: JSON and form intakes, and every error status."""

import copy
import json

import pytest

from api import create_app
from screening import default_screener
from screening.result.schema import ResultSchema
from tests.support.intakes import as_form
from tests.support.paths import ROOT

EXAMPLE = json.loads((ROOT / "examples" / "intake.json").read_text())
# The same intake as an HTML form posts it: dotted names, text values.
EXAMPLE_FORM = as_form(EXAMPLE)
VOLATILE = ("screening_id", "screened_at", "history")  # history: what changed since the previous POST


def stable(result: dict) -> dict:
    return {key: value for key, value in result.items() if key not in VOLATILE}


def changed(path: str, value) -> dict:
    intake = copy.deepcopy(EXAMPLE)
    *parents, last = path.split(".")
    target = intake
    for key in parents:
        target = target[int(key)] if isinstance(target, list) else target[key]
    if isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value
    return intake


def test_screen_json_intake_returns_the_cores_result(client):
    response = client.post("/v1/screenings", json=EXAMPLE)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    result = response.get_json()
    assert ResultSchema().validate(result) == {}
    assert result.pop("stored") is True  # the service keeps history by default; the core knows nothing of it
    assert set(result.pop("history")) == {
        "previous",
        "score_change",
        "band_change",
        "newly_fired",
        "cleared",
        "baselines",
        "soreness_span_days",
        "on_record",
    }
    assert set(result["programme"].pop("history")) == {"earlier", "change"}  # the programme across visits
    assert stable(result) == stable(json.loads(json.dumps(default_screener().screen(EXAMPLE))))


def test_screen_result_is_marked_not_for_shared_caches(client):
    assert client.post("/v1/screenings", json=EXAMPLE).headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "multipart/form-data", "text/plain"])
def test_screen_refuses_a_body_an_html_form_on_another_site_could_send(client, content_type):
    """A cross-site form can post these without a preflight: 415 before anything is read, nothing stored."""
    from api.operations.store_binding import store

    if content_type == "multipart/form-data":
        response = client.post("/v1/screenings", data=EXAMPLE_FORM, content_type=content_type)
    else:
        response = client.post("/v1/screenings", data="x=1", content_type=content_type)
    assert response.status_code == 415
    assert response.headers["Accept-Post"] == "application/json"
    assert content_type in response.get_json()["detail"]
    with client.application.app_context():
        assert store().count() == 0


@pytest.mark.parametrize(
    "path, value, field",
    [
        ("training.weekly_distance.3", "55", "training.weekly_distance.3"),
        ("runner.age", True, "runner.age"),
        ("heel_raise.left", 7.5, "heel_raise.left"),
        ("runner.name", "Jane Doe", "runner.name"),
        ("runner.id", "Jane Doe", "runner.id"),
        ("training.unit", "furlongs", "training.unit"),
        # An integer too large for a float is still just a distance past 400 km, not a server error.
        ("training.weekly_distance.0", 10**400, "training.weekly_distance.0"),
    ],
)
def test_screen_invalid_intake_is_422_naming_the_field_by_path(client, path, value, field):
    response = client.post("/v1/screenings", json=changed(path, value))
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert list(response.get_json()["errors"]) == [field]


def test_screen_reports_every_invalid_field_at_once(client):
    intake = changed("runner.age", "44")
    intake["wellness"].pop("fatigue")
    errors = client.post("/v1/screenings", json=intake).get_json()["errors"]
    assert set(errors) == {"runner.age", "wellness.fatigue"}
    assert errors["runner.age"] == ["Expected a number, got a string."]


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"", b"   ", b"[" * 60_000, b'{"runner": "\xff"}'],
    ids=["syntax", "empty", "blank", "nested-too-deeply", "not-utf8"],
)
def test_screen_malformed_json_is_400_not_422(client, body):
    response = client.post("/v1/screenings", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["title"] == "Bad Request"


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", "text/csv", None])
def test_screen_other_media_type_is_415_saying_what_it_takes(client, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    response = client.post("/v1/screenings", data=json.dumps(EXAMPLE), headers=headers)
    assert response.status_code == 415
    assert response.headers["Accept-Post"] == "application/json"


def test_screen_json_with_charset_parameter_is_json(client):
    response = client.post("/v1/screenings", data=json.dumps(EXAMPLE), content_type="application/json; charset=utf-8")
    assert response.status_code == 200


def test_screen_body_past_max_content_length_is_413():
    body = json.dumps(EXAMPLE)
    client = create_app({"TESTING": True, "MAX_CONTENT_LENGTH": len(body) - 1}).test_client()
    response = client.post("/v1/screenings", data=body, content_type="application/json")
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"


def test_screen_default_body_limit_takes_a_full_roster_but_not_unbounded_bodies(app):
    # 10,000 intakes of about 700 bytes must fit; an unbounded body must not.
    assert 10_000 * len(json.dumps(EXAMPLE)) < app.config["MAX_CONTENT_LENGTH"] <= 64 * 1024 * 1024
