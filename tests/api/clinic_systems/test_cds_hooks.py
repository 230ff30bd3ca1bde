"""A simulated EHR calls the CDS Hooks service on a real gunicorn, signing each call with keys made here.

Cards and discovery are checked against a JSON Schema written from the CDS
Hooks 2.0 specification (tests/schemas/cds-hooks-2.0.schema.json), not
against anything the service itself defines.
"""

import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jsonschema
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from fhir.resources.R4B.servicerequest import ServiceRequest

from api import create_app
from screening import default_screener
from screening.interop import codes
from screening.interop.items import intake_items
from screening.interop.response import from_intake
from tests.screening.ruleset.test_rules_cases import ALL_CASES, _base, _merge
from tests.support import launch
from tests.support.json_server import send_json
from tests.support.paths import TESTS

ISSUER = "https://ehr.example.test"
SERVICE = "/cds-services/soleus-screen"
SCHEMA = json.loads((TESTS / "schemas" / "cds-hooks-2.0.schema.json").read_text())
ITEMS = intake_items()


def _validator(definition: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(
        {"$ref": f"#/$defs/{definition}", "$defs": SCHEMA["$defs"]}, format_checker=jsonschema.FormatChecker()
    )


class Ehr:
    """The client side: its key pairs (ES384 and RS384), its JWK Set, and signed calls."""

    def __init__(self):
        self.keys = {
            "ec-1": ("ES384", ec.generate_private_key(ec.SECP384R1())),
            "rsa-1": ("RS384", rsa.generate_private_key(public_exponent=65537, key_size=2048)),
        }
        self.stranger = ec.generate_private_key(ec.SECP384R1())

    def jwks(self) -> dict:
        keys = []
        for kid, (alg, key) in self.keys.items():
            algorithm = jwt.get_algorithm_by_name(alg)
            public = algorithm.to_jwk(key.public_key(), as_dict=True)
            keys.append({**public, "kid": kid, "alg": alg, "use": "sig"})
        return {"keys": keys}

    def token(self, audience: str, kid: str = "ec-1", key=None, headers: dict | None = None, **claims) -> str:
        alg, own = self.keys[kid]
        now = int(time.time())
        payload = {"iss": ISSUER, "aud": audience, "iat": now, "exp": now + 300, "jti": str(uuid.uuid4()), **claims}
        payload = {name: value for name, value in payload.items() if value is not None}
        return jwt.encode(payload, key or own, algorithm=alg, headers={"kid": kid, **(headers or {})})


def _call(url: str, body=None, token: str | None = None, method: str | None = None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method or ("POST" if data else "GET"))
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@pytest.fixture(scope="module")
def ehr() -> Ehr:
    return Ehr()


@pytest.fixture(scope="module")
def server(ehr, tmp_path_factory):
    jwks = tmp_path_factory.mktemp("ehr") / "jwks.json"
    jwks.write_text(json.dumps(ehr.jwks()))
    # Testing: the audience from the request (the port is chosen at start), the loopback FHIR server over http.
    command = launch.serve_command("--workers", "1", "--threads", "4")
    env = {
        "SOLEUS_CDS_CLIENTS": json.dumps({ISSUER: str(jwks)}),
        "SOLEUS_CDS_TESTING": "on",
        "SOLEUS_CDS_FHIR_SERVERS": '["127.0.0.1"]',
    }
    with launch.start(command, env=env) as running:
        yield running


def _hook(screened: dict | None, patient: str = "ehr-7781", **prefetch) -> dict:
    """A patient-view call; `screened` is the intake prefetched as a searchset Bundle (None: no such key)."""
    body = {
        "hook": "patient-view",
        "hookInstance": str(uuid.uuid4()),
        "context": {"userId": "Practitioner/dr-1", "patientId": patient},
        "prefetch": {"patient": {"resourceType": "Patient", "id": patient}, **prefetch},
    }
    if screened is not None:
        response = from_intake(default_screener().validate(screened), ITEMS, {"reference": f"Patient/{patient}"})
        body["prefetch"]["intake"] = {
            "resourceType": "Bundle",
            "type": "searchset",
            "entry": [{"resource": {**response, "id": "qr-1", "authored": "2026-11-30T09:00:00Z"}}],
        }
    return body


def _signed(server, ehr, body, path=SERVICE, **token):
    return _call(server.url + path, body, ehr.token(server.url + path, **token))


def _expected_indicator(result: dict) -> str:
    urgency = result["referral"]["urgency"]
    if urgency == "urgent":
        return "critical"
    return "warning" if result["risk"]["band"] in ("high", "symptomatic") or urgency == "soon" else "info"


def test_discovery_offers_soleus_screen_on_patient_view_with_its_prefetch(server):
    status, headers, body = _call(server.url + "/cds-services")
    assert status == 200
    discovery = json.loads(body)
    _validator("discovery").validate(discovery)
    (service,) = discovery["services"]
    assert (service["id"], service["hook"]) == ("soleus-screen", "patient-view")
    assert service["prefetch"]["patient"] == "Patient/{{context.patientId}}"
    intake = service["prefetch"]["intake"]
    assert intake.startswith("QuestionnaireResponse?patient={{context.patientId}}")
    assert f"questionnaire={codes.QUESTIONNAIRE_URL}" in intake and "_sort=-authored" in intake


def test_a_red_flag_runner_gets_a_critical_card_with_a_referral_to_create(server, ehr):
    intake = _merge(_base(), {"red_flags": {"calf_swelling": True}})
    status, _, body = _signed(server, ehr, _hook(intake))
    assert status == 200, body
    answer = json.loads(body)
    _validator("response").validate(answer)
    (card,) = answer["cards"]
    assert card["indicator"] == "critical"
    assert len(card["summary"]) < 140 and "URGENT" in card["summary"]
    assert card["source"]["url"] == server.url + "/v1/rules"
    (programme,) = [line for line in card["detail"].splitlines() if line.startswith("**Programme**")]
    assert programme.startswith("**Programme**: Soleus programme withheld: No calf programme yet")
    (suggestion,) = card["suggestions"]
    (action,) = suggestion["actions"]
    referral = ServiceRequest.model_validate(action["resource"])
    assert (referral.intent, referral.priority, referral.subject.reference) == ("proposal", "asap", "Patient/ehr-7781")

    (link,) = card["links"]
    status, headers, page = _call(link["url"])
    assert status == 200 and headers.get_content_type() == "text/html"
    assert "case-runner" in page.decode() and "red_flags.calf_swelling" in page.decode()


@pytest.mark.parametrize("case", ALL_CASES)
def test_every_case_gets_one_card_whose_indicator_follows_band_and_referral(server, ehr, case):
    intake = _merge(_base(), case["input"])
    status, _, body = _signed(server, ehr, _hook(intake))
    assert status == 200, body
    answer = json.loads(body)
    _validator("response").validate(answer)
    (card,) = answer["cards"]
    result = default_screener().screen(intake)
    assert card["indicator"] == _expected_indicator(result)
    assert ("suggestions" in card) == result["referral"]["required"]
    assert result["risk"]["band"] in card["summary"]
    (programme,) = [line for line in card["detail"].splitlines() if line.startswith("**Programme**")]
    stage = result["programme"]["stage"]
    assert (f"stage {stage['number']} ({stage['title']})" if stage else "withheld") in programme


def test_rs384_tokens_are_accepted_too(server, ehr):
    status, _, _ = _signed(server, ehr, _hook(_base()), kid="rsa-1")
    assert status == 200


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"key": "stranger"}, "does not verify"),
        ({"aud": "https://elsewhere.example.test/cds-services/soleus-screen"}, "aud is not this endpoint"),
        ({"exp": int(time.time()) - 3600, "iat": int(time.time()) - 3900}, "expired"),
        ({"iss": "https://unknown-ehr.example.test"}, "issuer (iss) is not a trusted"),
        ({"jti": None}, "no jti claim"),
        ({"headers": {"kid": "no-such-key"}}, "No key 'no-such-key'"),
        ({"headers": {"jku": "https://attacker.example.test/jwks"}}, "jku"),
    ],
    ids=["bad signature", "wrong aud", "expired", "unknown issuer", "no jti", "unknown kid", "foreign jku"],
)
def test_a_call_with_a_bad_token_is_refused_401(server, ehr, change, reason):
    change = dict(change)
    if change.get("key") == "stranger":
        change["key"] = ehr.stranger
    status, headers, body = _signed(server, ehr, _hook(_base()), **change)
    assert status == 401, body
    assert headers["WWW-Authenticate"].startswith("Bearer")
    assert reason in json.loads(body)["detail"]


def test_no_token_a_symmetric_token_and_a_replayed_token_are_refused(server, ehr):
    url = server.url + SERVICE
    assert _call(url, _hook(_base()))[0] == 401
    hmac = jwt.encode({"iss": ISSUER, "aud": url, "exp": time.time() + 60, "iat": time.time(), "jti": "x"}, "k" * 32)
    assert _call(url, _hook(_base()), hmac)[0] == 401
    token = ehr.token(url)
    assert _call(url, _hook(_base()), token)[0] == 200
    assert _call(url, _hook(_base()), token)[0] == 401


def test_no_intake_in_the_prefetch_and_no_fhir_server_is_412_and_a_null_intake_is_no_cards(server, ehr):
    assert _signed(server, ehr, _hook(None))[0] == 412
    status, _, answer = _signed(server, ehr, _hook(None, intake=None))
    assert (status, json.loads(answer)) == (200, {"cards": []})
    empty = {"resourceType": "Bundle", "type": "searchset", "entry": []}
    assert json.loads(_signed(server, ehr, _hook(None, intake=empty))[2]) == {"cards": []}


class _FhirServer(BaseHTTPRequestHandler):
    """The clinic's FHIR server: answers every search with `answer`, and records what it was asked."""

    answer: tuple[int, dict] = (200, {})
    asked: list = []

    def do_GET(self):
        type(self).asked.append((self.path, self.headers.get("Authorization")))
        status, body = type(self).answer
        send_json(self, body, status, "application/fhir+json")

    def log_message(self, *args):
        pass


@pytest.fixture
def fhir_server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _FhirServer)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    _FhirServer.asked = []
    yield f"http://127.0.0.1:{httpd.server_address[1]}/fhir"
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


def test_without_the_prefetch_the_intake_is_fetched_from_the_fhir_server_with_its_token(server, ehr, fhir_server):
    bundle = _hook(_merge(_base(), {"red_flags": {"calf_swelling": True}}))["prefetch"]["intake"]
    _FhirServer.answer = (200, bundle)
    body = {**_hook(None), "fhirServer": fhir_server, "fhirAuthorization": {"access_token": "ehr-token-1"}}
    status, _, answer = _signed(server, ehr, body)
    assert status == 200, answer
    assert json.loads(answer)["cards"][0]["indicator"] == "critical"
    ((path, authorization),) = _FhirServer.asked
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)
    assert path.startswith("/fhir/QuestionnaireResponse?")
    assert query["patient"] == ["ehr-7781"] and query["questionnaire"] == [codes.QUESTIONNAIRE_URL]
    assert query["_sort"] == ["-authored"] and authorization == "Bearer ehr-token-1"


def test_a_fhir_server_that_fails_or_is_not_https_is_412(server, ehr, fhir_server):
    _FhirServer.answer = (500, {"resourceType": "OperationOutcome", "issue": []})
    assert _signed(server, ehr, {**_hook(None), "fhirServer": fhir_server})[0] == 412
    assert _signed(server, ehr, {**_hook(None), "fhirServer": "http://ehr.example.test/fhir"})[0] == 412
    assert len(_FhirServer.asked) == 1


def test_an_intake_on_record_that_cannot_be_screened_gets_an_info_card_naming_the_items(server, ehr):
    body = _hook(_base())
    response = body["prefetch"]["intake"]["entry"][0]["resource"]
    response["item"][0]["item"][1]["answer"] = [{"valueInteger": 7}]
    status, _, answer = _signed(server, ehr, body)
    assert status == 200
    (card,) = json.loads(answer)["cards"]
    _validator("card").validate(card)
    assert card["indicator"] == "info" and "runner.age" in card["summary"]


def test_a_response_about_another_patient_is_not_shown(server, ehr):
    body = _hook(_merge(_base(), {"red_flags": {"calf_swelling": True}}))
    body["context"]["patientId"] = "someone-else"
    assert json.loads(_signed(server, ehr, body)[2]) == {"cards": []}


def test_feedback_is_accepted_and_logged_without_its_content(server, ehr):
    card_id = str(uuid.uuid4())
    feedback = {"feedback": [{"card": card_id, "outcome": "overridden", "outcomeTimestamp": "2026-12-01T10:00:00Z"}]}
    status, _, body = _signed(server, ehr, feedback, path=SERVICE + "/feedback")
    assert (status, json.loads(body)) == (200, {"accepted": 1, "stored": False})
    assert _call(server.url + SERVICE + "/feedback", feedback)[0] == 401
    logged = "\n".join(server.lines())
    assert '"event":"cds_feedback"' in logged and card_id not in logged


def test_a_result_link_that_was_tampered_with_is_404(server):
    status, _, _ = _call(server.url + SERVICE + "/result?token=not-a-token")
    assert status == 404


def test_auth_off_warns_at_start_and_needs_no_token(caplog):
    with caplog.at_level("WARNING", logger="soleus"):
        app = create_app({"TESTING": True, "CDS_AUTH": "off"})
    assert any("authorisation is OFF" in record.getMessage() for record in caplog.records)
    answer = app.test_client().post(SERVICE, json=_hook(_base()))
    assert answer.status_code == 200
    assert answer.get_json()["cards"][0]["indicator"] == "info"


def test_an_unreadable_jwks_file_stops_the_service_from_starting(tmp_path):
    with pytest.raises(ValueError, match="cannot be read"):
        create_app({"TESTING": True, "CDS_CLIENTS": {ISSUER: str(tmp_path / "missing.json")}})


class _JwksServer(BaseHTTPRequestHandler):
    jwks: dict = {}

    def do_GET(self):
        send_json(self, type(self).jwks)

    def log_message(self, *args):
        pass


def test_keys_are_fetched_from_a_configured_jwks_url_and_its_jku_is_accepted(ehr):
    _JwksServer.jwks = ehr.jwks()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _JwksServer)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        jwks_url = f"http://127.0.0.1:{httpd.server_address[1]}/jwks"
        client = create_app({"TESTING": True, "CDS_CLIENTS": {ISSUER: jwks_url}}).test_client()
        audience = "http://localhost" + SERVICE
        for headers in ({}, {"jku": jwks_url}):
            token = ehr.token(audience, headers=headers)
            answer = client.post(SERVICE, json=_hook(_base()), headers={"Authorization": f"Bearer {token}"})
            assert answer.status_code == 200, answer.get_json()
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def test_a_jwks_url_that_is_not_https_is_refused_at_start():
    with pytest.raises(ValueError, match="must be https"):
        create_app({"TESTING": True, "CDS_CLIENTS": {ISSUER: "http://ehr.example.test/jwks"}})


def test_a_prefetched_patient_other_than_the_context_gets_no_cards(server, ehr):
    body = _hook(_merge(_base(), {"red_flags": {"calf_swelling": True}}))
    body["prefetch"]["patient"]["id"] = "someone-else"
    assert json.loads(_signed(server, ehr, body)[2]) == {"cards": []}
