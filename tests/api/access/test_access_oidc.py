"""Tokens of a real OpenID provider (panva's oidc-provider, tests/support/oidc) against the API:
client-credentials JWTs verified through the provider's discovery document and JWKS."""

import pytest
import requests

from tests.support.credentials import access_app, bearer
from tests.support.intakes import healthy
from tests.support.oidc_provider import running_provider


@pytest.fixture(scope="module")
def issuer():
    with running_provider() as url:
        yield url


def client_token(issuer: str, client: str, scope: str) -> str:
    discovery = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=10).json()
    answer = requests.post(
        discovery["token_endpoint"],
        data={"grant_type": "client_credentials", "scope": scope},
        auth=(client, client.replace("-app", "-secret")),
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["access_token"]


@pytest.fixture
def app(tmp_path, issuer):
    return access_app(tmp_path, OIDC_ISSUER=issuer, OIDC_AUDIENCE="soleus-screen")


def test_a_client_credentials_token_screens_and_reads_for_its_team(app, issuer):
    client = app.test_client()
    token = client_token(issuer, "club-a-app", "screen history:read")
    stored = client.post("/v1/screenings", json=healthy("oidc-1"), headers=bearer(token))
    assert stored.status_code == 200, stored.get_json()
    page = client.get("/v1/runners/oidc-1/screenings", headers=bearer(token)).get_json()
    assert page["team"] == "club-a" and [row["screening_id"] for row in page["screenings"]] == [
        stored.get_json()["screening_id"]
    ]
    other = client_token(issuer, "club-b-app", "history:read")
    assert client.get("/v1/runners/oidc-1/screenings", headers=bearer(other)).get_json()["screenings"] == []
    assert client.get(f"/v1/screenings/{stored.get_json()['screening_id']}", headers=bearer(other)).status_code == 404


def test_a_token_without_the_scope_is_403_and_a_tampered_one_401(app, issuer):
    client = app.test_client()
    token = client_token(issuer, "club-a-app", "history:read")
    refused = client.post("/v1/screenings", json=healthy("oidc-2"), headers=bearer(token))
    assert refused.status_code == 403 and refused.get_json()["scope"] == "screen"
    head, payload, signature = token.split(".")
    tampered = f"{head}.{payload}.{signature[:-4]}AAAA"
    assert client.get("/v1/runners/oidc-2/trend", headers=bearer(tampered)).status_code == 401


def test_a_token_for_another_audience_is_refused(tmp_path, issuer):
    app = access_app(tmp_path, OIDC_ISSUER=issuer, OIDC_AUDIENCE="some-other-service")
    token = client_token(issuer, "club-a-app", "screen")
    response = app.test_client().post("/v1/screenings", json=healthy("oidc-3"), headers=bearer(token))
    assert response.status_code == 401
