"""A runner's stored screenings as a page, for the people who follow them (a coach, a clinician).

    GET /runners?runner_id=ID[&team=KEY]   the runner's latest stored screenings: a drawn trend and a table

Needs a signed-in person with `history:read` (every role), and shows only a
team of theirs (the team is in the query); a coach lands here after signing
in. Each lookup is audited (action `read_trend`). With AUTH=off it reads any
team, as the API does.
"""

import re
from typing import Any

from flask import Blueprint, g, render_template, request

from api.access import guard
from api.access.principal import READ
from api.access.signin import page_requires
from api.operations.screener_binding import screener
from api.operations.store_binding import TEAM_PATTERN, store
from api.pages.form import protect_page
from api.pages.history_view import drawn, previous_screenings
from screening.intake.schema import RUNNER_ID_PATTERN

bp = Blueprint("runners", __name__, template_folder="../templates")


@bp.get("/runners")
@page_requires(READ)
def runner_page():
    """Look a runner up; show their latest stored screenings when one is named."""
    who = guard.principal()
    runner_id = request.args.get("runner_id", "").strip()
    team = request.args.get("team", "").strip() or (who.only_team or "")
    context: dict[str, Any] = {
        "runner_id": runner_id,
        "team": team,
        "teams": sorted(who.teams or ()),
        "previous": None,
        "message": None,
    }
    status = 200
    if not runner_id:
        pass
    elif store() is None:
        context["message"] = "This service keeps no history."
    elif not re.fullmatch(RUNNER_ID_PATTERN, runner_id) or (team and not re.fullmatch(TEAM_PATTERN, team)):
        context["message"] = "Enter a runner code (and a team): 1-64 letters, digits, '.', '_' or '-'."
        status = 422
    elif not who.has_team(team):
        context["message"] = f"You can read runners of {', '.join(context['teams'])} only."
        g.audit = {"action": "read_trend", "runner_id": runner_id}
        status = 403
    else:
        g.audit = {"action": "read_trend", "runner_id": runner_id}
        g.team = team
        context["previous"] = drawn(previous_screenings(runner_id, team), screener().ruleset)
    return render_template("clinic/runner.html", **context), status


# The pages' protective headers (CSP, nosniff, no-store) are the form's.
bp.after_request(protect_page)


def init_app(app) -> None:
    app.register_blueprint(bp)
