"""GET /openapi.json and the offline docs page; the spec's unit-dependent distance limit."""

import math
import re

import pytest

from api.plumbing.openapi import largest_accepted
from screening.intake.schema import KM_PER_MILE

OPERATIONS = {
    ("/v1/screenings", "post"),
    ("/v1/screenings/batch", "post"),
    ("/v1/screenings/{screening_id}", "get"),
    ("/v1/screenings/{screening_id}", "delete"),
    ("/v1/screenings/{screening_id}/programme", "get"),
    ("/v1/runners/{runner_id}/screenings", "get"),
    ("/v1/runners/{runner_id}/trend", "get"),
    ("/v1/runners/{runner_id}", "delete"),
    ("/v1/teams/{team}/runners", "get"),
    ("/v1/audit", "get"),
    ("/v1/rules", "get"),
    ("/v1/rules/{rule_id}", "get"),
    ("/health", "get"),
    ("/ready", "get"),
    ("/fhir/metadata", "get"),
    ("/fhir/Questionnaire/{questionnaire_id}", "get"),
    ("/fhir/QuestionnaireResponse/$screen", "post"),
    ("/cds-services", "get"),
    ("/cds-services/soleus-screen", "post"),
    ("/cds-services/soleus-screen/feedback", "post"),
}


def test_spec_documents_every_operation(client):
    spec = client.get("/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    methods = {"get", "post", "put", "patch", "delete"}
    assert {
        (path, method) for path, item in spec["paths"].items() for method in item if method in methods
    } == OPERATIONS


@pytest.mark.parametrize(
    "path, statuses",
    [
        ("/v1/screenings", {"200", "400", "408", "413", "415", "422"}),
        ("/v1/screenings/batch", {"200", "400", "408", "413", "415", "422"}),
    ],
)
def test_spec_documents_each_error_as_problem_json(client, path, statuses):
    responses = client.get("/openapi.json").get_json()["paths"][path]["post"]["responses"]
    assert statuses <= set(responses)
    for status in statuses - {"200"}:
        assert list(responses[status]["content"]) == ["application/problem+json"]


def test_spec_takes_the_intake_as_json_only(client):
    body = client.get("/openapi.json").get_json()["paths"]["/v1/screenings"]["post"]["requestBody"]
    assert set(body["content"]) == {"application/json"}


def test_docs_page_loads_only_assets_the_service_serves(client):
    page = client.get("/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    # What the page loads (src, <link href>), not where its links lead (<a href>).
    assets = [a or b for a, b in re.findall(r'src="([^"]+)"|<link [^>]*href="([^"]+)"', html)]
    assert assets, "the page should load the Swagger UI assets"
    for asset in assets:
        assert asset.startswith("/"), f"{asset} is not served by the service"
        with client.get(asset) as response:
            assert response.status_code == 200
            assert response.mimetype in ("text/css", "text/javascript", "application/javascript")
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html)
    # Swagger UI's default validator badge is fetched from a public server.
    assert 'data-config="{&#34;validatorUrl&#34;:null}"' in html


def test_spec_mile_limit_is_exactly_the_edge_the_core_enforces():
    edge = largest_accepted(400, KM_PER_MILE)
    assert edge * KM_PER_MILE <= 400 < math.nextafter(edge, math.inf) * KM_PER_MILE


@pytest.mark.parametrize("unit, step, status", [("mi", 0, 200), ("mi", 1, 422), ("km", 0, 200), ("km", 1, 422)])
def test_documented_distance_maximum_is_what_the_api_accepts(client, example_intake, unit, step, status):
    spec = client.get("/openapi.json").get_json()
    branches = spec["components"]["schemas"]["Training"]["anyOf"]
    branch = next(b for b in branches if b["properties"]["unit"]["enum"] == [unit])
    maximum = branch["properties"]["latest_run"]["maximum"]
    distance = math.nextafter(maximum, math.inf) if step else maximum
    example_intake["training"].update(unit=unit, latest_run=distance)
    assert client.post("/v1/screenings", json=example_intake).status_code == status


@pytest.mark.parametrize("path", ["/docs", "/openapi.json", "/docs/assets/swagger-ui.css", "/static/docs/start.js"])
def test_the_docs_carry_the_protective_headers_of_the_pages(client, path):
    with client.get(path) as response:
        headers = response.headers
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"


def test_the_docs_page_has_no_inline_script(client):
    page = client.get("/docs").get_data(as_text=True)
    assert page.count("<script") == page.count("<script src=")


def test_docs_with_a_trailing_slash_leads_to_the_docs(client):
    response = client.get("/docs/", follow_redirects=True)
    assert response.status_code == 200
    assert "swagger-ui-container" in response.get_data(as_text=True)
