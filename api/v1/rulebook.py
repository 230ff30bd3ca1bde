"""Show the loaded ruleset: every rule with its condition, thresholds, points, referral and evidence.

    GET /v1/rules        the ruleset's version, scoring, norms, recommendations and every rule
    GET /v1/rules/<id>   one rule

A clinician's way to check the basis of a result. Everything is read from the
ruleset the service screens with (the same condition text and thresholds as
in a result's explanation); nothing here is written by hand.
"""

from flask import current_app
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from api.operations.screener_binding import screener
from api.plumbing.openapi import REQUEST_ID_HEADER, REQUEST_ID_PARAMETER, problems
from api.plumbing.problems import Problem
from screening.result.schema import EffectOut, EvidenceOut, RulesetRef, TaperOut, ThresholdOut
from screening.ruleset.model import Rule, Ruleset, evidence_list

blp = Blueprint(
    "rules", __name__, url_prefix="/v1/rules", description="The ruleset behind every result, for clinicians to check"
)


class InputOut(Schema):
    name = fields.String(required=True, metadata={"description": "Intake field path, or derived.* when computed"})
    description = fields.String(required=True)
    unit = fields.String(required=True, allow_none=True)
    type = fields.String(required=True, metadata={"description": "number or boolean"})
    when_absent = fields.String(
        required=True,
        metadata={
            "description": "not_assessed (the rule is reported as not assessed) or none_known (absent means none)"
        },
    )


class RuleOut(Schema):
    id = fields.String(required=True)
    group = fields.String(required=True)
    title = fields.String(required=True)
    condition = fields.String(required=True, metadata={"description": "The condition in words, thresholds included"})
    inputs = fields.List(fields.Nested(InputOut), required=True, metadata={"description": "What the condition reads"})
    context = fields.List(
        fields.String(), required=True, metadata={"description": "Further inputs shown with the rule in a result"}
    )
    thresholds = fields.Dict(
        keys=fields.String(),
        values=fields.Nested(ThresholdOut),
        required=True,
        metadata={"description": "Each threshold's value, unit and reference, by name"},
    )
    points = fields.Integer(required=True, metadata={"description": "Added to the risk score when the rule fires"})
    points_basis = fields.String(
        required=True, metadata={"description": "The effect size the points are computed from, or 'design choice'"}
    )
    effect = fields.Nested(EffectOut, required=True, allow_none=True)
    referral = fields.String(required=True, metadata={"description": "none, routine, soon or urgent"})
    referral_to = fields.String(
        required=True, allow_none=True, metadata={"description": "A destination other than the urgency's default"}
    )
    recommendations = fields.List(fields.String(), required=True)
    evidence = fields.List(fields.Nested(EvidenceOut), required=True)
    basis = fields.String(required=True, metadata={"description": "evidence, or design choice"})
    note = fields.String(required=True, allow_none=True)
    present_injury = fields.Boolean(
        required=True, metadata={"description": "A symptom of a present injury: when it fires the band is symptomatic"}
    )
    taper = fields.Nested(
        TaperOut,
        metadata={"description": "Points that fall linearly along an input (`points` is the most it scores)"},
    )
    escalation = fields.String(
        allow_none=True, metadata={"description": "The line said first with its urgent referral (suspected clot)"}
    )


class RuleDetailOut(RuleOut):
    ruleset = fields.Nested(RulesetRef, required=True)


class BandOut(Schema):
    band = fields.String(required=True)
    from_score = fields.Integer(required=True, data_key="from")
    relative_risk_from = fields.Float(required=True)


class SymptomaticOut(Schema):
    band = fields.String(required=True)
    description = fields.String(required=True)
    basis = fields.String(required=True)
    reference = fields.List(fields.Nested(EvidenceOut), required=True)


class ScoringOut(Schema):
    minimum = fields.Integer(required=True)
    maximum = fields.Integer(required=True)
    points_per_doubling = fields.Integer(required=True, metadata={"description": "B = 2^(1/points_per_doubling)"})
    design_choice_max_points = fields.Integer(required=True)
    caps = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    bands = fields.List(fields.Nested(BandOut), required=True, metadata={"description": "Each band from its score"})
    symptomatic = fields.Nested(
        SymptomaticOut, required=True, metadata={"description": "The band of its own for symptoms of a present injury"}
    )
    independence = fields.String(required=True)
    note = fields.String(required=True)


class RecommendationTextOut(Schema):
    id = fields.String(required=True)
    text = fields.String(required=True)
    evidence = fields.List(fields.Nested(EvidenceOut), required=True)
    kind = fields.String(
        required=True, metadata={"description": "referral, hold, safety, criteria, training or loading"}
    )
    voice = fields.String(required=True, metadata={"description": "Whom the text speaks to: runner or clinician"})


class HoldOut(Schema):
    when = fields.String(required=True, metadata={"description": "urgent, symptomatic or soon"})
    hold = fields.List(fields.String(), required=True, metadata={"description": "The kinds withheld"})
    instead = fields.String(required=True, metadata={"description": "The recommendation said in their place"})


class EscalationTextOut(Schema):
    id = fields.String(required=True)
    text = fields.String(required=True)
    evidence = fields.List(fields.Nested(EvidenceOut), required=True)


class NormBandOut(Schema):
    age_from = fields.Integer(required=True)
    age_to = fields.Integer(required=True)
    female = fields.Integer(required=True)
    male = fields.Integer(required=True)


class NormsOut(Schema):
    description = fields.String(required=True)
    unit = fields.String(required=True)
    reference = fields.List(fields.Nested(EvidenceOut), required=True)
    bands = fields.List(fields.Nested(NormBandOut), required=True)


class RulebookOut(Schema):
    """The ruleset in use."""

    ruleset = fields.Nested(RulesetRef, required=True)
    title = fields.String(required=True)
    disclaimer = fields.String(required=True)
    scoring = fields.Nested(ScoringOut, required=True)
    referral_to = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        required=True,
        metadata={"description": "Who each referral urgency sends the runner to"},
    )
    heel_raise_norms = fields.Nested(NormsOut, required=True)
    recommendations = fields.List(fields.Nested(RecommendationTextOut), required=True)
    advice_held = fields.List(
        fields.Nested(HoldOut),
        required=True,
        metadata={"description": "No training advice while a referral comes first: the first that applies"},
    )
    escalations = fields.List(fields.Nested(EscalationTextOut), required=True)
    rules = fields.List(fields.Nested(RuleOut), required=True)


def rule_doc(rule: Rule, ruleset: Ruleset) -> dict:
    """One rule as the API shows it: the same basis a result's explanation shows, plus what it reads."""
    return {
        "id": rule.id,
        "group": rule.group,
        **ruleset.rule_basis(rule),
        "inputs": [
            {
                "name": spec.name,
                "description": spec.description,
                "unit": spec.unit,
                "type": spec.type,
                "when_absent": spec.absent,
            }
            for spec in (ruleset.inputs[name] for name in rule.inputs)
        ],
        "context": list(rule.context),
        "escalation": rule.escalation,
    }


def rulebook(ruleset: Ruleset) -> dict:
    """The whole ruleset as the API shows it."""
    norms = ruleset.heel_raise_norms
    symptomatic = ruleset.symptomatic
    assert symptomatic is not None, "a ruleset loaded from rules/ has its symptomatic band"
    return {
        "ruleset": ruleset.ref,
        "title": ruleset.title,
        "disclaimer": ruleset.disclaimer,
        "scoring": {
            "minimum": ruleset.score_min,
            "maximum": ruleset.score_max,
            "note": ruleset.scoring_note,
            "points_per_doubling": ruleset.points_per_doubling,
            "design_choice_max_points": ruleset.design_choice_max_points,
            "caps": dict(ruleset.caps),
            "independence": ruleset.independence_note,
            "bands": [
                {"band": band.band, "from": band.start, "relative_risk_from": band.relative_risk}
                for band in ruleset.bands
            ],
            "symptomatic": {
                "band": symptomatic.band,
                "description": symptomatic.description,
                "basis": symptomatic.basis,
                "reference": evidence_list(symptomatic.reference),
            },
        },
        "referral_to": dict(ruleset.referral_to),
        "heel_raise_norms": {
            "description": norms.description,
            "unit": norms.unit,
            "reference": evidence_list(norms.reference),
            "bands": [vars(band) for band in norms.bands],
        },
        "recommendations": [
            {
                "id": rec.id,
                "text": rec.text,
                "evidence": evidence_list(rec.evidence),
                "kind": rec.kind,
                "voice": rec.voice,
            }
            for rec in sorted(ruleset.recommendations.values(), key=lambda rec: rec.index)
        ],
        "advice_held": [{"when": h.when, "hold": list(h.kinds), "instead": h.instead} for h in ruleset.advice_held],
        "escalations": [
            {"id": e.id, "text": e.text, "evidence": evidence_list(e.evidence)} for e in ruleset.escalations.values()
        ],
        "rules": [rule_doc(rule, ruleset) for rule in ruleset.rules],
    }


@blp.get("")
@blp.doc(parameters=[REQUEST_ID_PARAMETER])
@blp.response(200, RulebookOut, headers=REQUEST_ID_HEADER, description="The ruleset in use, every rule included")
def list_rules():
    """List the ruleset and its rules

    The ruleset's name and version (results name the same), how points add
    up to a band, the heel-raise norms, every recommendation's text, and
    every rule with its condition, thresholds, points, referral and evidence.
    """
    return current_app.json.response(rulebook(screener().ruleset))


@blp.get("/<rule_id>")
@blp.doc(parameters=[REQUEST_ID_PARAMETER])
@blp.response(200, RuleDetailOut, headers=REQUEST_ID_HEADER, description="The rule")
@blp.doc(responses=problems(s404="No rule with this id in the ruleset in use"))
def get_rule(rule_id: str):
    """Show one rule

    The id is a rule id as results name it in `explanation`, `referral.reasons`
    and `not_assessed` (e.g. `load.single_run_spike`).
    """
    ruleset = screener().ruleset
    try:
        rule = ruleset.rule(rule_id)
    except KeyError:
        raise Problem(
            404, f"No rule {rule_id!r} in ruleset {ruleset.name} {ruleset.version}; GET /v1/rules lists them."
        ) from None
    return current_app.json.response({**rule_doc(rule, ruleset), "ruleset": ruleset.ref})
