"""One error shape (RFC 9457 problem+json) for every failure; request ids; one log line per request."""

import json
import logging
import re

import pytest

from api import create_app
from api.operations.screener_binding import KEY

PROBLEM_KEYS = {"type", "title", "status", "detail", "request_id"}


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert PROBLEM_KEYS <= set(body)
    assert body["status"] == status
    assert body["request_id"] == response.headers["X-Request-ID"]
    return body


@pytest.mark.parametrize(
    "method, path, status",
    [
        ("GET", "/v2/screenings", 404),
        ("GET", "/nothing/here", 404),
        ("GET", "/v1/screenings", 405),
        ("PUT", "/v1/rules", 405),
        ("POST", "/v1/screenings", 415),
        ("POST", "/v1/screenings/batch", 415),
    ],
)
def test_every_error_is_a_problem_with_the_http_status(client, method, path, status):
    assert_problem(client.open(path, method=method), status)


@pytest.mark.parametrize(
    "method, path, allowed",
    [
        ("GET", "/v1/screenings", {"POST", "OPTIONS"}),
        ("DELETE", "/v1/screenings/batch", {"POST", "OPTIONS"}),
        ("POST", "/v1/rules", {"GET", "HEAD", "OPTIONS"}),
    ],
)
def test_wrong_method_is_405_with_allow(client, method, path, allowed):
    response = client.open(path, method=method)
    assert_problem(response, 405)
    assert {name.strip() for name in response.headers["Allow"].split(",")} == allowed


def test_server_error_is_500_without_internals(monkeypatch, caplog, example_intake):
    app = create_app()  # not TESTING: exceptions are handled as in production

    def broken(intake, **kwargs):
        raise RuntimeError("secret detail from /srv/internal/path")

    monkeypatch.setattr(app.extensions[KEY], "screen_valid", broken)
    with caplog.at_level(logging.ERROR):
        response = app.test_client().post("/v1/screenings", json=example_intake)
    body = assert_problem(response, 500)
    assert "secret" not in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)
    assert body["title"] == "Internal Server Error"
    # The cause is in the log, for whoever runs the service.
    assert any("secret detail" in (record.exc_text or "") for record in caplog.records)


@pytest.mark.parametrize(
    "sent, echoed",
    [
        ("clinic-42.trace_7", True),
        ("a" * 64, True),
        ("a" * 65, False),
        ("has spaces", False),
        ("<script>", False),
        ("", False),
    ],
)
def test_request_id_is_echoed_only_when_sane(client, sent, echoed):
    response = client.get("/health", headers={"X-Request-ID": sent})
    if echoed:
        assert response.headers["X-Request-ID"] == sent
    else:
        assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])


def test_request_id_is_new_for_each_request_without_one(client):
    ids = {client.get("/health").headers["X-Request-ID"] for _ in range(5)}
    assert len(ids) == 5


def test_request_id_is_on_error_responses_too(client):
    response = client.post("/v1/screenings", json={}, headers={"X-Request-ID": "trace-1"})
    assert assert_problem(response, 422)["request_id"] == "trace-1"


def test_each_request_logs_one_json_line_with_its_facts(client, caplog, example_intake):
    with caplog.at_level(logging.INFO, logger="soleus.requests"):
        client.post("/v1/screenings", json=example_intake, headers={"X-Request-ID": "trace-2"})
    lines = [json.loads(record.getMessage()) for record in caplog.records if record.name == "soleus.requests"]
    assert len(lines) == 1
    line = lines[0]
    assert (line["method"], line["path"], line["status"], line["request_id"]) == (
        "POST",
        "/v1/screenings",
        200,
        "trace-2",
    )
    assert line["duration_ms"] >= 0


@pytest.mark.parametrize(
    "send",
    [
        lambda client, intake: client.post("/v1/screenings", json=intake),
        lambda client, intake: client.post("/v1/screenings", json={**intake, "runner": {**intake["runner"], "age": 7}}),
        lambda client, intake: client.post("/v1/screenings/batch", json=[intake]),
        lambda client, intake: client.post(f"/v1/screenings?runner={intake['runner']['id']}", json=intake),
    ],
    ids=["screened", "invalid", "batch", "query-string"],
)
def test_logs_never_contain_intake_values(client, caplog, send, example_intake):
    intake = {
        **example_intake,
        "runner": {**example_intake["runner"], "id": "pseudonym-zq81x"},
        "training": {**example_intake["training"], "weekly_distance": [31.4159, 27.1828]},
    }
    with caplog.at_level(logging.DEBUG):
        send(client, intake)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert caplog.records, "expected the request line"
    assert "pseudonym-zq81x" not in logged
    assert "31.4159" not in logged and "27.1828" not in logged
