"""The FHIR R4 face: the intake as a Questionnaire in, the result as a RiskAssessment out.

    GET  /fhir/metadata                         CapabilityStatement: exactly what is served here
    GET  /fhir/Questionnaire/soleus-intake      the intake, generated from the intake schema
    POST /fhir/QuestionnaireResponse/$screen    a QuestionnaireResponse -> its RiskAssessment

Bodies are application/fhir+json (application/json is taken too). A body that
is not a QuestionnaireResponse (checked with the fhir.resources R4B model) is
400; answers the intake schema refuses are 422, the same checks as
/v1/screenings; both come back as an OperationOutcome whose `expression` names
the item's linkId. As on /v1/screenings, a body is refused before it is read
into any model: past FHIR_MAX_CONTENT_LENGTH (413), or with more items or
answers than the Questionnaire takes, counted on the raw JSON (422). The
models are used on these endpoints only: the mapping (screening/interop)
works on plain dicts and the screening itself is the Screener's, as for every
other face.
"""

import functools
from datetime import UTC, datetime

from flask import current_app, g, request
from flask_smorest import Blueprint
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException

from api.access import requires
from api.access.principal import SCREEN
from api.operations.screener_binding import screener
from api.plumbing.body import json_body, media_type
from api.plumbing.limits import limit_body
from api.plumbing.openapi import JSON, REQUEST_ID_HEADER, REQUEST_ID_PARAMETER
from screening import IntakeError
from screening.interop import codes
from screening.interop.bounds import count_errors
from screening.interop.items import ItemSpec, flatten, intake_items
from screening.interop.questionnaire import questionnaire
from screening.interop.response import operation_outcome, read_intake
from screening.interop.risk_assessment import risk_assessment

FHIR_JSON = codes.FHIR_JSON
blp = Blueprint(
    "fhir",
    __name__,
    url_prefix="/fhir",
    description="HL7 FHIR R4: the intake as a Questionnaire, the result as a RiskAssessment (application/fhir+json)",
)
ISSUE_CODES = {400: "invalid", 404: "not-found", 405: "not-supported", 413: "too-costly", 415: "not-supported"}


@functools.cache
def items() -> tuple[ItemSpec, ...]:
    """The intake schema's items, walked once per process."""
    return intake_items()


@functools.cache
def specs() -> dict[str, ItemSpec]:
    """Every item by linkId, groups included."""
    return flatten(items())


def fhir_response(resource: dict, status: int = 200):
    response = current_app.json.response(resource)
    response.status_code = status
    response.mimetype = FHIR_JSON
    response.headers["Cache-Control"] = "no-store"
    return response


def outcome(status: int, text: str, code: str | None = None, expression: list[str] | None = None):
    issue: dict = {
        "severity": "error",
        "code": code or ISSUE_CODES.get(status, "processing"),
        "details": {"text": text},
    }
    if expression:
        issue["expression"] = expression
    return fhir_response({"resourceType": "OperationOutcome", "issue": [issue]}, status)


@blp.errorhandler(HTTPException)
def http_error(error: HTTPException):
    """Errors on this face are OperationOutcomes (the rest of the API answers problem+json)."""
    response = outcome(error.code or 500, error.description or error.name)
    for name, value in getattr(error, "extra_headers", {}).items():
        response.headers[name] = value
    return response


def resource_schema(*types: str) -> dict:
    """The OpenAPI schema of a FHIR resource of these types (the full definition is FHIR R4's, not restated)."""
    return {
        "type": "object",
        "required": ["resourceType"],
        "properties": {"resourceType": {"type": "string", "enum": list(types)}},
    }


def resource_doc(*types: str, description: str) -> dict:
    """An OpenAPI response carrying a FHIR resource."""
    return {
        "description": description,
        "headers": dict(REQUEST_ID_HEADER),
        "content": {FHIR_JSON: {"schema": resource_schema(*types)}},
    }


def _outcome_doc(description: str) -> dict:
    return resource_doc("OperationOutcome", description=description)


@blp.get("/metadata")
@blp.doc(
    parameters=[REQUEST_ID_PARAMETER],
    responses={"200": resource_doc("CapabilityStatement", description="What this server does")},
)
def metadata():
    """The server's CapabilityStatement

    Lists only what is served: reading the soleus-intake Questionnaire, and the
    $screen operation on QuestionnaireResponse.
    """
    return fhir_response(capability_statement(request.url_root.rstrip("/") + blp.url_prefix))


def capability_statement(base: str) -> dict:
    version = current_app.config.get("API_VERSION", "")
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "kind": "instance",
        "software": {"name": "soleus-screen", "version": version},
        "implementation": {"description": "soleus-screen: soleus (calf) strain risk screening", "url": base},
        "fhirVersion": codes.FHIR_VERSION,
        "format": [FHIR_JSON, "json"],
        "rest": [
            {
                "mode": "server",
                "documentation": "No patient data is stored: a QuestionnaireResponse is screened and answered, "
                "never kept.",
                "resource": [
                    {
                        "type": "Questionnaire",
                        "interaction": [{"code": "read", "documentation": f"Only {codes.QUESTIONNAIRE_ID}"}],
                    },
                    {
                        "type": "QuestionnaireResponse",
                        "operation": [
                            {
                                "name": "screen",
                                "definition": codes.SCREEN_OPERATION,
                                "documentation": f"POST a QuestionnaireResponse to {codes.QUESTIONNAIRE_URL}; "
                                "answers its RiskAssessment, or an OperationOutcome naming each item's linkId.",
                            }
                        ],
                    },
                ],
            }
        ],
    }


@blp.get("/Questionnaire/<questionnaire_id>")
@blp.doc(
    parameters=[REQUEST_ID_PARAMETER],
    responses={
        "200": resource_doc("Questionnaire", description="The intake as a Questionnaire"),
        "404": _outcome_doc("No such Questionnaire: only soleus-intake is served"),
    },
)
def read_questionnaire(questionnaire_id: str):
    """The intake as a Questionnaire

    Generated from the intake schema: one item per intake field, linkId = its
    dotted path, with types, required flags, answer options, bounds, units and
    LOINC codes where they exist.
    """
    if questionnaire_id != codes.QUESTIONNAIRE_ID:
        return outcome(404, f"No Questionnaire {questionnaire_id!r}: only {codes.QUESTIONNAIRE_ID} is served here.")
    ruleset = screener().ruleset
    units = {name: spec.unit for name, spec in ruleset.inputs.items()}
    return fhir_response(questionnaire(ruleset.version, units, items()))


@blp.post("/QuestionnaireResponse/$screen")
@requires(SCREEN, "screen", problem_answers=False)
@blp.doc(
    parameters=[REQUEST_ID_PARAMETER],
    requestBody={
        "required": True,
        "description": f"A QuestionnaireResponse to {codes.QUESTIONNAIRE_URL}",
        "content": {kind: {"schema": resource_schema("QuestionnaireResponse")} for kind in (FHIR_JSON, JSON)},
    },
    responses={
        "200": resource_doc("RiskAssessment", description="The screening as a RiskAssessment"),
        "400": _outcome_doc("Not JSON, or not a valid QuestionnaireResponse"),
        "401": _outcome_doc("No credential, or one that is unknown, expired, revoked or does not verify"),
        "403": _outcome_doc("The credential lacks the scope `screen`"),
        "413": _outcome_doc("Body larger than FHIR_MAX_CONTENT_LENGTH (256 KiB)"),
        "415": _outcome_doc("Not application/fhir+json or application/json (a form's body is always refused)"),
        "422": _outcome_doc(
            "Answers the intake refuses, or more items or answers than the Questionnaire takes (counted before the "
            "response is read): one issue per problem, `expression` = the item's linkId"
        ),
    },
)
def screen_response():
    """Screen a QuestionnaireResponse

    Reads the answers into an intake (linkId = the intake field's dotted path),
    validates it with the same schema as /v1/screenings and answers the
    RiskAssessment: status final, the response's subject, the band as an HL7
    risk-probability code, the explanation in words, the recommendations as
    mitigation, the referral in an extension and the ruleset in `method`.
    Needs the scope `screen`; nothing is stored, the call is audited.
    """
    limit_body(current_app.config["FHIR_MAX_CONTENT_LENGTH"], "FHIR_MAX_CONTENT_LENGTH")
    media_type(FHIR_JSON, JSON)
    payload = json_body()
    if not isinstance(payload, dict) or payload.get("resourceType") != "QuestionnaireResponse":
        return outcome(400, "Expected a QuestionnaireResponse resource.", "structure")
    too_many = count_errors(payload, specs())
    if too_many:
        return fhir_response(operation_outcome(too_many, items()), 422)
    problems = model_errors(payload)
    if problems:
        return fhir_response(operation_outcome(problems, items()), 400)
    core = screener()
    try:
        intake = read_intake(payload, items(), core.validate)
    except IntakeError as error:
        return fhir_response(operation_outcome(error.errors, items()), 422)
    result = core.screen_valid(intake)
    g.audit.update(runner_id=intake["runner"]["id"], screening_id=result["screening_id"])
    return fhir_response(risk_assessment(result, subject=payload.get("subject"), basis=basis_of(payload)))


def model_errors(payload: dict) -> dict[str, list[str]]:
    """What the R4B QuestionnaireResponse model refuses, keyed by the nearest item's linkId."""
    from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

    try:
        QuestionnaireResponse.model_validate(payload)
    except ValidationError as error:
        found: dict[str, list[str]] = {}
        for problem in error.errors(include_input=False, include_url=False):
            where, name = _locate(payload, problem["loc"])
            found.setdefault(where, []).append(f"{name}: {problem['msg']}")
        return found
    return {}


def _locate(payload, loc) -> tuple[str, str]:
    """The linkId of the innermost item on a pydantic error location (else a FHIRPath), and the element name."""
    node, where, path = payload, "QuestionnaireResponse", "QuestionnaireResponse"
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}"
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, dict) and isinstance(node.get("linkId"), str):
            where = node["linkId"]
    if where == "QuestionnaireResponse":
        where = path
    return where, str(loc[-1]) if loc else "resource"


def basis_of(response: dict) -> dict | None:
    """A Reference to the screened response: by id, else by identifier, else none."""
    if isinstance(response.get("id"), str):
        return {"reference": f"QuestionnaireResponse/{response['id']}"}
    if isinstance(response.get("identifier"), dict):
        return {"identifier": response["identifier"]}
    return None
