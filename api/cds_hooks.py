"""The CDS Hooks 2.0 service: screening cards in the clinic's record when a runner's chart opens.

    GET  /cds-services                          discovery: one service, `soleus-screen`, on patient-view
    POST /cds-services/soleus-screen            the prefetched intake -> cards
    POST /cds-services/soleus-screen/feedback   feedback on the cards: accepted and logged, not stored
    GET  /cds-services/soleus-screen/result     the full result page a card links to (not in the API spec)

Calls are authorised by the client's signed JWT (cds_auth): set CDS_CLIENTS
(issuer -> JWKS file or URL) and, behind a proxy, CDS_BASE_URL (the public
base URL, which every token's `aud` must name). SOLEUS_CDS_AUTH=off skips the
check, for local testing only (a warning is logged at start). Discovery holds
nothing sensitive and needs no token.

No intake in the prefetch: when the key `intake` is missing (the client did
not or could not prefetch it) the answer is 412, as the spec requires of a
service that cannot get the data it needs: this service does not query the
client's FHIR server itself, so a `fhirServer` does not help. When the key is
there but null (the client has no such response) or an empty Bundle, there is
nothing to advise on: 200 with no cards.
"""

import base64
import hashlib
import json
import logging
from collections import Counter

from cryptography.fernet import Fernet, InvalidToken
from flask import Blueprint as PageBlueprint
from flask import current_app, render_template, request, url_for
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from api import form
from api.body import json_body, media_type
from api.cds_auth import TrustedClients, Unauthorised
from api.fhir import items, model_errors
from api.openapi import JSON, REQUEST_ID_HEADER, REQUEST_ID_PARAMETER, problems
from api.problems import Problem
from api.service import screener
from screening import IntakeError
from screening.interop import codes
from screening.interop.cards import risk_card, unreadable_card
from screening.interop.response import read_intake

SERVICE_ID = "soleus-screen"
PREFETCH_KEY = "intake"
KEY = "soleus.cds"
RESULT_LINK_TTL = 3600  # seconds a card's result link works
logger = logging.getLogger("soleus.cds")

blp = Blueprint(
    "cds_hooks", __name__, url_prefix="/cds-services", description="CDS Hooks 2.0: screening cards for clinic records"
)
pages = PageBlueprint("cds_pages", __name__)


def discovery() -> dict:
    return {
        "services": [
            {
                "hook": "patient-view",
                "title": "Soleus (calf) strain risk screening",
                "description": "Screens the runner's most recent soleus-intake QuestionnaireResponse: risk band, "
                "referral (urgent for a red flag) and recommendations, each rule with its evidence.",
                "id": SERVICE_ID,
                "prefetch": {
                    "patient": "Patient/{{context.patientId}}",
                    PREFETCH_KEY: "QuestionnaireResponse?patient={{context.patientId}}"
                    f"&questionnaire={codes.QUESTIONNAIRE_URL}&status=completed&_sort=-authored&_count=1",
                },
                "usageRequirements": "Needs the prefetch `intake` (this service does not query FHIR servers). "
                "Calls are authorised by a signed JWT (ES384 or RS384).",
            }
        ]
    }


class ServiceOut(Schema):
    hook = fields.String(required=True)
    title = fields.String()
    description = fields.String(required=True)
    id = fields.String(required=True)
    prefetch = fields.Dict(keys=fields.String(), values=fields.String())
    usageRequirements = fields.String()


class DiscoveryOut(Schema):
    services = fields.List(fields.Nested(ServiceOut), required=True)


class CardsOut(Schema):
    cards = fields.List(
        fields.Dict(), required=True, metadata={"description": "CDS Hooks 2.0 cards; empty when there is no intake"}
    )


class FeedbackOut(Schema):
    accepted = fields.Integer(required=True, metadata={"description": "How many feedback items were accepted"})
    stored = fields.Boolean(required=True, metadata={"description": "Always false: there is no history store yet"})


HOOK_REQUEST = {
    "type": "object",
    "required": ["hook", "hookInstance", "context"],
    "properties": {
        "hook": {"type": "string", "enum": ["patient-view"]},
        "hookInstance": {"type": "string"},
        "fhirServer": {"type": "string"},
        "fhirAuthorization": {"type": "object"},
        "context": {
            "type": "object",
            "required": ["userId", "patientId"],
            "properties": {"userId": {"type": "string"}, "patientId": {"type": "string"}},
        },
        "prefetch": {"type": "object"},
    },
}
FEEDBACK_REQUEST = {
    "type": "object",
    "required": ["feedback"],
    "properties": {
        "feedback": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["card", "outcome", "outcomeTimestamp"],
                "properties": {
                    "card": {"type": "string"},
                    "outcome": {"type": "string", "enum": ["accepted", "overridden"]},
                    "outcomeTimestamp": {"type": "string"},
                },
            },
        }
    },
}
UNAUTHORISED = {"s401": "No bearer JWT, or one that does not verify (signature, issuer, aud, exp, jti)"}


@blp.get("")
@blp.doc(parameters=[REQUEST_ID_PARAMETER])
@blp.response(200, DiscoveryOut, headers=REQUEST_ID_HEADER, description="The CDS services offered")
def discover():
    """Discover the CDS services

    One service, `soleus-screen`, on the patient-view hook, with prefetch
    templates for the Patient and the most recent soleus-intake response.
    """
    return current_app.json.response(discovery())


@blp.post(f"/{SERVICE_ID}")
@blp.doc(
    parameters=[REQUEST_ID_PARAMETER],
    requestBody={"required": True, "content": {JSON: {"schema": HOOK_REQUEST}}},
)
@blp.response(200, CardsOut, headers=REQUEST_ID_HEADER, description="Cards (none when there is no intake on record)")
@blp.doc(
    responses=problems(
        400,
        413,
        415,
        s412="The prefetch has no `intake` key (or the client reports an error for it): the service cannot get "
        "the intake, as it does not query FHIR servers",
        **UNAUTHORISED,
    )
)
def call_service():
    """Screen the runner whose chart was opened

    Reads the prefetched QuestionnaireResponse (or a searchset Bundle of them)
    and answers one card: indicator critical for an urgent referral, warning for
    high risk or a soon referral, info otherwise; a link to the full result and
    a suggestion to create the referral when one is required.
    """
    authorise()
    media_type(JSON)
    body = json_body()
    patient_id = _hook_request(body)
    prefetch = body.get("prefetch") or {}
    if PREFETCH_KEY not in prefetch:
        raise Problem(412, f"The prefetch has no '{PREFETCH_KEY}': send the discovery's prefetch template result.")
    response = latest_response(prefetch[PREFETCH_KEY])
    if response is None:
        return _cards([])
    subject = (response.get("subject") or {}).get("reference")
    if isinstance(subject, str) and subject.rsplit("/", 2)[-2:] != ["Patient", patient_id]:
        logger.warning("cds: the prefetched response is about another patient than the context's; ignored")
        return _cards([])
    core = screener()
    source = _absolute(url_for("rules.list_rules"))
    ruleset = {"name": core.ruleset.name, "version": core.ruleset.version}
    errors = model_errors(response)
    if errors:
        return _cards([unreadable_card(errors, source_url=source, ruleset=ruleset)])
    try:
        intake = read_intake(response, items(), core.validate)
    except IntakeError as error:
        return _cards([unreadable_card(error.errors, source_url=source, ruleset=ruleset)])
    result = core.screen_valid(intake)
    link = _absolute(url_for("cds_pages.result_page", token=result_token(intake, result)))
    return _cards([risk_card(result, source_url=source, result_url=link, patient_id=patient_id)])


@blp.post(f"/{SERVICE_ID}/feedback")
@blp.doc(
    parameters=[REQUEST_ID_PARAMETER], requestBody={"required": True, "content": {JSON: {"schema": FEEDBACK_REQUEST}}}
)
@blp.response(
    200, FeedbackOut, headers=REQUEST_ID_HEADER, description="The feedback was accepted (and logged, not stored)"
)
@blp.doc(responses=problems(400, 413, 415, **UNAUTHORISED))
def feedback():
    """Take feedback on cards

    Accepted and logged (how many items, and their outcomes; never the
    content). Not stored: there is no history store yet.
    """
    authorise()
    media_type(JSON)
    body = json_body()
    entries = body.get("feedback") if isinstance(body, dict) else None
    if not isinstance(entries, list) or not all(_feedback_ok(entry) for entry in entries):
        raise Problem(400, 'Expected {"feedback": [{"card", "outcome": accepted|overridden, "outcomeTimestamp"}]}.')
    outcomes = Counter(entry["outcome"] for entry in entries)
    logger.info(json.dumps({"event": "cds_feedback", "items": len(entries), "outcomes": dict(outcomes)}))
    return current_app.json.response({"accepted": len(entries), "stored": False})


def _feedback_ok(entry) -> bool:
    return (
        isinstance(entry, dict)
        and isinstance(entry.get("card"), str)
        and entry.get("outcome") in ("accepted", "overridden")
        and isinstance(entry.get("outcomeTimestamp"), str)
    )


def _hook_request(body) -> str:
    """The patient id of a valid patient-view call; 400 naming what is wrong otherwise."""
    if not isinstance(body, dict):
        raise Problem(400, "Expected a CDS Hooks request object.")
    if body.get("hook") != "patient-view":
        raise Problem(400, f"This service answers the patient-view hook, not {body.get('hook')!r}.")
    if not isinstance(body.get("hookInstance"), str):
        raise Problem(400, "hookInstance is required (a UUID string).")
    context = body.get("context")
    if not isinstance(context, dict) or not isinstance(context.get("patientId"), str) or not context["patientId"]:
        raise Problem(400, "context.patientId is required (a string).")
    if "prefetch" in body and not isinstance(body["prefetch"], dict):
        raise Problem(400, "prefetch must be an object.")
    return context["patientId"]


def latest_response(prefetched) -> dict | None:
    """The QuestionnaireResponse to screen from the prefetch value, None if there is none; 412 or 400 if unusable."""
    if prefetched is None:
        return None
    kind = prefetched.get("resourceType") if isinstance(prefetched, dict) else None
    if kind == "QuestionnaireResponse":
        return prefetched
    if kind == "OperationOutcome":
        raise Problem(412, "The client could not prefetch the intake (it sent an OperationOutcome).")
    if kind == "Bundle":
        found = [
            entry["resource"]
            for entry in prefetched.get("entry") or []
            if isinstance(entry, dict)
            and isinstance(entry.get("resource"), dict)
            and entry["resource"].get("resourceType") == "QuestionnaireResponse"
        ]
        # ISO 8601 instants of one zone sort as text; a response without `authored` sorts first.
        return max(found, key=lambda each: str(each.get("authored") or ""), default=None)
    raise Problem(400, f"prefetch.{PREFETCH_KEY} must be a QuestionnaireResponse, a Bundle of them, or null.")


def _cards(cards: list) -> object:
    response = current_app.json.response({"cards": cards})
    response.headers["Cache-Control"] = "no-store"
    return response


def authorise() -> None:
    """Verify the call's JWT (aud = this endpoint's URL), unless CDS_AUTH is off; 401 otherwise."""
    clients = current_app.extensions[KEY]
    if clients is None:
        return
    try:
        clients.verify(request.headers.get("Authorization"), _absolute(request.path))
    except Unauthorised as reason:
        logger.warning("cds: call refused: %s", reason)
        raise Problem(401, str(reason), headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}) from None


def _absolute(path: str) -> str:
    base = current_app.config.get("CDS_BASE_URL") or request.url_root
    return base.rstrip("/") + path


def _fernet() -> Fernet:
    digest = hashlib.sha256(
        b"soleus-screen cds result link\0" + str(current_app.config["SECRET_KEY"]).encode()
    ).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def result_token(intake: dict, result: dict) -> str:
    """The intake and the screening's id and time, encrypted: the link shows this very result, nothing is stored."""
    content = {"intake": intake, "screening_id": result["screening_id"], "screened_at": result["screened_at"]}
    return _fernet().encrypt(json.dumps(content, separators=(",", ":")).encode()).decode()


@pages.get(f"/cds-services/{SERVICE_ID}/result")
def result_page():
    """Show the full result a card links to (the link works for CDS_RESULT_LINK_TTL seconds)."""
    ttl = int(current_app.config.get("CDS_RESULT_LINK_TTL", RESULT_LINK_TTL))
    try:
        content = json.loads(_fernet().decrypt(request.args.get("token", ""), ttl=ttl))
    except (InvalidToken, ValueError):
        raise Problem(404, "This result link is not valid or has expired: open the runner's record again.") from None
    core = screener()
    result = core.screen_valid(
        core.validate(content["intake"]), screening_id=content["screening_id"], screened_at=content["screened_at"]
    )
    units = {name: spec.unit for name, spec in core.ruleset.inputs.items()}
    page = render_template("clinic/result.html", result=result, units=units, download=form._download(result))
    return form.protect_page(current_app.make_response(page))


def init_app(app) -> None:
    """Set up authorisation (once, at start) and the result page."""
    if str(app.config.get("CDS_AUTH", "on")).lower() == "off":
        logging.getLogger("soleus").warning(
            "CDS Hooks authorisation is OFF (SOLEUS_CDS_AUTH=off): any caller gets cards. For local testing only."
        )
        app.extensions[KEY] = None
    else:
        clients = TrustedClients(app.config.get("CDS_CLIENTS") or {})
        if not clients:
            logging.getLogger("soleus").warning(
                "CDS Hooks: no trusted clients (CDS_CLIENTS): every call to the CDS service is refused (401)."
            )
        app.extensions[KEY] = clients
    app.register_blueprint(pages)
