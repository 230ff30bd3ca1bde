"""The audit trail as FHIR R4 AuditEvents in a Bundle (`soleus-screen audit export`).

One AuditEvent per entry: `type` DICOM 110110 "Patient Record" (an access to a
runner's record), `subtype` the entry's action (this service's code system),
`action` C/R/D/E as the FHIR AuditEventAction says, `recorded` its time,
`outcome` 0 (success), 4 (a refusal or an invalid request: minor failure) or
8 (the service failed: serious failure) with the outcome and HTTP status in
`outcomeDesc`; one `agent` (the actor, requestor, with the client address),
`source` the service (site: the team), and an `entity` for the runner
(pseudonymous id, under its team) with the screening and request ids (and a removal's reason) as
details. Nothing of an intake or result is in it: the entry holds none.
"""

BASE = "urn:soleus-screen:fhir"
DCM = "http://dicom.nema.org/resources/ontology/DCM"
ACTION_SYSTEM = f"{BASE}:CodeSystem/audit-action"
ACTOR_SYSTEM = f"{BASE}:NamingSystem/actor-"  # + kind: key, account, oidc, cli, anonymous
RUNNER_SYSTEM = f"{BASE}:NamingSystem/runner-id"
ENTITY_TYPE = "http://terminology.hl7.org/CodeSystem/audit-entity-type"
OBJECT_ROLE = "http://terminology.hl7.org/CodeSystem/object-role"
# FHIR AuditEventAction: Create, Read, Update, Delete, Execute.
ACTION_CODES = {
    "screen": "C",
    "screen_batch": "E",
    "read_screenings": "R",
    "read_screening": "R",
    "read_trend": "R",
    "prefill": "R",
    "erase": "D",
    "erase_screening": "D",
    "read_audit": "R",
    "sign_in": "E",
    "sign_out": "E",
}
OUTCOME_CODES = {"ok": "0", "failed": "8"}  # every other outcome (a refusal, an invalid request) is 4


def _instant(moment) -> str:
    """A naive UTC time (as the store keeps it) as a FHIR instant."""
    return moment.isoformat(timespec="milliseconds") + "Z"


def audit_event(row) -> dict:
    """One audit entry (a row of audit_events) as an R4 AuditEvent."""
    agent: dict = {
        "type": {"text": row.actor_kind},
        "requestor": True,
    }
    if row.actor:
        agent["who"] = {"identifier": {"system": ACTOR_SYSTEM + row.actor_kind, "value": row.actor}}
        agent["name"] = row.actor
    else:
        agent["name"] = "no credential given" if row.actor_kind == "none" else row.actor_kind
    if row.client_address:
        agent["network"] = {"address": row.client_address, "type": "2"}
    event: dict = {
        "resourceType": "AuditEvent",
        "id": row.event_id,
        "type": {"system": DCM, "code": "110110", "display": "Patient Record"},
        "subtype": [{"system": ACTION_SYSTEM, "code": row.action}],
        "action": ACTION_CODES.get(row.action, "E"),
        "recorded": _instant(row.at),
        "outcome": OUTCOME_CODES.get(row.outcome, "4"),
        "outcomeDesc": row.outcome + (f" (HTTP {row.status})" if row.status is not None else ""),
        "agent": [agent],
        "source": {"observer": {"display": "soleus-screen"}, **({"site": row.team} if row.team else {})},
    }
    details = [
        {"type": name, "valueString": value}
        for name, value in (
            ("screening_id", row.screening_id),
            ("request_id", row.request_id),
            ("team", row.team),
            ("reason", row.reason),
        )
        if value
    ]
    if row.runner_id or details:
        entity: dict = {"type": {"system": ENTITY_TYPE, "code": "1", "display": "Person"}}
        if row.runner_id:
            entity["what"] = {"identifier": {"system": RUNNER_SYSTEM, "value": row.runner_id}}
            entity["role"] = {"system": OBJECT_ROLE, "code": "1", "display": "Patient"}
        if details:
            entity["detail"] = details
        event["entity"] = [entity]
    return event


def bundle(rows, *, timestamp: str) -> dict:
    """A collection Bundle of the entries' AuditEvents, oldest first."""
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": timestamp,
        "entry": [{"fullUrl": f"urn:uuid:{_uuid(row.event_id)}", "resource": audit_event(row)} for row in rows],
    }


def _uuid(hex32: str) -> str:
    return f"{hex32[:8]}-{hex32[8:12]}-{hex32[12:16]}-{hex32[16:20]}-{hex32[20:32]}"
