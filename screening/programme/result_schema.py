"""The result's `programme` section (contract v1, optional: ruleset 2.3.0 on), as marshmallow schemas."""

from marshmallow import fields, validate

from screening.intake.fields import StrictBoolean, StrictSchema, WholeNumber
from screening.programme.model import LEGS, STATUSES


class _Evidence(StrictSchema):
    citation = fields.String(required=True)
    grade = fields.String(required=True, metadata={"description": "A (strongest) to D, or 'design choice'"})


_EVIDENCE = fields.List(fields.Nested(_Evidence), required=True)


class StageOut(StrictSchema):
    id = fields.String(required=True, metadata={"description": "stage_1 (double leg) to stage_4 (loaded)"})
    number = WholeNumber(required=True)
    title = fields.String(required=True)


class StepOut(StrictSchema):
    weeks = fields.String(required=True)
    sets = WholeNumber(required=True)
    reps = WholeNumber(required=True)


class ExerciseOut(StrictSchema):
    id = fields.String(required=True)
    title = fields.String(required=True)
    how = fields.String(required=True, metadata={"description": "One or two plain sentences"})
    knee = fields.String(required=True)
    sets = WholeNumber(required=True)
    reps = WholeNumber(required=True)
    tempo = fields.String(required=True)
    sessions_per_week = WholeNumber(required=True)
    legs = fields.String(
        required=True,
        validate=validate.OneOf(LEGS),
        metadata={"description": "both; or left/right: the weaker leg's extra set (said in `how`)"},
    )
    each_leg = StrictBoolean(required=True, metadata={"description": "True: done one leg at a time"})
    drawing = fields.String(required=True, metadata={"description": "The drawing's file (the programme page)"})
    load_ = fields.String(data_key="load", metadata={"description": "The weight, for a loaded exercise"})
    progression = fields.List(
        fields.Nested(StepOut), metadata={"description": "Heavy slow resistance over 12 weeks (Beyer 2015)"}
    )


class LegsOut(StrictSchema):
    left = WholeNumber(required=True, allow_none=True, metadata={"description": "null: not tested"})
    right = WholeNumber(required=True, allow_none=True, metadata={"description": "null: not tested"})
    goal = WholeNumber(required=True, metadata={"description": "The age/sex reference, or the clinical target"})
    goal_basis = fields.String(required=True)


class EmphasisOut(StrictSchema):
    leg = fields.String(required=True, validate=validate.OneOf(("left", "right")))
    extra_sets = WholeNumber(required=True)
    says = fields.String(required=True)
    evidence = _EVIDENCE


class MovesOnOut(StrictSchema):
    reps = WholeNumber(required=True, metadata={"description": "The weaker leg's count that moves the stage on"})
    says = fields.String(required=True)


class CheckOut(StrictSchema):
    id = fields.String(required=True)
    says = fields.String(required=True)
    status = fields.String(
        required=True,
        validate=validate.OneOf(("met", "not yet", "not assessed", "to check")),
        metadata={"description": "to check: not part of the intake, the clinician checks it"},
    )


class ReturnToRunOut(StrictSchema):
    weeks_since_strain = WholeNumber(required=True)
    says = fields.String(required=True)
    checks = fields.List(fields.Nested(CheckOut), required=True)
    then = fields.String(required=True)
    evidence = _EVIDENCE


class EarlierOut(StrictSchema):
    screening_id = fields.String(required=True)
    screened_at = fields.String(required=True, metadata={"description": "UTC, ISO 8601"})
    left = WholeNumber(required=True, allow_none=True)
    right = WholeNumber(required=True, allow_none=True)
    stage = fields.String(
        required=True, allow_none=True, metadata={"description": "stage id, 'withheld', or null: before the programme"}
    )


class ProgrammeHistoryOut(StrictSchema):
    earlier = fields.List(fields.Nested(EarlierOut), required=True, metadata={"description": "Newest first"})
    change = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "Since the previous screening, in words; null: the first screening"},
    )


class ProgrammeOut(StrictSchema):
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    reason = fields.String(required=True, metadata={"description": "Why this stage, or why withheld, in words"})
    legs = fields.Nested(LegsOut, required=True)
    stage = fields.Nested(StageOut, required=True, allow_none=True, metadata={"description": "null: withheld"})
    exercises = fields.List(fields.Nested(ExerciseOut), required=True, metadata={"description": "Empty: withheld"})
    knee = fields.String()
    progress_when = fields.String()
    step_back_when = fields.String()
    evidence = _EVIDENCE
    emphasis = fields.Nested(EmphasisOut, metadata={"description": "With marked asymmetry: the weaker leg's extra set"})
    moves_on_at = fields.Nested(MovesOnOut)
    return_to_run = fields.Nested(
        ReturnToRunOut, metadata={"description": "After a recent calf strain: the checklist before running again"}
    )
    history = fields.Nested(ProgrammeHistoryOut, metadata={"description": "With a stored history"})
