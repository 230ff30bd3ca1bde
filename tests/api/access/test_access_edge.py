"""The service's edge with access control on: hosts, CORS, public paths, probing limits, the spec's terms."""

import pytest

from tests.support.credentials import access_app, bearer, key
from tests.support.intakes import healthy

PUBLIC = [
    "/health",
    "/ready",
    "/docs",
    "/openapi.json",
    "/rules",
    "/v1/rules",
    "/fhir/metadata",
    "/cds-services",
    "/login",
]


@pytest.fixture
def app(tmp_path):
    return access_app(tmp_path)


@pytest.mark.parametrize("path", PUBLIC)
def test_the_public_paths_need_no_credential(app, path):
    response = app.test_client().get(path)
    assert response.status_code == 200, response.get_data(as_text=True)[:200]


def test_a_host_not_allowed_gets_400(app, tmp_path):
    client = app.test_client()
    assert client.get("/health", headers={"Host": "attacker.example"}).status_code == 400
    assert client.get("/health", headers={"Host": "127.0.0.1:8000"}).status_code == 200
    (tmp_path / "h").mkdir()
    allowed = access_app(tmp_path / "h", ALLOWED_HOSTS="screen.clinic.example").test_client()
    assert allowed.get("/health", headers={"Host": "screen.clinic.example"}).status_code == 200
    assert allowed.get("/health", headers={"Host": "localhost"}).status_code == 400


def test_no_cors_headers_unless_configured(tmp_path, app):
    origin = {"Origin": "https://dashboard.club.example"}
    response = app.test_client().get("/v1/rules", headers=origin)
    assert not any(name.lower().startswith("access-control-") for name in response.headers.keys())
    (tmp_path / "c").mkdir()
    configured = access_app(tmp_path / "c", CORS_ORIGINS="https://dashboard.club.example").test_client()
    response = configured.options(
        "/v1/screenings",
        headers={
            **origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type",
        },
    )
    assert response.headers["Access-Control-Allow-Origin"] == "https://dashboard.club.example"
    assert "authorization" in response.headers["Access-Control-Allow-Headers"].lower()
    other = configured.get("/v1/rules", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers


def test_guessing_screening_ids_is_rate_limited_per_credential_and_per_address(tmp_path):
    app = access_app(tmp_path, LOOKUP_RATE_LIMIT="20/minute")
    client = app.test_client()
    token = key(app, "club-a", "history:read")
    statuses = [client.get(f"/v1/screenings/{n:032x}", headers=bearer(token)).status_code for n in range(25)]
    assert statuses[:20] == [404] * 20 and statuses[20:] == [429] * 5
    refused = client.get(f"/v1/screenings/{0:032x}", headers=bearer(token))
    assert int(refused.headers["Retry-After"]) >= 1 and refused.mimetype == "application/problem+json"
    # The same address without a credential is limited too (its own count, already spent here).
    assert client.get(f"/v1/screenings/{1:032x}").status_code == 429
    fresh = app.test_client()
    other = fresh.get(f"/v1/screenings/{1:032x}", headers=bearer(token), environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 429  # the credential's own count


def test_screening_is_not_a_lookup_and_is_not_rate_limited(tmp_path):
    app = access_app(tmp_path, LOOKUP_RATE_LIMIT="2/minute", STORE="off")
    client = app.test_client()
    token = key(app, "club-a", "screen")
    assert {
        client.post("/v1/screenings", json=healthy(f"r-{n}"), headers=bearer(token)).status_code for n in range(5)
    } == {200}


def test_the_spec_declares_the_bearer_scheme_and_each_protected_operations_scope(app):
    spec = app.test_client().get("/openapi.json").get_json()
    assert spec["components"]["securitySchemes"]["bearer"] == {
        **spec["components"]["securitySchemes"]["bearer"],
        "type": "http",
        "scheme": "bearer",
    }
    scopes = {
        (path, method): operation.get("x-required-scopes")
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if isinstance(operation, dict) and "responses" in operation
    }
    assert scopes[("/v1/screenings", "post")] == ["screen"]
    assert scopes[("/v1/runners/{runner_id}", "delete")] == ["history:erase"]
    assert scopes[("/v1/audit", "get")] == ["admin"]
    assert scopes[("/fhir/QuestionnaireResponse/$screen", "post")] == ["screen"]
    for path in ("/health", "/v1/rules", "/fhir/metadata", "/cds-services"):
        assert scopes[(path, "get")] is None
    for (path, method), scope in scopes.items():
        operation = spec["paths"][path][method]
        if scope:
            assert operation["security"] == [{"bearer": []}]
            assert {"401", "403"} <= set(operation["responses"])
        else:
            assert "security" not in operation
