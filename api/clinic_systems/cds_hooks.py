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

No intake in the prefetch (see cds_prefetch): the service fetches it from the
call's `fhirServer`; with no `fhirServer` either, the answer is 412, as the
spec requires of a service that cannot get the data it needs. When the key is
there but null (the client has no such response) or an empty Bundle, there is
nothing to advise on: 200 with no cards.
"""

import logging
from collections import Counter
from datetime import UTC, datetime

from flask import current_app, request, url_for
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from api.clinic_systems import cds_result
from api.clinic_systems.cds_auth import LEEWAY, TrustedClients, Unauthorised, testing
from api.clinic_systems.cds_prefetch import PREFETCH_KEY, intake_response, prefetch_template
from api.clinic_systems.cds_replay import SeenTokens
from api.clinic_systems.fhir import items, model_errors, specs
from api.operations.screener_binding import screener
from api.operations.store_binding import database_of
from api.plumbing.body import json_body, media_type
from api.plumbing.json_provider import encode
from api.plumbing.limits import limit_body
from api.plumbing.openapi import JSON, REQUEST_ID_HEADER, REQUEST_ID_PARAMETER, problems
from api.plumbing.problems import Problem
from screening import IntakeError
from screening.interop.bounds import count_errors
from screening.interop.cards import risk_card, unreadable_card
from screening.interop.response import read_intake

SERVICE_ID = "soleus-screen"
KEY = "soleus.cds"
logger = logging.getLogger("soleus.cds")

blp = Blueprint(
    "cds_hooks", __name__, url_prefix="/cds-services", description="CDS Hooks 2.0: screening cards for clinic records"
)


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
                    PREFETCH_KEY: prefetch_template(),
                },
                "usageRequirements": "Needs the prefetch `intake`, or a fhirServer (https) and fhirAuthorization "
                "to fetch it with. Calls are authorised by a signed JWT (ES384 or RS384).",
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
    stored = fields.Boolean(
        required=True,
        metadata={"description": "Always false: feedback is logged, not stored (the CDS service keeps no history)"},
    )


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
        415,
        s413="The call is larger than CDS_MAX_CONTENT_LENGTH (1 MiB): refused before it is read",
        s412="The intake cannot be had: the prefetch has no `intake` key and there is no fhirServer, or "
        "fetching it from the fhirServer failed, or the client reports an error for it",
        **UNAUTHORISED,
    )
)
def call_service():
    """Screen the runner whose chart was opened

    Reads the prefetched QuestionnaireResponse (or a searchset Bundle of
    them; without the prefetch key, fetches it from the fhirServer) and
    answers one card: indicator critical for an urgent referral, warning for
    high risk or a soon referral, info otherwise; a link to the full result
    and a suggestion to create the referral when one is required.
    """
    authorise()
    limit_body(current_app.config["CDS_MAX_CONTENT_LENGTH"], "CDS_MAX_CONTENT_LENGTH")
    media_type(JSON)
    body = json_body()
    patient_id = _hook_request(body)
    patient = (body.get("prefetch") or {}).get("patient")
    if isinstance(patient, dict) and patient.get("id") not in (None, patient_id):
        _log(logging.WARNING, "cds_patient_mismatch", detail="the prefetched Patient is not the context's; no cards")
        return _cards([])
    response = intake_response(body, patient_id)
    if response is None:
        return _cards([])
    subject = response.get("subject")
    reference = subject.get("reference") if isinstance(subject, dict) else None
    if isinstance(reference, str) and reference.rsplit("/", 2)[-2:] != ["Patient", patient_id]:
        _log(logging.WARNING, "cds_patient_mismatch", detail="the response's subject is not the context's; no cards")
        return _cards([])
    core = screener()
    source = _absolute(url_for("rules.list_rules"))
    ruleset = {"name": core.ruleset.name, "version": core.ruleset.version}
    errors = count_errors(response, specs()) or model_errors(response)
    if errors:
        return _cards([unreadable_card(errors, source_url=source, ruleset=ruleset)])
    try:
        intake = read_intake(response, items(), core.validate)
    except IntakeError as error:
        return _cards([unreadable_card(error.errors, source_url=source, ruleset=ruleset)])
    result = core.screen_valid(intake)
    link = _absolute(cds_result.result_path(intake, result))
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
    content). Not stored: the CDS service keeps no history of its own (the EHR holds the record).
    """
    authorise()
    media_type(JSON)
    body = json_body()
    entries = body.get("feedback") if isinstance(body, dict) else None
    if not isinstance(entries, list) or not all(_feedback_ok(entry) for entry in entries):
        raise Problem(400, 'Expected {"feedback": [{"card", "outcome": accepted|overridden, "outcomeTimestamp"}]}.')
    outcomes = Counter(entry["outcome"] for entry in entries)
    _log(logging.INFO, "cds_feedback", items=len(entries), outcomes=dict(outcomes))
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
        _log(logging.WARNING, "cds_refused", detail=str(reason))
        raise Problem(401, str(reason), headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}) from None


def _log(level: int, event: str, **fields) -> None:
    """One JSON log line, like the request log's: what happened, never a payload or a patient id."""
    now = datetime.now(UTC).isoformat(timespec="milliseconds")
    logger.log(level, encode({"time": now, "event": event, **fields}).decode())


def _absolute(path: str) -> str:
    base = current_app.config.get("CDS_BASE_URL") or request.url_root
    return base.rstrip("/") + path


def init_app(app) -> None:
    """Set up authorisation (once, at start) and the result page."""
    if str(app.config.get("CDS_AUTH", "on")).lower() in ("off", "false", "0", "no"):
        logging.getLogger("soleus").warning(
            "CDS Hooks authorisation is OFF (SOLEUS_CDS_AUTH=off): any caller gets cards. For local testing only."
        )
        app.extensions[KEY] = None
    else:
        # No trusted clients is not a fault: `serve` says the part is off and how to turn it on
        # (api/commands/serve_ready.py).
        opened = database_of(app)
        seen = SeenTokens(opened.engine if opened is not None else None, LEEWAY)
        app.extensions[KEY] = clients = TrustedClients(app.config.get("CDS_CLIENTS") or {}, seen)
        if clients and not app.config.get("CDS_BASE_URL") and not testing(app):
            raise ValueError(
                "CDS_BASE_URL is required with CDS_CLIENTS: the public base URL the clients' tokens name in `aud` "
                "(e.g. https://screen.example.org); without it the audience would come from the caller's Host "
                "header. SOLEUS_CDS_TESTING=on takes it from the request, for local testing only."
            )
    app.register_blueprint(cds_result.bp)
