"""Build the OpenAPI 3 spec from the marshmallow schemas, and serve it with an offline docs page.

flask-smorest writes the spec from the views' decorators and the core's
schemas, so it cannot drift from the code. What marshmallow cannot say is added
here from the same sources: the core's strict number fields, the distance limit
that depends on `training.unit`, problem+json as the body of every error, and
the bearer scheme protected operations name (api/access/guard.py adds each
one's scope and its 401/403/429 answers).

    GET /openapi.json   the spec
    GET /docs           Swagger UI, its assets served from the swagger-ui-bundle package (no CDN);
                        /docs/ redirects there. The docs pages carry the same protective headers as
                        the clinic form (CSP without inline script, nosniff, no framing, referrer).
"""

import math
from typing import Any

import swagger_ui_bundle
from flask import Blueprint, redirect, request
from flask_smorest import Api

from api.plumbing.problems import PROBLEM_JSON, ProblemSchema
from api.plumbing.problems import init_app as init_problems
from screening.intake.fields import StrictBoolean, StrictNumber, WholeNumber
from screening.intake.schema import KM_PER_MILE, MAX_DISTANCE_KM, IntakeSchema

DOCS_ASSETS = "/docs/assets/"
DOCS_SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}
CONFIG = {
    "OPENAPI_URL_PREFIX": "/",
    "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "docs",
    "OPENAPI_SWAGGER_UI_URL": DOCS_ASSETS,
    # Swagger UI would otherwise fetch a badge from the public validator, sending it the spec's URL.
    "OPENAPI_SWAGGER_UI_CONFIG": {"validatorUrl": None},
}
JSON = "application/json"
CSV = "text/csv"

REQUEST_ID = {
    "description": "The request's id: the client's own if it sent a sane one (1-64 letters, digits, '.', "
    "'_', '-'), else a new one. Also in every log line and problem body.",
    "schema": {"type": "string"},
}
REQUEST_ID_HEADER = {"X-Request-ID": {"$ref": "#/components/headers/RequestId"}}
REQUEST_ID_PARAMETER = {
    "in": "header",
    "name": "X-Request-ID",
    "required": False,
    "description": "Optional id to trace this request by; echoed back if sane, else replaced",
    "schema": {"type": "string"},
}


BEARER_SCHEME = {
    "type": "http",
    "scheme": "bearer",
    "description": "An API key of this service (`soleus-screen keys create`; `soleus_key_...`) or an access token "
    "(a JWT) of the clinic's OpenID provider (OIDC_ISSUER, OIDC_AUDIENCE). Each protected operation names the "
    "scope it needs in `x-required-scopes`: screen, history:read, history:erase or admin. A credential belongs "
    "to a team: omitted `team` means its own, another team's runner or screening is not found (404).",
}


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


class ScreeningApi(Api):
    """flask-smorest's Api answering and documenting errors as RFC 9457 problem+json."""

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self):
        init_problems(self._app)

    def _register_responses(self):
        # The base class documents its default error responses as application/json.
        super()._register_responses()
        for response in self.spec.components.responses_lazy.values():
            content = response.get("content", {})
            if JSON in content:
                content[PROBLEM_JSON] = content.pop(JSON)
                response["headers"] = dict(REQUEST_ID_HEADER)


def largest_accepted(limit_km: float, factor: float) -> float:
    """The largest float `x` with `x * factor <= limit_km`: the exact edge the core's check enforces."""
    x = limit_km / factor
    while x * factor > limit_km:
        x = math.nextafter(x, 0)
    while math.nextafter(x, math.inf) * factor <= limit_km:
        x = math.nextafter(x, math.inf)
    return x


def _distance_limits(properties: dict, unit_key: str, names: dict) -> list[dict]:
    """anyOf branches: every distance at most 400 km, in km (the default) or in miles."""
    branches = []
    for unit, factor in (("km", 1.0), ("mi", KM_PER_MILE)):
        top = MAX_DISTANCE_KM if unit == "km" else largest_accepted(MAX_DISTANCE_KM, factor)
        branch: dict[str, Any] = {"properties": {unit_key: {"enum": [unit]}}}
        for name, is_list in names.items():
            limit = {"maximum": top}
            branch["properties"][name] = {"items": limit} if is_list else limit
        if unit == "mi":
            branch["required"] = [unit_key]
        branches.append(branch)
    return branches


def register_components(api: Api) -> None:
    """Add the intake to the spec's components."""
    for field, kind in ((WholeNumber, "integer"), (StrictNumber, "number"), (StrictBoolean, "boolean")):
        api.register_field(field, kind, None)
    api.spec.components.schema("Intake", schema=IntakeSchema)
    schemas = api.spec.components.schemas
    training = schemas[schemas["Intake"]["properties"]["training"]["$ref"].rsplit("/", 1)[1]]
    training["anyOf"] = _distance_limits(
        training["properties"], "unit", {"weekly_distance": True, "longest_run_30d": False, "latest_run": False}
    )
    _nullable_sections(schemas["Intake"]["properties"])


def _nullable_sections(properties: dict) -> None:
    """An optional section that may be null: the section's schema or null, not "any object".

    apispec writes a nullable Nested field as anyOf [$ref, {type: object, nullable: true}],
    whose second arm admits every object (an empty `ostrc_o2` too), which the service rejects.
    """
    for prop in properties.values():
        arms = prop.get("anyOf", [])
        if len(arms) == 2 and "$ref" in arms[0] and arms[1] == {"type": "object", "nullable": True}:
            del prop["anyOf"]
            prop["allOf"] = [arms[0]]
            prop["nullable"] = True


def intake_body(description: str) -> dict:
    return {
        "required": True,
        "description": description,
        "content": {JSON: {"schema": ref("Intake")}},
    }


def problems(*statuses: int, **descriptions: str) -> dict:
    """Document problem+json responses: `problems(400, 415)` for stock text, `s422="..."` to say more."""
    described = {int(key[1:]): text for key, text in descriptions.items()}
    responses = {}
    for status in (*statuses, *described):
        text = described.get(status) or STOCK[status]
        responses[str(status)] = {
            "description": text,
            "headers": dict(REQUEST_ID_HEADER),
            "content": {PROBLEM_JSON: {"schema": ref("Problem")}},
        }
    return responses


STOCK = {
    400: "Malformed body: not JSON, not UTF-8, a key given twice, or a CSV that cannot be read (its row is named)",
    408: "The body was not sent whole within the server's read timeout",
    404: "No such resource",
    413: "Body larger than the service takes (MAX_CONTENT_LENGTH, 16 MiB; one intake: INTAKE_MAX_CONTENT_LENGTH, "
    "64 KiB), with or without Content-Length",
    415: "Body in a media type this operation does not take (see Accept-Post); the JSON API never takes an HTML "
    "form's (urlencoded, multipart, text/plain)",
    422: "Invalid intake: `errors` lists every problem by field path",
    503: "Not ready: the rules are not loaded or the engine does not answer",
}


def init_app(app) -> Api:
    """Create the Api on `app` (spec at /openapi.json, docs at /docs) and serve the docs assets."""
    for key, value in CONFIG.items():
        app.config.setdefault(key, value)
    api = ScreeningApi(app, spec_kwargs={"info": {"description": app.config.get("API_DESCRIPTION", "")}})
    api.spec.components.header("RequestId", REQUEST_ID)
    api.spec.components.security_scheme("bearer", BEARER_SCHEME)
    # flask-smorest registers its pagination schema up front; nothing here paginates.
    api.spec.components.schemas.pop("PaginationMetadata", None)
    register_components(api)
    assets = Blueprint(
        "docs_assets",
        __name__,
        static_folder=swagger_ui_bundle.swagger_ui_path,
        static_url_path=DOCS_ASSETS.rstrip("/"),
    )
    app.register_blueprint(assets)
    app.add_url_rule("/docs/", "docs_slash", lambda: redirect("/docs", 308))
    app.after_request(protect_docs)
    return api


def protect_docs(response):
    """The protective headers on the docs page, its assets and the spec."""
    if request.path in ("/docs", "/docs/", "/openapi.json") or request.path.startswith((DOCS_ASSETS, "/static/docs/")):
        for name, value in DOCS_SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
    return response
