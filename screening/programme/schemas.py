"""The shape of rules/programme.yaml, as strict marshmallow schemas (unknown keys are errors).

Each sourced block says `basis: evidence` with `evidence`, or `basis: design
choice` with `reason`; `loader.source_of` refuses one with neither.
"""

from marshmallow import fields, validate

from screening.intake.fields import StrictSchema as _Strict
from screening.programme.model import VALUES
from screening.ruleset.model import OPERATORS, URGENCIES
from screening.ruleset.schemas import BASES, EvidenceSchema

_ID = validate.Regexp(r"^[a-z][a-z0-9_]*$")


class _SourceSchema(_Strict):
    """The fields a `model.Source` is read from: a block's basis, with its evidence or its reason."""

    basis = fields.String(required=True, validate=validate.OneOf(BASES))
    evidence = fields.List(fields.Nested(EvidenceSchema), load_default=list)
    reason = fields.String(load_default=None)


class ProgrammeTermSchema(_Strict):
    value = fields.String(required=True, validate=validate.OneOf(VALUES))
    op = fields.String(required=True, validate=validate.OneOf(OPERATORS))
    threshold = fields.String(load_default=None)
    of = fields.String(load_default=None, validate=validate.OneOf(VALUES))


_TERMS = fields.List(fields.Nested(ProgrammeTermSchema), required=True)


class SaidSchema(_SourceSchema):
    says = fields.String(required=True, validate=validate.Length(min=1))


class KneeSchema(_SourceSchema):
    text = fields.String(required=True, validate=validate.Length(min=1))


class GoalSchema(_SourceSchema):
    without_reference = fields.String(required=True)


class StepSchema(_Strict):
    weeks = fields.String(required=True)
    sets = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    reps = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))


class CountSchema(_SourceSchema):
    value = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))


class TextSchema(_SourceSchema):
    value = fields.String(required=True, validate=validate.Length(min=1))


class ProgressionSchema(_SourceSchema):
    value = fields.List(fields.Nested(StepSchema), required=True, validate=validate.Length(min=1))


class DoseSchema(_Strict):
    sets = fields.Nested(CountSchema, required=True)
    reps = fields.Nested(CountSchema, required=True)
    tempo = fields.Nested(TextSchema, required=True)
    sessions_per_week = fields.Nested(CountSchema, required=True)
    load_ = fields.Nested(TextSchema, load_default=None, data_key="load")
    progression = fields.Nested(ProgressionSchema, load_default=None)


class ExerciseSchema(_Strict):
    title = fields.String(required=True, validate=validate.Length(min=1))
    how = fields.String(required=True, validate=validate.Length(min=1))
    drawing = fields.String(required=True, validate=validate.Regexp(r"^[a-z0-9_]+\.svg$"))
    per_leg = fields.Boolean(required=True, truthy={True}, falsy={False})
    extra_set_how = fields.String(required=True)
    dose = fields.String(required=True)


class StageSchema(_SourceSchema):
    id = fields.String(required=True, validate=_ID)
    number = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    title = fields.String(required=True, validate=validate.Length(min=1))
    exercises = fields.List(fields.String(), required=True, validate=validate.Length(min=1))


class ChoiceSchema(SaidSchema):
    stage = fields.String(required=True)
    when = _TERMS


class NoTestedLegSchema(SaidSchema):
    stage = fields.String(required=True)


class EmphasisSchema(SaidSchema):
    when = fields.List(fields.Nested(ProgrammeTermSchema), required=True, validate=validate.Length(min=1))
    extra_sets = fields.String(required=True)


class WithheldSchema(SaidSchema):
    referrals = fields.List(fields.String(validate=validate.OneOf(URGENCIES)), required=True)
    red_flag_signs = fields.Boolean(required=True, truthy={True}, falsy={False})
    pain_above = fields.String(required=True)


class CheckSchema(_Strict):
    id = fields.String(required=True, validate=_ID)
    says = fields.String(required=True, validate=validate.Length(min=1))
    when = fields.List(fields.Nested(ProgrammeTermSchema), load_default=list)


class ReturnToRunSchema(SaidSchema):
    within_weeks = fields.String(required=True)
    highest_stage = fields.String(required=True)
    then = fields.String(required=True, validate=validate.Length(min=1))
    checks = fields.List(fields.Nested(CheckSchema), required=True, validate=validate.Length(min=1))


class ProgrammeSchema(_Strict):
    description = fields.String(required=True)
    knee = fields.Nested(KneeSchema, required=True)
    goal = fields.Nested(GoalSchema, required=True)
    doses = fields.Dict(keys=fields.String(validate=_ID), values=fields.Nested(DoseSchema), required=True)
    exercises = fields.Dict(keys=fields.String(validate=_ID), values=fields.Nested(ExerciseSchema), required=True)
    stages = fields.List(fields.Nested(StageSchema), required=True, validate=validate.Length(min=1))
    choose = fields.List(fields.Nested(ChoiceSchema), required=True, validate=validate.Length(min=1))
    no_tested_leg = fields.Nested(NoTestedLegSchema, required=True)
    emphasis = fields.Nested(EmphasisSchema, required=True)
    progress_when = fields.Nested(SaidSchema, required=True)
    step_back_when = fields.Nested(SaidSchema, required=True)
    withheld = fields.Nested(WithheldSchema, required=True)
    return_to_run = fields.Nested(ReturnToRunSchema, required=True)
