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
calls are checked to answer 401 as documented.
"""

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from api import create_app

APP = create_app({"BATCH_MAX_ROWS": 50})
schema = schemathesis.openapi.from_wsgi("/openapi.json", APP)
TEXT_BODIES = {"text/csv", "multipart/form-data", "application/x-www-form-urlencoded"}


@schema.parametrize()
@settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_answers_every_generated_request_as_its_spec_says(case):
    text_only = case.media_type in TEXT_BODIES or case.operation.path.startswith("/fhir/")
    excluded = [positive_data_acceptance, negative_data_rejection] if text_only else []
    case.call_and_validate(excluded_checks=excluded)


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
