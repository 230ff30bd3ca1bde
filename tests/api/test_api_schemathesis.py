"""Fuzz the API against its own OpenAPI spec (schemathesis, in process through WSGI).

Every operation gets generated requests, valid and invalid; each answer must
be no server error and must match the spec (status, media type, headers,
body schema); a request the spec calls valid must be accepted and one it calls
invalid refused. For the CSV and form media types the spec can only say
"text" (OpenAPI cannot express a CSV grammar or which texts parse as
numbers), so for those only the answer-side checks apply. The same holds for
the FHIR operations under /fhir: the spec can say "a QuestionnaireResponse",
not which answers the soleus-intake Questionnaire takes. The CDS Hooks
service runs with its default authorisation and no trusted clients, so its
calls are checked to answer 401 as documented. A `screened_at` the spec
allows (RFC 3339) may still be refused as no real time, before 2000 or in the
future, which a schema cannot say: such a request must be refused naming it.

The service runs with access control on, as it is deployed: every request
carries a key with every scope (of team club-a), and every operation the
spec marks protected is also called without one, which must be refused.
"""

import re
import tempfile
from datetime import UTC, datetime, timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from api import create_app
from api.access import key_ring
from api.operations.store_binding import TEAM_PATTERN
from tests.support.credentials import bearer, engine_of

_DATABASE = tempfile.TemporaryDirectory(prefix="soleus-schemathesis-")
APP = create_app(
    {
        "BATCH_MAX_ROWS": 50,
        "AUTH": "on",
        "DATABASE_URL": f"sqlite:///{_DATABASE.name}/schemathesis.sqlite3",
        "LOOKUP_RATE_LIMIT": "1000000/minute",
    }
)
TOKEN = key_ring.create(engine_of(APP), name="schemathesis", team="club-a", scopes=list(key_ring.SCOPES))
schema = schemathesis.openapi.from_wsgi("/openapi.json", APP)
# The key goes on every generated request; leaving it out is tested below, for each protected operation.
schema.config.generation.update(with_security_parameters=False)
TEXT_BODIES = {"text/csv", "multipart/form-data", "application/x-www-form-urlencoded"}
SPEC = APP.test_client().get("/openapi.json").get_json()
PROTECTED = [
    (path, method)
    for path, item in SPEC["paths"].items()
    for method, operation in item.items()
    if isinstance(operation, dict) and operation.get("security")
]
SAMPLES = {"{runner_id}": "club-0042", "{screening_id}": "0" * 32}


@schema.parametrize()
@settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_answers_every_generated_request_as_its_spec_says(case):
    text_only = case.media_type in TEXT_BODIES or case.operation.path.startswith("/fhir/")
    excluded = [positive_data_acceptance, negative_data_rejection] if text_only else []
    if not text_only and _not_a_visit_time(case.body):
        response = case.call(headers=bearer(TOKEN))
        asked = (case.query or {}).get("team")
        other_team = asked not in (None, "club-a") and re.fullmatch(TEAM_PATTERN, str(asked)) is not None
        # Another (well-formed) team is refused before the body is read; otherwise the visit time, or the
        # malformed team, is named in a 422.
        assert response.status_code == (403 if other_team else 422), response.text
        return
    case.call_and_validate(headers=bearer(TOKEN), excluded_checks=excluded)


@pytest.mark.parametrize("path, method", PROTECTED, ids=[f"{m} {p}" for p, m in PROTECTED])
def test_every_protected_operation_refuses_a_request_without_a_credential(path, method):
    assert "401" in SPEC["paths"][path][method]["responses"]
    for name, value in SAMPLES.items():
        path = path.replace(name, value)
    response = APP.test_client().open(path, method=method.upper(), json={})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_the_spec_protects_every_operation_on_runner_data():
    assert {path for path, _ in PROTECTED} == {
        "/v1/screenings",
        "/v1/screenings/batch",
        "/v1/screenings/{screening_id}",
        "/v1/screenings/{screening_id}/programme",
        "/v1/runners/{runner_id}/screenings",
        "/v1/runners/{runner_id}/trend",
        "/v1/runners/{runner_id}",
        "/v1/teams/{team}/runners",
        "/v1/audit",
        "/fhir/QuestionnaireResponse/$screen",
    }


def _not_a_visit_time(body) -> bool:
    """Whether the body's screened_at is one the service refuses though its text is RFC 3339."""
    text = body.get("screened_at") if isinstance(body, dict) else None
    if not isinstance(text, str):
        return False
    try:
        moment = datetime.fromisoformat(text.replace("z", "Z").replace("t", "T"))
    except ValueError:
        return True
    if moment.tzinfo is None:
        return False  # not RFC 3339 at all: the spec's pattern refuses it too
    return moment.year < 2000 or moment > datetime.now(UTC) + timedelta(minutes=5)


def test_api_spec_is_generated_from_the_schemas():
    spec = APP.test_client().get("/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    intake = spec["paths"]["/v1/screenings"]["post"]["requestBody"]["content"]
    assert intake["application/json"]["schema"] == {"$ref": "#/components/schemas/Intake"}
    assert schemas["Runner"]["properties"]["age"] == {
        "type": "integer",
        "minimum": 12,
        "maximum": 100,
        "description": "Age in whole years, 12-100",
    }
    assert schemas["Intake"]["additionalProperties"] is False
