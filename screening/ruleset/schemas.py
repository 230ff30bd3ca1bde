"""The shapes of the rules files, as strict marshmallow schemas (unknown keys are errors)."""

from marshmallow import fields, validate

from screening.intake.fields import FullMatch, StrictNumber
from screening.intake.fields import StrictSchema as _Strict
from screening.ruleset.model import (
    HOLD_WHEN,
    OPERATORS,
    RECOMMENDATION_KINDS,
    RED_FLAG_KINDS,
    REFERRAL_ORDER,
    SCORE_BANDS,
    SYMPTOMATIC,
    URGENCIES,
    VOICES,
)

BASES = ("evidence", "design choice")


class EvidenceSchema(_Strict):
    citation = fields.String(required=True, validate=validate.Length(min=1))
    grade = fields.String(required=True, validate=validate.Length(min=1))


class _Sourced(_Strict):
    basis = fields.String(load_default="evidence", validate=validate.OneOf(BASES))


class ParameterSchema(_Sourced):
    description = fields.String(required=True)
    unit = fields.String(required=True)
    value = StrictNumber(required=True)
    reference = fields.List(fields.Nested(EvidenceSchema), load_default=list)


class InputSchema(_Strict):
    type = fields.String(required=True, validate=validate.OneOf(("number", "boolean")))
    unit = fields.String(load_default=None)
    description = fields.String(required=True)
    absent = fields.String(load_default="not_assessed", validate=validate.OneOf(("not_assessed", "none_known")))
    needs = fields.String(load_default=None)
    kind = fields.String(load_default=None, validate=validate.OneOf(RED_FLAG_KINDS))


class TermSchema(_Strict):
    input = fields.String(required=True)
    op = fields.String(validate=validate.OneOf(OPERATORS))
    threshold = fields.String()
    of = fields.String()
    is_ = fields.Boolean(data_key="is", truthy={True}, falsy={False})


class EffectSchema(_Strict):
    measure = fields.String(required=True, validate=validate.OneOf(("HR", "OR", "RR")))
    value = StrictNumber(required=True, validate=validate.Range(min=0, min_inclusive=False))
    ci = fields.List(
        StrictNumber(validate=validate.Range(min=0, min_inclusive=False)),
        required=True,
        validate=validate.Length(equal=2),
    )
    population = fields.String(required=True, validate=validate.Length(min=1))
    citation = fields.String(required=True, validate=validate.Length(min=1))
    grade = fields.String(required=True, validate=validate.Length(min=1))


class TaperSchema(_Strict):
    input = fields.String(required=True)
    from_ = fields.String(required=True, data_key="from")
    to = fields.String(required=True)
    to_points = fields.Integer(required=True, strict=True)
    basis = fields.String(required=True, validate=validate.Length(min=1))


class RuleSchema(_Sourced):
    id = fields.String(required=True, validate=FullMatch(r"^[a-z_]+\.[a-z0-9_]+$"))
    title = fields.String(required=True, validate=validate.Length(min=1))
    when = fields.List(fields.Nested(TermSchema), required=True, validate=validate.Length(min=1))
    # Either an effect (points computed from it) or points with `points_basis: design choice`.
    effect = fields.Nested(EffectSchema, load_default=None)
    points = fields.Integer(strict=True, load_default=None)
    points_basis = fields.String(load_default=None, validate=validate.OneOf(("design choice",)))
    points_at_least = fields.String(load_default=None)
    referral_to = fields.String(load_default=None, validate=validate.Length(min=1))
    referral = fields.String(required=True, validate=validate.OneOf(REFERRAL_ORDER))
    recommendations = fields.List(fields.String(), required=True)
    evidence = fields.List(fields.Nested(EvidenceSchema), load_default=list)
    context = fields.List(fields.String(), load_default=list)
    note = fields.String(load_default=None)
    present_injury = fields.Boolean(load_default=False, truthy={True}, falsy={False})
    escalation = fields.String(load_default=None)
    taper = fields.Nested(TaperSchema, load_default=None)


class GroupSchema(_Strict):
    description = fields.String(required=True)
    rules = fields.List(fields.Dict(), required=True)


class RecommendationSchema(_Strict):
    kind = fields.String(required=True, validate=validate.OneOf(RECOMMENDATION_KINDS))
    voice = fields.String(required=True, validate=validate.OneOf(VOICES))
    text = fields.String(required=True)
    evidence = fields.List(fields.Nested(EvidenceSchema), required=True, validate=validate.Length(min=1))


class BandSchema(_Strict):
    band = fields.String(required=True, validate=validate.OneOf(SCORE_BANDS))
    relative_risk = StrictNumber(required=True, data_key="from_relative_risk", validate=validate.Range(min=1))


class SymptomaticSchema(_Sourced):
    band = fields.String(required=True, validate=validate.OneOf((SYMPTOMATIC,)))
    description = fields.String(required=True)
    reference = fields.List(fields.Nested(EvidenceSchema), load_default=list)


class ScoringSchema(_Sourced):
    reference = fields.List(fields.Nested(EvidenceSchema), load_default=list)
    points_per_doubling = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    minimum = fields.Integer(required=True, strict=True)
    maximum = fields.Integer(required=True, strict=True)
    design_choice_max_points = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))
    caps = fields.Dict(
        keys=fields.String(), values=fields.Integer(strict=True, validate=validate.Range(min=0)), load_default=dict
    )
    bands = fields.List(fields.Nested(BandSchema), required=True)
    symptomatic = fields.Nested(SymptomaticSchema, required=True)
    independence = fields.String(required=True)
    note = fields.String(required=True)


class HoldSchema(_Strict):
    when = fields.String(required=True, validate=validate.OneOf(HOLD_WHEN))
    hold = fields.List(fields.String(validate=validate.OneOf(RECOMMENDATION_KINDS)), required=True)
    instead = fields.String(required=True)


class EscalationSchema(_Strict):
    text = fields.String(required=True, validate=validate.Length(min=1))
    evidence = fields.List(fields.Nested(EvidenceSchema), required=True, validate=validate.Length(min=1))


class RulesetSchema(_Strict):
    name = fields.String(required=True)
    version = fields.String(required=True, validate=FullMatch(r"^\d+\.\d+\.\d+$"))
    title = fields.String(required=True)
    disclaimer = fields.String(required=True)
    groups = fields.List(fields.String(), required=True, validate=validate.Length(min=1))
    scoring = fields.Nested(ScoringSchema, required=True)
    healthy_recommendation = fields.String(required=True)
    advice_held = fields.List(fields.Nested(HoldSchema), load_default=list)
    escalations = fields.Dict(keys=fields.String(), values=fields.Nested(EscalationSchema), load_default=dict)
    referral = fields.Dict(
        keys=fields.String(validate=validate.OneOf(URGENCIES)), values=fields.String(), required=True
    )


class NormBandSchema(_Strict):
    age_from = fields.Integer(required=True, strict=True)
    age_to = fields.Integer(required=True, strict=True)
    female = fields.Integer(required=True, strict=True)
    male = fields.Integer(required=True, strict=True)


class QuestionSchema(_Strict):
    points = fields.List(fields.Integer(strict=True), required=True, validate=validate.Length(min=2))
    substantial_from = fields.Integer(strict=True, load_default=None)
    time_loss_from = fields.Integer(strict=True, load_default=None)


class InstrumentSchema(_Strict):
    description = fields.String(required=True)
    reference = fields.List(fields.Nested(EvidenceSchema), required=True, validate=validate.Length(min=1))
    questions = fields.Dict(keys=fields.String(), values=fields.Nested(QuestionSchema), required=True)


class NormsSchema(_Strict):
    description = fields.String(required=True)
    unit = fields.String(required=True)
    basis_label = fields.String(required=True)
    reference = fields.List(fields.Nested(EvidenceSchema), required=True, validate=validate.Length(min=1))
    bands = fields.List(fields.Nested(NormBandSchema), required=True, validate=validate.Length(min=1))
