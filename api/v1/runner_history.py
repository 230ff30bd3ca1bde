"""Read a runner's stored screenings back, and erase them.

    GET    /v1/runners/{runner_id}/screenings   newest first, a page at a time (`cursor`, `limit`)
    GET    /v1/runners/{runner_id}/trend        per screening: date, score, band, urgency and the inputs to watch
    DELETE /v1/runners/{runner_id}              erase every screening of the runner (really deleted)
    GET    /v1/screenings/{screening_id}        the stored result, byte for byte as it was sent
    DELETE /v1/screenings/{screening_id}        remove one mistaken screening, with a `reason`

A runner is (team, runner id): every runner operation takes the same `team`
query parameter; omitted, the credential's own team (with AUTH=off: the
runners stored without one). Reading needs the scope `history:read`, erasing
`history:erase` (api/access); the team is in every query, so another team's
runner is an unknown one (an empty page, no points) and another team's
screening id answers 404 as an unknown id does. The lookups are rate-limited
per credential and per address (LOOKUP_RATE_LIMIT). Each call is audited;
an erasure's entry commits with the erasure.
"""

import re

from flask import current_app, g, request
from flask_smorest import Blueprint

from api.access import guard, requires
from api.access.principal import ERASE, READ
from api.operations.store_binding import TEAM_PARAMETER, store, team
from api.plumbing.openapi import REQUEST_ID_HEADER, REQUEST_ID_PARAMETER, problems
from api.plumbing.problems import Problem
from api.v1.runner_history_schemas import (
    CURSOR_PARAMETER,
    NOT_COVERED,
    PAGE_LIMIT,
    PAGE_LIMIT_MAX,
    REASON_MAX,
    REASON_PARAMETER,
    RUNNER_PARAMETER,
    SCREENING_ID_PATTERN,
    SCREENING_PARAMETER,
    TREND_LIMIT,
    TREND_LIMIT_MAX,
    DeletedOut,
    ErasedOut,
    ScreeningIdConverter,
    ScreeningPageOut,
    TrendOut,
    limit_parameter,
)
from screening.intake.schema import RUNNER_ID_PATTERN
from screening.result.schema import ResultSchema
from screening.timestamps import format_time

blp = Blueprint("history", __name__, url_prefix="/v1", description="A runner's stored screenings: read back, erase")


def init_app(app) -> None:
    """Teach the URL map the screening id (before the blueprint's rules are added)."""
    app.url_map.converters["screening_id"] = ScreeningIdConverter


NO_STORE = "This service keeps no history (SOLEUS_STORE=off)."
RUNNER_404 = "No such runner (or the service keeps no history)"
S422 = "An invalid `team` or `limit`: `errors` names it"
S503 = "The history store cannot be reached"


def _store():
    history = store()
    if history is None:
        raise Problem(404, NO_STORE)
    return history


def _runner(runner_id: str) -> str:
    if not re.fullmatch(RUNNER_ID_PATTERN, runner_id):
        raise Problem(404, "No such runner: a runner id is 1-64 letters, digits, '.', '_' or '-'.")
    return runner_id


def lookup_teams() -> str | frozenset[str] | None:
    """The teams a lookup by screening id may find: the named one, else every team of the credential."""
    who = guard.principal()
    if request.args.get("team") is not None or (who.teams is not None and who.only_team is not None):
        return team()
    return who.teams


def _limit(default: int, maximum: int) -> int:
    text = request.args.get("limit")
    if text is None:
        return default
    if not re.fullmatch(r"[0-9]{1,7}", text) or not 1 <= int(text) <= maximum:
        raise Problem(422, "The limit is invalid: see errors.", errors={"limit": [f"Expected 1-{maximum}."]})
    return int(text)


def _private(payload):
    response = current_app.json.response(payload)
    response.headers["Cache-Control"] = "no-store"
    return response


@blp.get("/runners/<runner_id>/screenings")
@requires(READ, "read_screenings", lookup=True)
@blp.doc(
    parameters=[
        RUNNER_PARAMETER,
        TEAM_PARAMETER,
        CURSOR_PARAMETER,
        limit_parameter(PAGE_LIMIT, PAGE_LIMIT_MAX, "screenings"),
        REQUEST_ID_PARAMETER,
    ]
)
@blp.response(200, ScreeningPageOut, headers=REQUEST_ID_HEADER, description="One page, newest first")
@blp.doc(responses=problems(s422=S422, s503=S503, s404=f"{RUNNER_404}, or a cursor naming no screening of theirs"))
def runner_screenings(runner_id: str):
    """List a runner's screenings

    Newest first (screenings within the same second by screening id), one page
    at a time: pass the page's `next_cursor` as `cursor` for the next one. An
    unknown runner has an empty first page.
    """
    runner_id, key, limit = _runner(runner_id), team(), _limit(PAGE_LIMIT, PAGE_LIMIT_MAX)
    cursor = request.args.get("cursor")
    if cursor is not None and not re.fullmatch(SCREENING_ID_PATTERN, cursor):
        raise Problem(404, "No such page: a cursor is a previous page's next_cursor.")
    rows, following = _store().page(key, runner_id, limit=limit, after=cursor)
    if rows is None:
        raise Problem(404, "No such page: the cursor names no screening of this runner (erased, or another one's).")
    return _private(
        {
            "runner_id": runner_id,
            "team": key or None,
            "screenings": [
                {
                    "screening_id": row.screening_id,
                    "screened_at": format_time(row.screened_at),
                    "ruleset_version": row.ruleset_version,
                    "score": row.score,
                    "band": row.band,
                    "urgency": row.urgency,
                    "fired": row.fired,
                }
                for row in rows
            ],
            "next_cursor": following,
        }
    )


@blp.get("/runners/<runner_id>/trend")
@requires(READ, "read_trend", lookup=True)
@blp.doc(
    parameters=[
        RUNNER_PARAMETER,
        TEAM_PARAMETER,
        limit_parameter(TREND_LIMIT, TREND_LIMIT_MAX, "latest screenings"),
        REQUEST_ID_PARAMETER,
    ]
)
@blp.response(200, TrendOut, headers=REQUEST_ID_HEADER, description="The latest screenings' points, oldest first")
@blp.doc(responses=problems(s422=S422, s503=S503, s404=RUNNER_404))
def runner_trend(runner_id: str):
    """Read a runner's trend

    Per screening (the latest `limit`, oldest first): its date, score, band,
    urgency, fatigue, soreness, the latest week's km and the OSTRC-O2
    severity, as given then. An unknown runner has no points.
    """
    runner_id, key, limit = _runner(runner_id), team(), _limit(TREND_LIMIT, TREND_LIMIT_MAX)
    points = [
        {
            "screening_id": row.screening_id,
            "screened_at": format_time(row.screened_at),
            "score": row.score,
            "band": row.band,
            "urgency": row.urgency,
            "fatigue": row.fatigue,
            "soreness": row.soreness,
            "weekly_km": row.weekly_km,
            "ostrc_o2_severity": row.ostrc_severity,
        }
        for row in _store().trend(key, runner_id, limit=limit)
    ]
    return _private({"runner_id": runner_id, "team": key or None, "points": points})


@blp.delete("/runners/<runner_id>")
@requires(ERASE, "erase")
@blp.doc(parameters=[RUNNER_PARAMETER, TEAM_PARAMETER, REQUEST_ID_PARAMETER])
@blp.response(200, ErasedOut, headers=REQUEST_ID_HEADER, description="The runner's screenings are deleted")
@blp.doc(responses=problems(s422=S422, s503=S503, s404=RUNNER_404))
def erase_runner(runner_id: str):
    """Erase a runner

    Deletes every stored screening of this runner (in this team): the rows
    themselves, intake and result, not a mark on them. Answers how many there
    were; erasing an unknown runner erases 0. `on_disk` says whether the
    bytes are off the disk too (`pending`: finished in the background), and
    `not_covered` what it does not reach (roster run folders: the `erase`
    command's `--runs`; backups; copies already handed out).
    """
    runner_id, key = _runner(runner_id), team()
    history = _store()
    entry = guard.entry("erase", "ok", 200, team=key, runner_id=runner_id)
    erased = history.erase(key, runner_id, audit=entry)
    guard.audited()
    return _private(
        {
            "runner_id": runner_id,
            "team": key or None,
            "erased": erased,
            "on_disk": history.on_disk(),
            "not_covered": NOT_COVERED,
        }
    )


@blp.get("/screenings/<screening_id:screening_id>")
@requires(READ, "read_screening", lookup=True)
@blp.doc(
    parameters=[
        SCREENING_PARAMETER,
        {**TEAM_PARAMETER, "description": "Only a screening of this team (default: any of the credential's teams)"},
        REQUEST_ID_PARAMETER,
    ]
)
@blp.response(200, ResultSchema, headers=REQUEST_ID_HEADER, description="The stored result, exactly as it was sent")
@blp.doc(
    responses=problems(
        s422=S422,
        s503=S503,
        s404="No such stored screening of the credential's teams (never stored, erased, another team's, or no "
        "history kept)",
    )
)
def stored_screening(screening_id: str):
    """Show a stored screening again

    The result byte for byte as it was first sent, whatever the ruleset is
    now. Only a screening of the credential's teams: any other id is 404.
    """
    history = _store()
    found = history.found(screening_id, lookup_teams())
    if found is None:
        raise Problem(404, "No such stored screening.")
    text, g.audit["runner_id"] = found
    response = current_app.response_class(text.encode(), mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response


def _reason() -> str:
    text = request.args.get("reason") or ""
    if not 1 <= len(text) <= REASON_MAX:
        raise Problem(
            422,
            "The reason is invalid: see errors.",
            errors={"reason": [f"Say why this screening is removed: 1-{REASON_MAX} characters."]},
        )
    return text


@blp.delete("/screenings/<screening_id:screening_id>")
@requires(ERASE, "erase_screening")
@blp.doc(
    parameters=[
        SCREENING_PARAMETER,
        TEAM_PARAMETER,
        REASON_PARAMETER,
        REQUEST_ID_PARAMETER,
    ]
)
@blp.response(200, DeletedOut, headers=REQUEST_ID_HEADER, description="The screening is deleted")
@blp.doc(
    responses=problems(
        s422="An invalid `team`, or no `reason`: `errors` names it",
        s503=S503,
        s404="No such stored screening in this team (never stored, deleted, erased, or no history kept)",
    )
)
def delete_screening(screening_id: str):
    """Remove one stored screening

    Deletes one mistaken screening (entered for the wrong runner, a visit that
    did not happen): the row itself, as erasing a runner does. The runner's
    later screenings no longer read it: it leaves their personal baselines,
    the soreness seen across screenings, the merged weekly distances and the
    facts on record (a previous DVT or a calf strain it recorded). Results
    already sent, including stored ones, keep what they said. The `reason`
    is required and answered back.
    """
    key, reason = team(), _reason()
    entry = guard.entry("erase_screening", "ok", 200, team=key, screening_id=screening_id, reason=reason)
    history = _store()
    runner_id = history.delete_screening(key, screening_id, audit=entry)
    if runner_id is None:
        raise Problem(404, "No such stored screening in this team.")
    guard.audited()  # its entry committed with the removal
    return _private(
        {
            "screening_id": screening_id,
            "runner_id": runner_id,
            "team": key or None,
            "deleted": True,
            "reason": reason,
            "on_disk": history.on_disk(),
        }
    )
