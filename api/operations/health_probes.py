"""Answer the orchestrator: is the process alive, and can it screen?

GET /health   200 while the process answers (liveness)
GET /ready    200 once the rules are loaded, the engine screens a probe intake and the database (when
              the service has one) can be reached and written; else 503 with the reason
"""

from flask import current_app
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from api.operations import metrics
from api.operations.screener_binding import KEY
from api.operations.store_binding import database, log
from api.plumbing.openapi import REQUEST_ID_HEADER, problems
from api.plumbing.problems import Problem
from screening import ScreeningError
from screening.result.schema import RulesetRef

blp = Blueprint("health", __name__, description="Liveness and readiness probes")

# A made-up runner with every required field: screening it exercises validation, the engine and the result.
PROBE_INTAKE = {
    "runner": {"id": "readiness-probe", "age": 40},
    "training": {"weekly_distance": [20, 20, 20, 20]},
    "wellness": {"fatigue": 0, "soreness": 0},
    "heel_raise": {"left": None, "right": None},
}


class HealthOut(Schema):
    status = fields.String(required=True, metadata={"description": "ok"})


class ReadyOut(Schema):
    status = fields.String(required=True, metadata={"description": "ready"})
    ruleset = fields.Nested(RulesetRef, required=True)
    rules = fields.Integer(required=True, metadata={"description": "Number of rules loaded"})
    store = fields.String(
        metadata={
            "description": "Optional (added by issue 23): `writable` when the service has a database (the history "
            "store, or with access control the keys and audit trail) and it can be reached and written "
            "(checked at most every 1.5 s); absent when the service keeps no database."
        }
    )


@blp.get("/health")
@blp.response(200, HealthOut, headers=REQUEST_ID_HEADER, description="The process is alive")
def health():
    """Check liveness

    Answers as long as the process serves requests; says nothing about the rules.
    """
    return {"status": "ok"}


@blp.get("/ready")
@blp.response(200, ReadyOut, headers=REQUEST_ID_HEADER, description="The rules are loaded and the engine screens")
@blp.doc(
    responses=problems(
        s503="Not ready: the rules are not loaded, the engine does not answer, or the database cannot be reached "
        "or written (the detail says why; then `store` has the database's own `code` and `message`)"
    )
)
def ready():
    """Check readiness

    Ready once the ruleset is loaded, a made-up probe intake screens
    through the engine and the database can be reached and written; 503
    otherwise, its detail and `store` member saying why in the database's own
    words (`code`: SQLite's result code name or PostgreSQL's SQLSTATE). A
    store that fails is looked at again every 1.5 s, and the service is ready
    again by itself once it works.
    """
    core = current_app.extensions.get(KEY)
    if core is None:
        raise Problem(503, "The rules are not loaded.")
    try:
        core.screen(PROBE_INTAKE)
    except ScreeningError as error:
        current_app.logger.error("readiness probe failed: %s", type(error).__name__)
        raise Problem(503, "The rules engine did not screen the probe intake.") from None
    ruleset = core.ruleset
    ready = {"status": "ready", "ruleset": ruleset.ref, "rules": len(ruleset.rules)}
    opened = database()
    if opened is None:
        return ready
    failure = opened.health.status()
    _log_change(failure)
    if failure is not None:
        metrics.unavailable("not_ready")
        raise Problem(
            503,
            f"The database cannot be written: {failure}. Screenings are answered 503 (nothing stored) meanwhile.",
            store={"code": failure.code, "message": failure.message},
        )
    return {**ready, "store": "writable"}


_last_logged: list = [None]  # the store's last readiness logged in this process: a change is logged once


def _log_change(failure) -> None:
    if failure == _last_logged[0]:
        return
    _last_logged[0] = failure
    if failure is None:
        log.warning("readiness: the database can be written again")
    else:
        log.error("readiness: the database cannot be written: %s", failure)
