"""Read the audit trail: who screened, read or erased which runner, and every refusal.

    GET /v1/audit?runner_id=&team=&actor=&action=&since=&until=&cursor=&limit=   newest first, by cursor

Needs the scope `admin`. An admin of some teams sees their teams' entries
only (the filter is in the query); the first admin (every team) sees all,
entries without a team too. `soleus-screen audit export` gives the same
entries as a FHIR R4 Bundle of AuditEvents.
"""

import re
from datetime import UTC, datetime

from flask import current_app, request
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from api.access import guard, requires
from api.access.principal import ADMIN
from api.operations.store_binding import database
from api.plumbing.openapi import REQUEST_ID_HEADER, REQUEST_ID_PARAMETER, problems
from api.plumbing.problems import Problem
from screening.history import audit_trail as audit  # the view below is audit_trail: its endpoint name
from screening.intake.schema import RUNNER_ID_PATTERN
from screening.timestamps import format_time

blp = Blueprint("audit", __name__, url_prefix="/v1", description="The audit trail: every access to a runner's data")
LIMIT, LIMIT_MAX = 50, 500
EVENT_ID = r"^[0-9a-f]{32}$"


def _query(name: str, description: str, **schema) -> dict:
    return {"in": "query", "name": name, "required": False, "description": description, "schema": schema}


PARAMETERS = [
    _query("runner_id", "Only entries about this runner", type="string", pattern=RUNNER_ID_PATTERN),
    _query("team", "Only this team's entries (one of the credential's)", type="string", pattern=RUNNER_ID_PATTERN),
    _query("actor", "Only this actor's (a key name, an account, a token's subject)", type="string", maxLength=254),
    _query("action", "Only this action", type="string", enum=list(audit.ACTIONS)),
    _query("since", "From this time on (RFC 3339, or a date: its start, UTC)", type="string", format="date-time"),
    _query("until", "Before this time (RFC 3339, or a date: its start, UTC)", type="string", format="date-time"),
    _query("cursor", "The previous page's next_cursor", type="string", pattern=EVENT_ID),
    _query("limit", f"How many entries (default {LIMIT})", type="integer", minimum=1, maximum=LIMIT_MAX),
]


class AuditEntryOut(Schema):
    event_id = fields.String(required=True)
    at = fields.String(required=True, metadata={"description": "UTC, ISO 8601"})
    actor = fields.String(required=True, allow_none=True, metadata={"description": "Key name, account, subject"})
    actor_kind = fields.String(required=True, metadata={"enum": list(audit.ACTOR_KINDS)})
    team = fields.String(required=True, allow_none=True)
    action = fields.String(required=True, metadata={"enum": list(audit.ACTIONS)})
    runner_id = fields.String(required=True, allow_none=True)
    screening_id = fields.String(required=True, allow_none=True)
    outcome = fields.String(required=True, metadata={"enum": list(audit.OUTCOMES)})
    status = fields.Integer(required=True, allow_none=True, metadata={"description": "The HTTP status answered"})
    request_id = fields.String(required=True, allow_none=True)
    client_address = fields.String(required=True, allow_none=True)
    reason = fields.String(
        required=True, allow_none=True, metadata={"description": "Why (erase_screening takes a reason)"}
    )


class AuditPageOut(Schema):
    entries = fields.List(fields.Nested(AuditEntryOut), required=True)
    next_cursor = fields.String(
        required=True, allow_none=True, metadata={"description": "Pass as `cursor` for the next page; null: last page"}
    )


def parse_moment(text: str, name: str) -> datetime:
    """An RFC 3339 time or a date (its start), as naive UTC; 422 naming the parameter otherwise."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise Problem(
            422, f"The {name} is invalid: see errors.", errors={name: ["Expected RFC 3339 or a date."]}
        ) from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def _text(name: str, pattern: str) -> str | None:
    value = request.args.get(name)
    if value is not None and not re.fullmatch(pattern, value):
        raise Problem(422, f"The {name} is invalid: see errors.", errors={name: [f"Expected {pattern}."]})
    return value


def row_out(row) -> dict:
    return {
        "event_id": row.event_id,
        "at": format_time(row.at),
        "actor": row.actor,
        "actor_kind": row.actor_kind,
        "team": row.team,
        "action": row.action,
        "runner_id": row.runner_id,
        "screening_id": row.screening_id,
        "outcome": row.outcome,
        "status": row.status,
        "request_id": row.request_id,
        "client_address": row.client_address,
        "reason": row.reason,
    }


@blp.get("/audit")
@requires(ADMIN, "read_audit")
@blp.doc(parameters=[*PARAMETERS, REQUEST_ID_PARAMETER])
@blp.response(200, AuditPageOut, headers=REQUEST_ID_HEADER, description="One page of entries, newest first")
@blp.doc(responses=problems(s422="An invalid filter, cursor or limit: `errors` names it", s503="No database"))
def audit_trail():
    """Read the audit trail

    Every access to a runner's data (screen, read, prefill, erase) and every
    refusal of one, newest first: time, actor, team, action, runner,
    screening, outcome, request id and client address; never an intake value
    or a result. Filters combine; pages continue by `cursor`. Needs the scope
    `admin`; an admin of some teams sees only theirs.
    """
    trail = database()
    if trail is None:
        raise Problem(503, "This service has no database, so no audit trail (AUTH=off and STORE=off).")
    who = guard.principal()
    asked_team = _text("team", RUNNER_ID_PATTERN)
    if asked_team is not None and not who.has_team(asked_team):
        raise Problem(403, f"This credential is not for team {asked_team}.")
    action = request.args.get("action")
    if action is not None and action not in audit.ACTIONS:
        raise Problem(
            422, "The action is invalid: see errors.", errors={"action": [f"Expected one of {audit.ACTIONS}."]}
        )
    limit_text = request.args.get("limit")
    if limit_text is not None and (not limit_text.isdigit() or not 1 <= int(limit_text) <= LIMIT_MAX):
        raise Problem(422, "The limit is invalid: see errors.", errors={"limit": [f"Expected 1-{LIMIT_MAX}."]})
    actor = request.args.get("actor")
    if actor is not None and len(actor) > 254:
        raise Problem(422, "The actor is invalid: see errors.", errors={"actor": ["Expected at most 254 characters."]})
    filters = audit.Filters(
        teams=who.teams,
        team=asked_team,
        runner_id=_text("runner_id", RUNNER_ID_PATTERN),
        actor=actor,
        action=action,
        since=parse_moment(request.args["since"], "since") if "since" in request.args else None,
        until=parse_moment(request.args["until"], "until") if "until" in request.args else None,
    )
    rows, following = audit.page(trail.engine, filters, limit=int(limit_text or LIMIT), after=_text("cursor", EVENT_ID))
    response = current_app.json.response({"entries": [row_out(row) for row in rows], "next_cursor": following})
    response.headers["Cache-Control"] = "no-store"
    return response
