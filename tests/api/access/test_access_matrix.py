"""Every protected endpoint against every bad credential: the status the contract gives, and no byte of
another team's data in any answer.

Team B stores a runner through its own key; team A's credentials then try
every protected operation on it. Keys are the service's own; the JWTs come
from a loopback issuer (tests/support/credentials.py), signed, forged, unsigned.
"""

import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import update

from api.access import key_ring
from screening.history.tables import api_keys
from tests.support.credentials import LocalIssuer, access_app, bearer, engine_of, key
from tests.support.intakes import healthy

B_RUNNER = "b-secret-runner-7q"


@pytest.fixture(scope="module")
def issuer():
    running = LocalIssuer().start()
    yield running
    running.stop()


@pytest.fixture
def world(tmp_path, issuer):
    app = access_app(tmp_path, **issuer.config())
    client = app.test_client()
    b_key = key(app, "club-b", "screen,history:read")
    stored = client.post("/v1/screenings", json=healthy(B_RUNNER), headers=bearer(b_key))
    assert stored.status_code == 200, stored.get_json()
    b_screening = stored.get_json()["screening_id"]
    expired = key(app, "club-a", "screen,history:read,history:erase,admin", name="expired-a", days=1)
    with engine_of(app).begin() as connection:
        connection.execute(
            update(api_keys).where(api_keys.c.name == "expired-a").values(expires_at=datetime.now() - timedelta(days=2))
        )
    revoked = key(app, "club-a", "screen,history:read,history:erase,admin", name="revoked-a")
    key_ring.revoke(engine_of(app), "revoked-a")
    return {
        "app": app,
        "client": client,
        "b_screening": b_screening,
        "full_a": key(app, "club-a", "screen,history:read,history:erase,admin"),
        "keys": {
            "screen": key(app, "club-a", "screen"),
            "history:read": key(app, "club-a", "history:read"),
            "history:erase": key(app, "club-a", "history:erase"),
            "admin": key(app, "club-a", "admin"),
        },
        "expired": expired,
        "revoked": revoked,
        "secrets": [B_RUNNER, b_screening],
    }


QUESTIONNAIRE_RESPONSE = {"resourceType": "QuestionnaireResponse", "status": "completed", "item": []}
# (method, path, body, scope it needs, a scope it does not need)
ENDPOINTS = [
    ("POST", "/v1/screenings", healthy("a-runner"), "screen", "history:read"),
    ("POST", "/v1/screenings/batch", [healthy("a-runner")], "screen", "history:read"),
    ("GET", "/v1/screenings/{b_screening}", None, "history:read", "screen"),
    ("GET", "/v1/screenings/{b_screening}/programme", None, "history:read", "screen"),
    ("GET", f"/v1/runners/{B_RUNNER}/screenings", None, "history:read", "screen"),
    ("GET", f"/v1/runners/{B_RUNNER}/trend", None, "history:read", "screen"),
    ("DELETE", f"/v1/runners/{B_RUNNER}", None, "history:erase", "history:read"),
    ("DELETE", "/v1/screenings/{b_screening}?reason=entered+for+the+wrong+runner", None, "history:erase", "screen"),
    ("GET", "/v1/audit", None, "admin", "screen"),
    ("POST", "/fhir/QuestionnaireResponse/$screen", QUESTIONNAIRE_RESPONSE, "screen", "history:read"),
]
IDS = [f"{method} {path}" for method, path, *_ in ENDPOINTS]


def call(world, endpoint, headers=None, query=""):
    method, path, body, *_ = endpoint
    url = path.format(b_screening=world["b_screening"])
    url += query.replace("?", "&") if "?" in url else query
    return world["client"].open(url, method=method, json=body, headers=headers or {})


def assert_no_other_team_data(world, response):
    text = response.get_data(as_text=True)
    for secret in world["secrets"]:
        assert secret not in text


def assert_b_untouched(world):
    with world["app"].app_context():
        from api.operations.store_binding import store

        assert store().result(world["b_screening"]) is not None


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=IDS)
def test_no_credential_is_401_with_a_bearer_challenge(world, endpoint):
    response = call(world, endpoint)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert_no_other_team_data(world, response)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=IDS)
@pytest.mark.parametrize("credential", ["expired", "revoked", "unknown", "forged", "alg-none", "expired-jwt", "no-aud"])
def test_an_unacceptable_credential_is_401(world, issuer, endpoint, credential):
    token = {
        "expired": lambda: world["expired"],
        "revoked": lambda: world["revoked"],
        "unknown": lambda: key_ring.PREFIX + "x" * 43,
        "forged": lambda: issuer.forged(team="club-b", scope="screen history:read history:erase admin"),
        "alg-none": lambda: issuer.unsigned(team="club-b", scope="screen history:read history:erase admin"),
        "expired-jwt": lambda: issuer.token(team="club-b", scope="screen history:read admin", exp=1_600_000_000),
        "no-aud": lambda: issuer.token(team="club-b", scope="screen history:read admin", aud="someone-else"),
    }[credential]()
    response = call(world, endpoint, bearer(token))
    assert response.status_code == 401, response.get_data(as_text=True)
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    assert_no_other_team_data(world, response)
    assert_b_untouched(world)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=IDS)
def test_a_credential_without_the_scope_is_403_naming_it(world, endpoint):
    *_, needed, other = endpoint
    response = call(world, endpoint, bearer(world["keys"][other]))
    assert response.status_code == 403
    assert needed in response.get_data(as_text=True)
    assert_no_other_team_data(world, response)
    assert_b_untouched(world)


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if not e[1].startswith("/fhir")], ids=IDS[:-1])
def test_naming_another_team_is_refused(world, endpoint):
    response = call(world, endpoint, bearer(world["full_a"]), query="?team=club-b")
    assert response.status_code == 403
    assert_no_other_team_data(world, response)
    assert_b_untouched(world)


@pytest.mark.parametrize("endpoint", ENDPOINTS[2:8], ids=IDS[2:8])
def test_another_teams_runner_or_screening_is_not_found_as_an_unknown_one_is(world, endpoint):
    """The answer is the one for an id that does not exist (the runner id asked for is echoed, as for any)."""
    response = call(world, endpoint, bearer(world["full_a"]))
    assert world["b_screening"] not in response.get_data(as_text=True)
    assert_b_untouched(world)
    if "{b_screening}" in endpoint[1]:
        unknown = world["client"].open(
            endpoint[1].format(b_screening="0" * 32), method=endpoint[0], headers=bearer(world["full_a"])
        )
        assert response.status_code == unknown.status_code == 404
        assert response.get_json()["detail"] == unknown.get_json()["detail"]
    elif endpoint[0] == "DELETE":
        assert response.get_json()["erased"] == 0
    elif endpoint[1] != "/v1/audit":
        unknown = world["client"].get(endpoint[1].replace(B_RUNNER, "nobody-here"), headers=bearer(world["full_a"]))
        assert response.status_code == unknown.status_code == 200
        assert json.loads(response.get_data(as_text=True).replace(B_RUNNER, "nobody-here")) == unknown.get_json()


def test_a_provider_token_acts_for_its_team_with_its_scopes(world, issuer):
    token = issuer.token(team="club-b", scope="history:read")
    client = world["client"]
    page = client.get(f"/v1/runners/{B_RUNNER}/screenings", headers=bearer(token)).get_json()
    assert [row["screening_id"] for row in page["screenings"]] == [world["b_screening"]]
    refused = client.post("/v1/screenings", json=healthy("b-2"), headers=bearer(token))
    assert refused.status_code == 403 and refused.get_json()["scope"] == "screen"


def test_an_unknown_kid_fetches_the_providers_keys_again_once(world, issuer):
    before = issuer.fetches
    token = issuer.token(header={"alg": "ES256", "kid": "rotated"}, team="club-b", scope="history:read")
    assert world["client"].get(f"/v1/runners/{B_RUNNER}/trend", headers=bearer(token)).status_code == 401
    assert issuer.fetches - before <= 1


def test_a_token_signed_with_hmac_is_refused(world, issuer):
    from joserfc import jwt
    from joserfc.jwk import OctKey

    secret = OctKey.import_key(b"0" * 32)
    token = jwt.encode({"alg": "HS256", "kid": "k1"}, issuer.claims(team="club-b", scope="history:read"), secret)
    response = world["client"].get(f"/v1/runners/{B_RUNNER}/trend", headers=bearer(token))
    assert response.status_code == 401
    assert_no_other_team_data(world, response)
