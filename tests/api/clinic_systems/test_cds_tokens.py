"""CDS client tokens and fhirServer fetches, as a service facing the network must take them.

An alg that does not fit its key is a 401; the audience is the configured
base URL (required outside testing); a token lives at most 5 minutes and is
accepted once across every worker and replica on one database; keys from a
slow or failing JWKS URL never hold a call; a fhirServer must be https and on
the allow-list, and every failure to fetch gets one and the same detail.
"""

import base64
import json
import os
import subprocess
import sys
import threading
import time
from http.server import ThreadingHTTPServer

import pytest

from api import create_app
from api.clinic_systems import cds_keys
from api.clinic_systems.cds_prefetch import NOT_FETCHED
from screening.history import migrate
from screening.history.database import make_engine
from tests.api.clinic_systems.test_cds_hooks import ISSUER, SERVICE, Ehr, _FhirServer, _hook, _JwksServer
from tests.screening.ruleset.test_rules_cases import _base

BASE = "http://localhost"


@pytest.fixture(scope="module")
def ehr() -> Ehr:
    return Ehr()


@pytest.fixture
def jwks_file(ehr, tmp_path) -> str:
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps(ehr.jwks()))
    return str(path)


def app_for(jwks: str, **config):
    return create_app({"TESTING": True, "CDS_CLIENTS": {ISSUER: jwks}, **config})


def call(client, token: str, body: dict | None = None):
    return client.post(SERVICE, json=body or _hook(_base()), headers={"Authorization": f"Bearer {token}"})


def test_a_token_whose_alg_does_not_fit_its_key_is_401_not_500(ehr, jwks_file):
    client = app_for(jwks_file).test_client()
    header = base64.urlsafe_b64encode(json.dumps({"alg": "RS384", "kid": "ec-1", "typ": "JWT"}).encode())
    valid = ehr.token(BASE + SERVICE)
    forged = header.rstrip(b"=").decode() + "." + valid.split(".", 1)[1]  # the EC key's claims and signature
    answer = call(client, forged)
    assert answer.status_code == 401
    assert "does not fit its key" in answer.get_json()["detail"]


def test_cds_clients_without_a_configured_base_url_stop_the_service_outside_testing(jwks_file):
    with pytest.raises(ValueError, match="CDS_BASE_URL is required"):
        create_app({"CDS_CLIENTS": {ISSUER: jwks_file}})
    app = create_app({"CDS_CLIENTS": {ISSUER: jwks_file}, "CDS_BASE_URL": "https://screen.example.test"})
    assert app.extensions["soleus.cds"]


def test_the_audience_is_the_configured_base_url_not_the_callers_host(ehr, jwks_file):
    client = create_app({"CDS_CLIENTS": {ISSUER: jwks_file}, "CDS_BASE_URL": "https://screen.example.test"})
    client = client.test_client()
    assert call(client, ehr.token(BASE + SERVICE)).status_code == 401  # names the Host it was sent to
    assert call(client, ehr.token("https://screen.example.test" + SERVICE)).status_code == 200


def test_a_token_that_lives_longer_than_five_minutes_is_refused(ehr, jwks_file):
    client = app_for(jwks_file).test_client()
    now = int(time.time())
    ten_years = ehr.token(BASE + SERVICE, iat=now, exp=now + 10 * 365 * 86400)
    answer = call(client, ten_years)
    assert answer.status_code == 401
    assert "longer than 5 minutes" in answer.get_json()["detail"]
    assert call(client, ehr.token(BASE + SERVICE, iat=now, exp=now + 300)).status_code == 200


def test_a_token_is_accepted_once_across_two_processes_on_one_database(ehr, jwks_file, database_url):
    if not database_url.startswith("sqlite"):
        migrate.upgrade(make_engine(database_url))
    first, second = (app_for(jwks_file, DATABASE_URL=database_url).test_client() for _ in range(2))
    token = ehr.token(BASE + SERVICE)
    assert call(first, token).status_code == 200
    replayed = call(second, token)
    assert replayed.status_code == 401
    assert "used before" in replayed.get_json()["detail"]
    for client in (first, second):
        client.application.extensions["soleus.database"].close()


class _SlowJwks(_JwksServer):
    """The EHR's JWK Set URL, answering after `delay` seconds."""

    delay = 0.0
    asked = 0

    def do_GET(self):
        type(self).asked += 1
        time.sleep(type(self).delay)
        super().do_GET()


def test_a_slow_jwks_url_never_holds_a_call_and_the_last_good_keys_are_kept(ehr, monkeypatch):
    monkeypatch.setattr(cds_keys, "REFRESH", 0.05)
    _SlowJwks.jwks, _SlowJwks.delay, _SlowJwks.asked = ehr.jwks(), 0.0, 0
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _SlowJwks)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        client = app_for(f"http://127.0.0.1:{httpd.server_address[1]}/jwks").test_client()
        _SlowJwks.delay = 10.0  # from now on the URL takes 10 s, past the fetch timeout
        took = []
        for _ in range(5):
            started = time.monotonic()
            assert call(client, ehr.token(BASE + SERVICE)).status_code == 200
            took.append(time.monotonic() - started)
            time.sleep(0.2)
        assert _SlowJwks.asked >= 2  # fetched again in the background meanwhile, and timed out
        assert max(took) < 1.5
    finally:
        _SlowJwks.delay = 0.0
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def fhir_url():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _FhirServer)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    _FhirServer.asked = []
    _FhirServer.answer = (200, {"resourceType": "Bundle", "type": "searchset", "entry": []})
    yield f"http://127.0.0.1:{httpd.server_address[1]}/fhir"
    httpd.shutdown()
    httpd.server_close()


def fetching(client, ehr, server: str):
    body = {**_hook(None), "fhirServer": server, "fhirAuthorization": {"access_token": "ehr-token-1"}}
    return call(client, ehr.token("https://screen.example.test" + SERVICE), body)


def test_a_plain_http_fhir_server_is_not_fetched_from_outside_testing(ehr, jwks_file, fhir_url):
    config = {"CDS_CLIENTS": {ISSUER: jwks_file}, "CDS_BASE_URL": "https://screen.example.test"}
    client = create_app({**config, "CDS_FHIR_SERVERS": ["127.0.0.1"]}).test_client()
    answer = fetching(client, ehr, fhir_url)
    assert (answer.status_code, answer.get_json()["detail"]) == (412, NOT_FETCHED)
    assert _FhirServer.asked == []  # neither asked nor sent the caller's FHIR token
    testing = create_app({**config, "CDS_FHIR_SERVERS": ["127.0.0.1"], "CDS_TESTING": "on"}).test_client()
    assert fetching(testing, ehr, fhir_url).status_code == 200
    assert len(_FhirServer.asked) == 1


def test_every_fhir_server_failure_gets_the_same_detail_and_only_allowed_hosts_are_asked(ehr, jwks_file, fhir_url):
    config = {"CDS_CLIENTS": {ISSUER: jwks_file}, "CDS_BASE_URL": "https://screen.example.test", "CDS_TESTING": "on"}
    allowed = create_app({**config, "CDS_FHIR_SERVERS": ["127.0.0.1"]}).test_client()
    nobody = create_app(config).test_client()
    with ThreadingHTTPServer(("127.0.0.1", 0), _FhirServer) as closed:
        closed_port = closed.server_address[1]  # bound, then closed: nothing listens there
    _FhirServer.answer = (500, {"resourceType": "OperationOutcome", "issue": []})
    answers = [
        fetching(allowed, ehr, fhir_url),  # open port, fails
        fetching(allowed, ehr, f"http://127.0.0.1:{closed_port}/fhir"),  # closed port
        fetching(allowed, ehr, "https://ehr.example.test/fhir"),  # not on the allow-list
        fetching(nobody, ehr, fhir_url),  # no allow-list: nothing is fetched
    ]
    assert {(answer.status_code, answer.get_json()["detail"]) for answer in answers} == {(412, NOT_FETCHED)}
    assert len(_FhirServer.asked) == 1


def test_serve_with_cds_clients_and_no_base_url_refuses_to_start_in_one_line(jwks_file):
    env = {**os.environ, "SOLEUS_CDS_CLIENTS": json.dumps({ISSUER: jwks_file}), "SOLEUS_AUTH": "off"}
    env.pop("SOLEUS_CDS_TESTING", None)
    env.pop("SOLEUS_CDS_BASE_URL", None)
    command = [sys.executable, "-m", "api.commands", "serve", "--host", "127.0.0.1", "--port", "0"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "refusing to start: CDS_BASE_URL is required" in done.stderr
    assert "Traceback" not in done.stderr
