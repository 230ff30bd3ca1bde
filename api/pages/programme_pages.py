"""The soleus programme as a printable page: one A4 page for the runner to take home, for a stored screening.

    GET /screenings/{screening_id}/programme      for the signed-in person of the screening's team (history:read)
    GET /v1/screenings/{screening_id}/programme   the same page for an API key or token with history:read

Both read the stored result as it was given (never screened again) through the
existing access checks: another team's screening, an erased or unknown one
answers 404, as GET /v1/screenings/{screening_id} does; each read is audited
(`read_screening`). The page draws each exercise with its own SVG (made by
hand, shipped in screening/programme/drawings), then the dose table, a 4-week
tick-box log, and when to move on or step back, in plain words.
"""

import json

from flask import Blueprint as PageBlueprint
from flask import current_app, g, render_template
from flask_smorest import Blueprint
from markupsafe import Markup

from api.access import guard
from api.access.principal import READ
from api.access.signin import page_requires
from api.operations.store_binding import TEAM_PARAMETER, store
from api.pages.form import protect_page
from api.plumbing.openapi import problems
from api.plumbing.problems import Problem
from api.v1.runner_history import lookup_teams
from api.v1.runner_history_schemas import SCREENING_PARAMETER
from screening.programme import drawing

WEEKS = 4  # the tick-box log's weeks (design choice: one sheet, reviewed at a screening about a month on)

bp = PageBlueprint("programme_pages", __name__, template_folder="../templates")
blp = Blueprint("programme", __name__, url_prefix="/v1", description="The soleus programme as a printable page")
HTML_200 = {
    "200": {
        "description": "The printable programme page (HTML, one A4 page)",
        "content": {"text/html": {"schema": {"type": "string"}}},
    }
}


def page_context(result: dict) -> dict:
    """What the printable page (clinic/programme.html) shows of one result's programme."""
    programme = result["programme"]
    names = dict.fromkeys(row["drawing"] for row in programme["exercises"])
    sessions = max((row["sessions_per_week"] for row in programme["exercises"]), default=0)
    return {
        "result": result,
        "programme": programme,
        "drawings": {name: Markup(drawing(name)) for name in names},  # noqa: S704 - our own packaged SVG files
        "weeks": range(1, WEEKS + 1),
        "sessions": range(1, sessions + 1),
    }


def _stored(screening_id: str, teams) -> dict | None:
    history = store()
    found = history.found(screening_id, teams) if history is not None else None
    if found is None:
        return None
    text, g.audit["runner_id"] = found
    result = json.loads(text)
    return result if result.get("programme") else None


@bp.get("/screenings/<screening_id:screening_id>/programme")
@page_requires(READ)
def programme_page(screening_id: str):
    """The printable programme of a stored screening of the signed-in person's teams."""
    g.audit = {"action": "read_screening", "screening_id": screening_id}
    result = _stored(screening_id, guard.principal().teams)
    if result is None:
        return render_template("clinic/programme_missing.html"), 404
    return render_template("clinic/programme.html", **page_context(result))


@blp.get("/screenings/<screening_id:screening_id>/programme")
@guard.requires(READ, "read_screening", lookup=True)
@blp.doc(
    parameters=[SCREENING_PARAMETER, {**TEAM_PARAMETER, "description": "Only a screening of this team"}],
    responses={
        **HTML_200,
        **problems(
            s404="No such stored screening with a programme of the credential's teams (never stored, "
            "erased, another team's, stored before the programme, or no history kept)"
        ),
    },
)
def programme_for_credential(screening_id: str):
    """Show a stored screening's programme as a printable page

    The page a runner takes home (one A4 page), from the stored result as it
    was given. Only a screening of the credential's teams: any other id is 404.
    """
    result = _stored(screening_id, lookup_teams())
    if result is None:
        raise Problem(404, "No such stored screening with a programme.")
    page = render_template("clinic/programme.html", **page_context(result))
    response = current_app.response_class(page, mimetype="text/html")
    return protect_page(response)


bp.after_request(protect_page)


def init_app(app) -> None:
    app.register_blueprint(bp)
