"""The team page: a coach's view of their team over time, for the people signed in to that team.

    GET /teams                          your team's page (one team), or the list of your teams
    GET /teams/<team>[?filters]         the summary first (each count a link that filters), then the runners
    GET /teams/<team>/runners.csv       every runner the filters keep, in words (what the page shows, all pages)

The filters are those of GET /v1/teams/{team}/runners (api/v1/teams.py) and the
view is the same (one read of team_runners). Needs a signed-in person with
`history:read` (every role) who holds the team; audited as `read_team`.
"""

import csv
import functools
import io
import re
from typing import Any

from flask import Blueprint, Response, g, redirect, render_template, request, url_for

from api.access import guard
from api.access.principal import READ
from api.access.signin import page_requires
from api.operations.screener_binding import screener
from api.operations.store_binding import TEAM_PATTERN
from api.pages.form import protect_page
from api.plumbing.problems import Problem
from api.v1.teams import Z_HIGH, chosen_team, now_utc, view_of, z_high
from screening.over_time import team_words
from screening.over_time.team_view import CHANGES, REFERRALS, SORTS, STALE_DAYS, TeamRunner
from screening.programme.words import stored_stage_cell
from screening.result.schema import BANDS

bp = Blueprint("teams_page", __name__, template_folder="../templates")
CHANGE_WORDS = {
    "up": "up a band",
    "down": "down a band",
    "new_referral": "new referral",
    "cleared_referral": "referral cleared",
    "any": "any change (band or referral)",
}
SORT_WORDS = {
    "runner": "runner code",
    "latest": "latest screened first",
    "oldest": "longest since screened first",
    "score": "highest score first",
    "change": "biggest score rise first",
}
# The summary's referral counts: "12 with an urgent referral" (no plural to get wrong).
SUMMARY_WORDS = {
    "urgent": "with an urgent referral",
    "soon": "with a referral soon",
    "routine": "with a routine referral",
    "none": "with no referral",
}
REFERRAL_FILTER_WORDS = {**team_words.REFERRAL_WORDS, "none": "no referral", "any": "any referral"}


class TeamNotHeld(Problem):
    """A team the signed-in person does not hold: a page, not problem+json."""


def _alert(z: float | None, high: float) -> dict:
    return {
        "direction": team_words.alert(z, high),
        "words": team_words.baseline(z, high),
        "number": None if z is None else f"z {z:+.1f}",
    }


def _row(runner: TeamRunner, now, high: float) -> dict[str, Any]:
    return {
        "runner": runner,
        "time_since": team_words.time_since(runner.screened_at, now),
        "referral": team_words.referral(runner.urgency),
        "change": team_words.change(runner),
        "score_change": team_words.score_change(runner),
        "fatigue": _alert(runner.fatigue_z, high),
        "soreness": _alert(runner.soreness_z, high),
    }


def _held(team: str) -> str | None:
    """The team if the signed-in person holds it (the request audited as read_team either way), else None."""
    g.audit = {"action": "read_team"}
    try:
        return chosen_team(team, refuse=TeamNotHeld)
    except TeamNotHeld:
        return None


def _refused(team: str):
    teams = ", ".join(sorted(guard.principal().teams or ()))
    message = f"You can read the teams {teams} only." if teams else "You hold no team."
    return render_template("clinic/team.html", team=team, message=message, view=None), 403


@bp.get("/teams")
@page_requires(READ)
def teams_index():
    who = guard.principal()
    asked = request.args.get("team", "").strip()
    if asked and re.fullmatch(TEAM_PATTERN, asked):
        return redirect(url_for("teams_page.team_page", team=asked))
    if who.only_team:
        return redirect(url_for("teams_page.team_page", team=who.only_team))
    return render_template("clinic/teams.html", teams=sorted(who.teams or ()), every=who.teams is None)


def _stage_words():
    """A stored stage in the programme's own words ('stage 2', 'withheld')."""
    return functools.partial(stored_stage_cell, rules=screener().programme.rules)


@bp.get("/teams/<team>")
@page_requires(READ)
def team_page(team: str):
    """The team's summary and runners (see the module's docstring)."""
    key = _held(team)
    if key is None:
        return _refused(team)
    now = now_utc()
    try:
        view = view_of(key, request.args, now)
    except Problem as problem:  # a filter it cannot take (422), no history kept (404): said on the page
        errors = problem.extra.get("errors", {})
        message = None if errors else problem.description
        return render_template("clinic/team.html", team=key, view=None, errors=errors, message=message), problem.code
    high = z_high()
    parameter = screener().ruleset.parameters[Z_HIGH]
    return render_template(
        "clinic/team.html",
        team=key,
        view=view,
        rows=[_row(runner, now, high) for runner in view.shown],
        staged=any(runner.programme_stage for runner in view.shown),
        stage_words=_stage_words(),
        high=high,
        evidence=parameter.reference,
        stale_days=STALE_DAYS,
        bands=BANDS,
        changes=CHANGES,
        change_words=CHANGE_WORDS,
        referrals=REFERRALS,
        referral_words=REFERRAL_FILTER_WORDS,
        summary_words=SUMMARY_WORDS,
        sorts=SORTS,
        sort_words=SORT_WORDS,
    )


@bp.get("/teams/<team>/runners.csv")
@page_requires(READ)
def team_csv(team: str):
    """Every runner the filters keep (all pages), one row each, in words."""
    key = _held(team)
    if key is None:
        return _refused(team)
    now = now_utc()
    view = view_of(key, request.args, now)
    high = z_high()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(team_words.CSV_COLUMNS)
    words = _stage_words()
    writer.writerows(team_words.csv_row(runner, now, high, words) for runner in view.matched)
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="team-{key}-runners.csv"'
    return response


bp.after_request(protect_page)


def init_app(app) -> None:
    app.register_blueprint(bp)
