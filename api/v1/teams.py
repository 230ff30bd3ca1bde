"""A team's runners over time: each one's latest screening, what changed, and the team's counts.

    GET /v1/teams/{team}/runners   summary (over the whole team) and the runners the filters keep, a page at a time

Needs `history:read` for that team (api/access): a team the credential does
not hold is refused (403) as every runner operation refuses it; an unknown
team of the credential's has no runners. One read of team_runners (migration
0008_team) per request; audited as `read_team`. The team page (/teams/<team>,
api/pages/team_pages.py) shows the same view.
"""

import re
from datetime import UTC, datetime

from flask import current_app, g, request
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from api.access import guard, requires
from api.access.principal import READ
from api.operations.screener_binding import screener
from api.operations.store_binding import TEAM_PATTERN, store
from api.plumbing.openapi import REQUEST_ID_HEADER, REQUEST_ID_PARAMETER, problems
from api.plumbing.problems import Problem
from screening.over_time import team_words
from screening.over_time.team_view import (
    CHANGES,
    PAGE,
    PAGE_MAX,
    REFERRALS,
    SORTS,
    STALE_DAYS,
    FilterError,
    TeamFilters,
    TeamRunner,
    TeamView,
)
from screening.result.schema import BANDS, URGENCIES
from screening.timestamps import format_time

blp = Blueprint("teams", __name__, url_prefix="/v1", description="A team's runners: latest screenings and changes")
Z_HIGH = "wellness.baseline_z_high"


def _query(name: str, description: str, **schema) -> dict:
    return {"in": "query", "name": name, "required": False, "description": description, "schema": schema}


FILTER_PARAMETERS = [
    _query("band", "Only runners whose latest screening is in this band", type="string", enum=list(BANDS)),
    _query(
        "referral", "Only this referral urgency ('none': no referral, 'any': any)", type="string", enum=list(REFERRALS)
    ),
    _query(
        "change",
        "Only runners screened on or after `since` whose latest screening changed so against their previous one "
        "('any': a band up or down, or a referral new or cleared)",
        type="string",
        enum=list(CHANGES),
    ),
    _query("since", "The date changes count from (default: 7 days before today, UTC)", type="string", format="date"),
    _query("not_since", "Only runners not screened on or after this date", type="string", format="date"),
    _query("group", "Only runners of this group (squad)", type="string", maxLength=64),
    _query("q", "Only runner ids containing this text (case-insensitive)", type="string", maxLength=64),
    _query("sort", "Order (default runner id)", type="string", enum=list(SORTS)),
    _query("page", "The page (from 1)", type="integer", minimum=1),
    _query("limit", f"Runners a page (default {PAGE})", type="integer", minimum=1, maximum=PAGE_MAX),
]
TEAM_PATH = {
    "in": "path",
    "name": "team",
    "required": True,
    "description": "The club or clinic: 1-64 letters, digits, '.', '_' or '-'",
    "schema": {"type": "string", "pattern": TEAM_PATTERN},
}


class PreviousOut(Schema):
    score = fields.Integer(required=True)
    band = fields.String(required=True, metadata={"enum": list(BANDS)})
    urgency = fields.String(required=True, allow_none=True, metadata={"enum": list(URGENCIES)})


class BaselineAlertsOut(Schema):
    fatigue_z = fields.Float(required=True, allow_none=True, metadata={"description": "null: not assessed"})
    soreness_z = fields.Float(required=True, allow_none=True, metadata={"description": "null: not assessed"})
    fatigue_alert = fields.String(
        required=True,
        allow_none=True,
        metadata={"enum": ["up", "down"], "description": "|z| at least wellness.baseline_z_high; null: no alert"},
    )
    soreness_alert = fields.String(required=True, allow_none=True, metadata={"enum": ["up", "down"]})


class RunnerWordsOut(Schema):
    time_since = fields.String(required=True)
    referral = fields.String(required=True)
    change = fields.String(required=True)
    score_change = fields.String(required=True)
    fatigue = fields.String(required=True)
    soreness = fields.String(required=True)


class TeamRunnerOut(Schema):
    runner_id = fields.String(required=True)
    group = fields.String(required=True, allow_none=True)
    screening_id = fields.String(required=True, metadata={"description": "Their latest stored screening"})
    screened_at = fields.String(required=True, metadata={"description": "UTC, ISO 8601"})
    days_since = fields.Integer(required=True)
    score = fields.Integer(required=True)
    band = fields.String(required=True, metadata={"enum": list(BANDS)})
    urgency = fields.String(required=True, allow_none=True, metadata={"enum": list(URGENCIES)})
    previous = fields.Nested(
        PreviousOut,
        required=True,
        allow_none=True,
        metadata={"description": "The previous screening the latest one was compared with; null: the first"},
    )
    band_change = fields.String(required=True, allow_none=True, metadata={"enum": ["up", "down", "same"]})
    score_change = fields.Integer(required=True, allow_none=True)
    referral_change = fields.String(
        required=True, allow_none=True, metadata={"enum": ["new_referral", "cleared_referral"]}
    )
    baselines = fields.Nested(BaselineAlertsOut, required=True)
    programme_stage = fields.String(
        required=True, allow_none=True, metadata={"description": "The programme stage, when the result has one"}
    )
    words = fields.Nested(RunnerWordsOut, required=True, metadata={"description": "The row as the team page says it"})


class TeamSummaryOut(Schema):
    runners = fields.Integer(required=True, metadata={"description": "Runners of the team (every filter aside)"})
    bands = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    urgencies = fields.Dict(
        keys=fields.String(), values=fields.Integer(), required=True, metadata={"description": "'none': no referral"}
    )
    since = fields.String(required=True, metadata={"description": "The date changes are counted from"})
    up_a_band = fields.Integer(required=True)
    new_referrals = fields.Integer(required=True)
    not_screened_since = fields.String(required=True, metadata={"description": f"{STALE_DAYS} days before today"})
    not_screened = fields.Integer(
        required=True, metadata={"description": f"Not screened for more than {STALE_DAYS} days"}
    )
    groups = fields.List(fields.String(), required=True)


class TeamRunnersOut(Schema):
    team = fields.String(required=True)
    summary = fields.Nested(TeamSummaryOut, required=True)
    matched = fields.Integer(required=True, metadata={"description": "Runners the filters keep"})
    page = fields.Integer(required=True)
    pages = fields.Integer(required=True)
    runners = fields.List(fields.Nested(TeamRunnerOut), required=True)


def z_high() -> float:
    return screener().ruleset.parameter(Z_HIGH)


def chosen_team(team: str, *, refuse=None) -> str:
    """The path's team, if the principal holds it (AUTH=off: any); `refuse` makes the refusal (403)."""
    if not re.fullmatch(TEAM_PATTERN, team):
        raise Problem(404, "No such team: a team is 1-64 letters, digits, '.', '_' or '-'.")
    g.team = team  # the team the request asked for: its audit entry names it, refused or not
    if not guard.principal().has_team(team):
        raise (refuse or Problem)(403, f"This credential is not for team {team}.")
    return team


def view_of(team: str, args, now: datetime) -> TeamView:
    """The team's view for these query arguments (a 422 naming a filter it cannot take)."""
    try:
        filters = TeamFilters.of(args, now.date())
    except FilterError as error:
        raise Problem(
            422, f"The filter {error.field} is invalid: see errors.", errors={error.field: [error.expected]}
        ) from None
    history = store()
    if history is None:
        raise Problem(404, "This service keeps no history (SOLEUS_STORE=off).")
    return TeamView.of(history.team_runners(team), filters)


def runner_out(runner: TeamRunner, now: datetime, high: float) -> dict:
    previous = None
    if runner.previous_band is not None:
        previous = {"score": runner.previous_score, "band": runner.previous_band, "urgency": runner.previous_urgency}
    return {
        "runner_id": runner.runner_id,
        "group": runner.group,
        "screening_id": runner.screening_id,
        "screened_at": format_time(runner.screened_at),
        "days_since": max((now.date() - runner.screened_at.date()).days, 0),
        "score": runner.score,
        "band": runner.band,
        "urgency": runner.urgency,
        "previous": previous,
        "band_change": runner.band_change,
        "score_change": runner.score_change,
        "referral_change": runner.referral_change,
        "baselines": {
            "fatigue_z": runner.fatigue_z,
            "soreness_z": runner.soreness_z,
            "fatigue_alert": team_words.alert(runner.fatigue_z, high),
            "soreness_alert": team_words.alert(runner.soreness_z, high),
        },
        "programme_stage": runner.programme_stage,
        "words": {
            "time_since": team_words.time_since(runner.screened_at, now),
            "referral": team_words.referral(runner.urgency),
            "change": team_words.change(runner),
            "score_change": team_words.score_change(runner),
            "fatigue": team_words.baseline(runner.fatigue_z, high),
            "soreness": team_words.baseline(runner.soreness_z, high),
        },
    }


def now_utc() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@blp.get("/teams/<team>/runners")
@requires(READ, "read_team", lookup=True)
@blp.doc(parameters=[TEAM_PATH, *FILTER_PARAMETERS, REQUEST_ID_PARAMETER])
@blp.response(200, TeamRunnersOut, headers=REQUEST_ID_HEADER, description="The summary and one page of runners")
@blp.doc(
    responses=problems(
        s404="No history kept, or a team that is no team key",
        s422="A filter it cannot take: `errors` names it and says what was expected",
        s503="The history store cannot be reached",
    )
)
def team_runners(team: str):
    """List a team's runners

    Each runner's latest stored screening: its date and the days since, band,
    score and referral, what changed against their previous screening (band
    up or down, a new or cleared referral, the score's change), the fatigue
    and soreness z-scores against their own baseline (an alert from
    `wellness.baseline_z_high` SD), the programme stage when the result has
    one, and the row in words. The summary counts the whole team whatever
    the filters; `runners` is one page of those the filters keep.
    """
    key, now = chosen_team(team), now_utc()
    view = view_of(key, request.args, now)
    high, summary = z_high(), view.summary
    payload = {
        "team": key,
        "summary": {
            "runners": summary.runners,
            "bands": summary.bands,
            "urgencies": summary.urgencies,
            "since": view.filters.since.isoformat(),
            "up_a_band": summary.up_a_band,
            "new_referrals": summary.new_referrals,
            "not_screened_since": view.filters.stale_before.isoformat(),
            "not_screened": summary.stale,
            "groups": summary.groups,
        },
        "matched": len(view.matched),
        "page": view.filters.page,
        "pages": view.pages,
        "runners": [runner_out(runner, now, high) for runner in view.shown],
    }
    response = current_app.json.response(payload)
    response.headers["Cache-Control"] = "no-store"
    return response
