"""The result of a screening (contract v1), as marshmallow schemas.

Used to document responses in the OpenAPI spec and, in tests, to check that
every result the service produces matches the contract
(`ResultSchema().validate(result)` returns no errors).
"""

from marshmallow import fields, validate

from screening.intake.fields import StrictBoolean, StrictNumber, StrictSchema, WholeNumber
from screening.programme.result_schema import ProgrammeOut
from screening.result.history_schema import HistoryOut
from screening.ruleset.model import BANDS, REFERRAL_ORDER, SCORE_BANDS, SYMPTOMATIC, URGENCIES

__all__ = ["BANDS", "SCORE_BANDS", "SYMPTOMATIC", "URGENCIES", "ResultSchema", "RulesetRef"]
BAND_DESCRIPTION = (
    "low, moderate or high: the score's risk band; symptomatic: a band of its own, not a risk level, when a "
    "symptom of a present injury was reported (severe or lasting calf soreness, calf pain while running above "
    "5/10, time loss or severe pain on the OSTRC-O2, exertional calf pain, a leg with no heel raise, a red flag): "
    "assess it before any risk score applies"
)


class EvidenceOut(StrictSchema):
    citation = fields.String(required=True)
    grade = fields.String(required=True, metadata={"description": "A (strongest) to D, or 'design choice'"})


class ThresholdOut(StrictSchema):
    name = fields.String(required=True)
    description = fields.String(required=True)
    unit = fields.String(required=True)
    value = StrictNumber(required=True)
    basis = fields.String(required=True, validate=validate.OneOf(("evidence", "design choice")))
    reference = fields.List(fields.Nested(EvidenceOut), required=True)


class RulesetRef(StrictSchema):
    name = fields.String(required=True)
    version = fields.String(required=True)


class RelativeRiskOut(StrictSchema):
    value = StrictNumber(required=True, metadata={"description": "The risk multiple the score stands for"})
    basis = fields.String(required=True)


class ScaleBandOut(StrictSchema):
    band = fields.String(required=True, validate=validate.OneOf(SCORE_BANDS))
    from_points = WholeNumber(required=True, data_key="from")
    to = WholeNumber(required=True)
    relative_risk_from = StrictNumber(required=True)


class ScaleOut(StrictSchema):
    minimum = WholeNumber(required=True)
    maximum = WholeNumber(required=True)
    points_per_doubling = WholeNumber(required=True)
    bands = fields.List(fields.Nested(ScaleBandOut), required=True)
    method = fields.String(required=True)
    independence = fields.String(required=True, metadata={"description": "Adding effects assumes independence"})
    symptomatic = fields.String(metadata={"description": "What the symptomatic band means (ruleset 2.2.0 on)"})


class CapOut(StrictSchema):
    group = fields.String(required=True)
    points = WholeNumber(required=True, metadata={"description": "Points the group's fired rules carry"})
    counted = WholeNumber(required=True, metadata={"description": "Points the group adds to the score (its cap)"})


class RiskOut(StrictSchema):
    score = WholeNumber(required=True, metadata={"description": "Sum of fired rules' points (groups capped), 0-100"})
    band = fields.String(required=True, validate=validate.OneOf(BANDS), metadata={"description": BAND_DESCRIPTION})
    score_band = fields.String(
        validate=validate.OneOf(SCORE_BANDS),
        metadata={"description": "The score's own band, also when `band` is symptomatic (ruleset 2.2.0 on)"},
    )
    symptoms = fields.List(
        fields.String(),
        metadata={
            "description": f"When the band is {SYMPTOMATIC}: the rules (present-injury symptoms) that made it so"
        },
    )
    relative_risk = fields.Nested(RelativeRiskOut, required=True)
    scale = fields.Nested(ScaleOut, required=True)
    caps = fields.List(fields.Nested(CapOut), metadata={"description": "Groups whose points were capped"})


class EscalationOut(StrictSchema):
    text = fields.String(required=True, metadata={"description": "Say it first: breathless or chest pain"})
    because = fields.List(fields.String(), required=True, metadata={"description": "The suspected-clot rules"})
    evidence = fields.List(fields.Nested(EvidenceOut), required=True)


class ReferralOut(StrictSchema):
    required = StrictBoolean(required=True)
    urgency = fields.String(
        required=True,
        allow_none=True,
        validate=validate.OneOf(URGENCIES),
        metadata={"description": "urgent (same day, medical: a red flag), soon (within days), routine, or null"},
    )
    to = fields.String(required=True, allow_none=True)
    reasons = fields.List(fields.String(), required=True, metadata={"description": "Ids of the referring rules"})
    destinations = fields.List(
        fields.String(), metadata={"description": "Every destination, most urgent first, when more than one"}
    )
    escalation = fields.Nested(
        EscalationOut,
        metadata={"description": "With an urgent referral for a suspected clot: the line to say first (2.2.0 on)"},
    )


class HeelRaiseReferenceOut(StrictSchema):
    reps = WholeNumber(
        required=True, allow_none=True, metadata={"description": "null: no reference (under 18, ruleset 2.2.0 on)"}
    )
    basis = fields.String(required=True, metadata={"description": "Which norm, sex and age band was used"})


def _nullable_number(description: str):
    return StrictNumber(required=True, allow_none=True, metadata={"description": description})


class WeeksMergedOut(StrictSchema):
    entered = WholeNumber(required=True, metadata={"description": "Weeks given in this intake (the latest ones)"})
    from_earlier = WholeNumber(
        required=True,
        metadata={
            "description": "Older weeks taken from earlier screenings: the intake's own weeks win where they overlap, "
            "then the newest earlier screening's; aligned by the weeks between the screenings (to the nearest whole "
            "week); stops at the first "
            "week no screening reported"
        },
    )
    screenings = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "The earlier screenings that gave a week, newest first"},
    )


class DerivedOut(StrictSchema):
    weekly_distance_km = fields.List(StrictNumber(), required=True)
    latest_run_km = _nullable_number("Latest run in km")
    longest_run_30d_km = _nullable_number("Longest run of the past 30 days in km")
    week_over_week_change = _nullable_number("(latest week - previous week) / previous week")
    acwr = _nullable_number("Latest week / mean of the latest 4 weeks")
    spike_vs_longest_30d = _nullable_number("Latest run / longest run of the past 30 days - 1")
    limb_symmetry_index = _nullable_number("Weaker / stronger leg heel raises")
    heel_raise_gap = _nullable_number("Difference in heel raises between legs")
    heel_raise_reference = fields.Nested(HeelRaiseReferenceOut, required=True)
    entered_unit = fields.String(
        validate=validate.OneOf(("km", "mi")), metadata={"description": "The unit the distances were entered in"}
    )
    ostrc_o2_severity = WholeNumber(metadata={"description": "OSTRC-O2 severity 0-100, when the section is given"})
    weeks_merged = fields.Nested(
        WeeksMergedOut,
        metadata={
            "description": "Present when weekly_distance_km holds weeks from the runner's earlier stored screenings"
        },
    )


class RecommendationOut(StrictSchema):
    id = fields.String(required=True)
    text = fields.String(required=True)
    because = fields.List(fields.String(), required=True, metadata={"description": "Rules that led to it"})
    evidence = fields.List(fields.Nested(EvidenceOut), required=True)
    withholds = fields.List(
        fields.String(),
        metadata={
            "description": "Said instead of these recommendations (training and loading advice), withheld while an "
            "urgent or soon referral is open or the band is symptomatic (2.2.0 on)"
        },
    )


class EffectOut(StrictSchema):
    measure = fields.String(required=True, validate=validate.OneOf(("HR", "OR", "RR")))
    value = StrictNumber(required=True)
    ci = fields.List(StrictNumber(), required=True)
    population = fields.String(required=True)
    citation = fields.String(required=True)
    grade = fields.String(required=True)


class TaperEndOut(StrictSchema):
    value = StrictNumber(required=True)
    points = WholeNumber(required=True)


class TaperOut(StrictSchema):
    input = fields.String(required=True)
    from_end = fields.Nested(TaperEndOut, required=True, data_key="from")
    to = fields.Nested(TaperEndOut, required=True)
    basis = fields.String(required=True)


class ExplanationOut(StrictSchema):
    rule = fields.String(required=True)
    title = fields.String(required=True)
    fired = StrictBoolean(required=True)
    points = WholeNumber(required=True)
    inputs = fields.Dict(
        keys=fields.String(),
        values=fields.Raw(allow_none=True),
        required=True,
        metadata={"description": "Every input the rule read, by name (distances in km)"},
    )
    condition = fields.String(required=True, metadata={"description": "The condition in words"})
    thresholds = fields.Dict(keys=fields.String(), values=fields.Nested(ThresholdOut), required=True)
    referral = fields.String(required=True, validate=validate.OneOf(REFERRAL_ORDER))
    referral_to = fields.String(required=True, allow_none=True)
    recommendations = fields.List(fields.String(), required=True)
    evidence = fields.List(fields.Nested(EvidenceOut), required=True)
    basis = fields.String(required=True, validate=validate.OneOf(("evidence", "design choice")))
    points_basis = fields.String(
        required=True, metadata={"description": "The effect size the points come from, or 'design choice'"}
    )
    effect = fields.Nested(EffectOut, required=True, allow_none=True)
    note = fields.String(required=True, allow_none=True)
    present_injury = StrictBoolean(
        metadata={"description": "A symptom of a present injury: the band is symptomatic (2.2.0 on)"}
    )
    taper = fields.Nested(
        TaperOut,
        metadata={"description": "Points falling linearly along an input between two values (`points`: this runner's)"},
    )
    sources = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        metadata={
            "description": "Where an input's value came from when it was not simply entered: 'recorded on "
            "2026-10-01', 'across screenings from 2026-11-20', 'as reported', the calf symptoms reported (2.2.0 on)"
        },
    )


class NotAssessedOut(StrictSchema):
    rule = fields.String(required=True)
    title = fields.String(required=True)
    missing = fields.List(fields.String(), required=True)
    needs = fields.List(fields.String(), required=True)


class ResultSchema(StrictSchema):
    """One runner's screening result."""

    screening_id = fields.String(required=True)
    runner_id = fields.String(required=True)
    screened_at = fields.String(required=True, metadata={"description": "UTC, ISO 8601"})
    ruleset = fields.Nested(RulesetRef, required=True)
    risk = fields.Nested(RiskOut, required=True)
    referral = fields.Nested(ReferralOut, required=True)
    derived = fields.Nested(DerivedOut, required=True)
    recommendations = fields.List(fields.Nested(RecommendationOut), required=True)
    explanation = fields.List(fields.Nested(ExplanationOut), required=True)
    not_assessed = fields.List(
        fields.String(), required=True, metadata={"description": "Ids of rules that could not run for missing data"}
    )
    not_assessed_detail = fields.List(fields.Nested(NotAssessedOut), required=True)
    disclaimer = fields.String(required=True)
    programme = fields.Nested(
        ProgrammeOut,
        metadata={"description": "The soleus programme: prescribed with its stage, or withheld with why (2.3.0 on)"},
    )
    history = fields.Nested(
        HistoryOut,
        metadata={"description": "What changed since the runner's previous stored screening (when history is kept)"},
    )
    stored = StrictBoolean(
        metadata={
            "description": "True: this result is committed to the runner's history (GET /v1/screenings/"
            "{screening_id} shows it again). Absent when the service keeps no history."
        }
    )
