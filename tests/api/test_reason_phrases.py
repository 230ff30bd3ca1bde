"""One reason phrase per status everywhere: RFC 9110's ("422 Unprocessable Content"), whichever face answers.

werkzeug writes "422 UNPROCESSABLE ENTITY" for a status it sets itself (the
FHIR OperationOutcome, the form), beside problem+json's "Unprocessable
Content": each error status the service makes is read here through the
in-process client and through a gunicorn server, whose own refusals too.
"""

import http.client
import json
import socket

import pytest

from api import create_app
from api.plumbing.problems import reason_phrase
from tests.support import launch
from tests.support.paths import ROOT

INTAKE = json.loads((ROOT / "examples" / "intake.json").read_text())
RESPONSE = json.loads((ROOT / "examples" / "questionnaire-response.json").read_text())
HOOK = json.loads((ROOT / "examples" / "cds-hook-request.json").read_text())


def invalid_intake() -> bytes:
    bad = json.loads(json.dumps(INTAKE))
    bad["runner"]["age"] = 7
    return json.dumps(bad).encode()


def invalid_response() -> bytes:
    bad = json.loads(json.dumps(RESPONSE))
    bad["item"][0]["item"][1]["answer"] = [{"valueInteger": 7}]  # runner.age, below the intake's minimum
    return json.dumps(bad).encode()


# (what, method, path, content type, body, status)
REQUESTS = [
    ("not JSON", "POST", "/v1/screenings", "application/json", b"{not json", 400),
    ("no such page", "GET", "/no-such-page", None, b"", 404),
    ("wrong method", "DELETE", "/health", None, b"", 405),
    ("too large", "POST", "/v1/screenings", "application/json", b" " * (70 * 1024), 413),
    ("wrong media type", "POST", "/v1/screenings", "text/plain", b"hello", 415),
    ("invalid intake", "POST", "/v1/screenings", "application/json", invalid_intake(), 422),
    (
        "invalid FHIR answers",
        "POST",
        "/fhir/QuestionnaireResponse/$screen",
        "application/fhir+json",
        invalid_response(),
        422,
    ),
    ("no such Questionnaire", "GET", "/fhir/Questionnaire/other", None, b"", 404),
    (
        "CDS call without a token",
        "POST",
        "/cds-services/soleus-screen",
        "application/json",
        json.dumps(HOOK).encode(),
        401,
    ),
]


def test_rfc_9110_names_413_and_422_as_the_service_says_them():
    assert reason_phrase(422) == "Unprocessable Content"
    assert reason_phrase(413) == "Content Too Large"
    assert reason_phrase(404) == "Not Found"


@pytest.fixture(scope="module")
def client():
    return create_app({"TESTING": True, "STORE": "off", "WTF_CSRF_ENABLED": False}).test_client()


@pytest.mark.parametrize("what, method, path, kind, body, status", REQUESTS, ids=[r[0] for r in REQUESTS])
def test_each_error_status_has_its_one_phrase_in_process(client, what, method, path, kind, body, status):
    answer = client.open(path, method=method, data=body, headers={"Content-Type": kind} if kind else {})
    assert answer.status_code == status
    assert answer.status == f"{status} {reason_phrase(status)}"
    if answer.mimetype == "application/problem+json":
        assert answer.get_json()["title"] == reason_phrase(status)


def test_the_form_and_a_412_have_the_same_phrases():
    client = create_app({"TESTING": True, "STORE": "off", "WTF_CSRF_ENABLED": False, "CDS_AUTH": "off"}).test_client()
    form = client.post("/screen", data={"runner.id": "club-1", "runner.age": "7"})
    assert form.status == "422 Unprocessable Content"
    hook = json.loads(json.dumps(HOOK))
    del hook["prefetch"]["intake"]
    cds = client.post("/cds-services/soleus-screen", json=hook)
    assert cds.status == f"412 {reason_phrase(412)}"


@pytest.fixture(scope="module")
def server():
    with launch.start(launch.serve_command("--workers", "1", "--threads", "2"), env={"SOLEUS_STORE": "off"}) as running:
        yield running


@pytest.mark.parametrize("what, method, path, kind, body, status", REQUESTS, ids=[r[0] for r in REQUESTS])
def test_each_error_status_has_its_one_phrase_through_gunicorn(server, what, method, path, kind, body, status):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.request(method, path, body=body or None, headers={"Content-Type": kind} if kind else {})
        answer = connection.getresponse()
        answer.read()
    finally:
        connection.close()
    assert (answer.status, answer.reason) == (status, reason_phrase(status))


@pytest.mark.parametrize(
    "raw, status",
    [
        (b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 9000 + b"\r\n\r\n", 431),
        (b"GET /" + b"a" * 8000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
        (b"POST /v1/screenings HTTP/1.1\r\nHost: x\r\nContent-Length: 12abc\r\n\r\n", 400),
    ],
)
def test_gunicorns_own_refusals_use_the_same_phrases(server, raw, status):
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(raw)
        head = b""
        while b"\r\n" not in head:
            chunk = sock.recv(4096)
            if not chunk:
                break
            head += chunk
    assert head.split(b"\r\n", 1)[0].decode() == f"HTTP/1.1 {status} {reason_phrase(status)}"
