"""Answer the orchestrator: is the process alive, and can it screen?

GET /health   200 while the process answers (liveness)
GET /ready    200 once the rules are loaded and the engine screens a probe intake; else 503
"""

from flask import current_app
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from api.openapi import REQUEST_ID_HEADER, problems
from api.problems import Problem
from api.service import KEY
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


@blp.get("/health")
@blp.response(200, HealthOut, headers=REQUEST_ID_HEADER, description="The process is alive")
def health():
    """Check liveness

    Answers as long as the process serves requests; says nothing about the rules.
    """
    return {"status": "ok"}


@blp.get("/ready")
@blp.response(200, ReadyOut, headers=REQUEST_ID_HEADER, description="The rules are loaded and the engine screens")
@blp.doc(responses=problems(503))
def ready():
    """Check readiness

    Ready once the ruleset is loaded and a made-up probe intake screens
    through the engine; 503 otherwise.
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
    return {
        "status": "ready",
        "ruleset": ruleset.ref,
        "rules": len(ruleset.rules),
    }
