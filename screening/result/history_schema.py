"""The result's `history` section (contract v1): what changed since the runner's previous stored screening.

The previous screening, the change in score and band, the rules newly fired
and cleared, the personal baselines of fatigue and soreness, the days of
soreness across screenings and the facts kept on record. `schema.ResultSchema`
nests it; present only when the service keeps history.
"""

from marshmallow import fields, validate

from screening.intake.fields import StrictBoolean, StrictNumber, StrictSchema, WholeNumber
from screening.ruleset.model import BANDS, URGENCIES


class PreviousScreeningOut(StrictSchema):
    screening_id = fields.String(required=True)
    screened_at = fields.String(required=True, metadata={"description": "UTC, ISO 8601"})
    score = WholeNumber(required=True)
    band = fields.String(required=True, validate=validate.OneOf(BANDS))
    urgency = fields.String(required=True, allow_none=True, validate=validate.OneOf(URGENCIES))
    ruleset_version = fields.String(required=True, metadata={"description": "The ruleset that screening used"})


class BaselineOut(StrictSchema):
    screenings = WholeNumber(required=True, metadata={"description": "Earlier screenings in the baseline window"})
    mean = StrictNumber(required=True)
    sd = StrictNumber(required=True, metadata={"description": "Sample SD, floored at modelling.baseline_sd_floor"})
    z = StrictNumber(required=True, metadata={"description": "(this screening's value - mean) / sd"})


class BaselinesOut(StrictSchema):
    window_days = WholeNumber(required=True, metadata={"description": "Days before this screening that count"})
    fatigue = fields.Nested(
        BaselineOut, required=True, allow_none=True, metadata={"description": "null: too few earlier screenings"}
    )
    soreness = fields.Nested(
        BaselineOut, required=True, allow_none=True, metadata={"description": "null: too few earlier screenings"}
    )


class DvtOnRecordOut(StrictSchema):
    recorded_at = fields.String(required=True, metadata={"description": "When it was first recorded, UTC"})
    corrected = StrictBoolean(required=True, metadata={"description": "This screening says it was in error"})


class CalfStrainOnRecordOut(StrictSchema):
    date = fields.String(required=True, metadata={"description": "The strain's date (YYYY-MM-DD)"})
    recorded_at = fields.String(required=True, metadata={"description": "When a screening recorded it, UTC"})
    weeks_ago = WholeNumber(required=True, metadata={"description": "Whole weeks from it to this screening"})
    corrected = StrictBoolean(required=True, metadata={"description": "This screening says it was in error"})


class OnRecordOut(StrictSchema):
    previous_dvt = fields.Nested(DvtOnRecordOut, required=True, allow_none=True)
    calf_strain = fields.Nested(CalfStrainOnRecordOut, required=True, allow_none=True)


class HistoryOut(StrictSchema):
    previous = fields.Nested(
        PreviousScreeningOut,
        required=True,
        allow_none=True,
        metadata={"description": "The runner's previous stored screening (same team); null: this is the first"},
    )
    score_change = fields.Integer(
        required=True, allow_none=True, metadata={"description": "This score minus the previous one"}
    )
    band_change = fields.String(required=True, allow_none=True, validate=validate.OneOf(("up", "down", "same")))
    newly_fired = fields.List(
        fields.String(), required=True, metadata={"description": "Rules that fired now and not the previous time"}
    )
    cleared = fields.List(
        fields.String(), required=True, metadata={"description": "Rules that fired the previous time and not now"}
    )
    baselines = fields.Nested(
        BaselinesOut,
        required=True,
        metadata={"description": "Fatigue and soreness against the runner's own earlier screenings (Saw 2016)"},
    )
    soreness_span_days = WholeNumber(
        required=True,
        allow_none=True,
        metadata={
            "description": "Days from the earliest of the consecutive sore screenings to this one (each reached by "
            "the soreness_days of the one after it); null: none before"
        },
    )
    on_record = fields.Nested(
        OnRecordOut,
        metadata={
            "description": "Facts the runner's earlier screenings keep on record: a previous DVT (stays true until "
            "corrected) and the calf strain's date (aged by the time since) (2.2.0 on)"
        },
    )
