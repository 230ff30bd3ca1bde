"""Serve the clinic intake form and the clinician's result page.

    GET  /                          the intake form
    GET  /?runner_id=ID[&team=KEY]  the form filled in from the runner's newest stored screening
    POST /screen                    screen the posted form (and store it): the result page, or the form
                                    again with every value kept and each error beside its input
    GET  /screen                    back to the form (a result page is never shown again from its address)

The pages need a signed-in person (api/access/signin.py; AUTH=off: nobody):
screening needs the scope `screen` (a clinician or an admin), the prefill
`history:read`, and the team must be one of theirs; the note's previous
screenings are that team's. The form's POST checks a CSRF token (the JSON API
sets no cookies and needs none): `init_app` turns flask-wtf's app-wide check
off and the view calls `csrf.protect()` itself. When the service keeps history (the default, see
api/operations/store_binding.py) a form screening is stored exactly as POST /v1/screenings stores
one (`api.operations.store_binding.screen`, under the form's optional team), so it is part of the
runner's history and the history rules read it; the page says whether it was
stored, and a write that fails shows the form again (503), never a result. With
`STORE=off` nothing typed is stored. Either way the result's JSON download is
embedded in the page as a data: URL, so it is exactly the result shown, not a
second screening.
"""

import json
import re
import secrets
from datetime import UTC, datetime, timedelta

from flask import Blueprint, current_app, g, redirect, render_template, request, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFError, CSRFProtect
from markupsafe import Markup, escape
from sqlalchemy.exc import SQLAlchemyError

from api.access import guard
from api.access.principal import READ, SCREEN
from api.access.signin import page_requires
from api.operations import metrics
from api.operations.screener_binding import screener as app_screener
from api.operations.store_binding import TEAM_EXPECTED, TEAM_PATTERN, log_failure, store
from api.operations.store_binding import screen as screen_and_store
from api.pages import clinic_note, form_fields
from api.pages.form_fields import GENERAL, SCREENED_BY, TEAM, blank_state, place_errors, read_form, state_of_intake
from api.pages.history_view import drawn, previous_screenings, this_screening
from api.plumbing.limits import limit_body
from screening import IntakeError
from screening.history.failures import describe
from screening.intake.flat import validate_flat
from screening.intake.schema import RUNNER_ID_PATTERN
from screening.result.values import format_value
from screening.timestamps import format_time

bp = Blueprint(
    "clinic",
    __name__,
    template_folder="../templates",
    static_folder="../static/clinic",
    static_url_path="/clinic/static",
)
csrf = CSRFProtect()

# No external assets: clinics may be offline, and the page then cannot leak what was typed.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
EXPIRED = (
    "The form had expired or came from elsewhere, so it was not screened. "
    "Your entries are kept: check them and submit again."
)
NOT_STORED = (
    "The runner history store cannot be reached, so this screening was not stored and no result is shown. "
    "Your entries are kept: submit again shortly."
)


def init_app(app) -> None:
    """Register the form on `app`, with a CSRF check for the form post only.

    Without a configured SECRET_KEY a random one is made here; under gunicorn
    run with --preload it is made once, before the workers fork, so they share it.
    """
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secrets.token_hex(32)
    # The JSON API's POSTs must not need a token: only `screen` calls csrf.protect().
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    # The CSRF token's session cookie is never sent with another site's POST.
    if app.config.get("SESSION_COOKIE_SAMESITE") is None:
        app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    csrf.init_app(app)
    app.session_interface = FormOnlySessions()
    app.register_blueprint(bp)


class FormOnlySessions(SecureCookieSessionInterface):
    """Open the signed-cookie session (the CSRF token, who is signed in) for pages, never for the JSON API.

    The API is stateless; opening a session on each of its requests cost about
    20 us, and a null session also makes sure no API view can come to depend on
    one: the API takes credentials from the Authorization header only, so a
    page on another site cannot use a signed-in clinician's cookie. The cookie
    is HttpOnly, SameSite=Lax, and Secure when the request came over https.
    """

    def open_session(self, app, request):
        if request.path.startswith(("/v1/", "/fhir/")):
            return self.make_null_session(app)
        return super().open_session(app, request)

    def get_cookie_secure(self, app) -> bool:
        return bool(super().get_cookie_secure(app) or request.is_secure)


@bp.after_request
def protect_page(response):
    """Keep the pages self-contained, unframed and out of shared caches (health data)."""
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    # same-origin, not no-referrer: flask-wtf checks the Referer of a form posted over HTTPS.
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if request.endpoint != "clinic.static":
        response.headers["Cache-Control"] = "no-store"
    return response


def _form(state, status: int = 200, lookup: dict | None = None):
    zone = current_app.config.get("CLINIC_TIMEZONE")
    zone_name = f"the clinic's time, {zone}" if zone else f"this server's local time, {datetime.now().astimezone():%Z}"
    return (
        render_template(
            "clinic/form.html",
            state=state,
            fields=form_fields,
            storing=store() is not None,
            lookup=lookup or {},
            zone_name=zone_name,
        ),
        status,
    )


def _blank() -> form_fields.FormState:
    """An empty form, its team filled in when the signed-in person has exactly one."""
    state = blank_state()
    state.values[TEAM] = guard.principal().only_team or ""
    return state


def _team_refused(team_key: str) -> str | None:
    """Why the signed-in person may not use this team (None: they may)."""
    who = guard.principal()
    if who.has_team(team_key):
        return None
    theirs = ", ".join(sorted(who.teams or ()))
    return f"You can screen and read runners of {theirs} only."


@bp.get("/")
@page_requires(SCREEN, refusal=("prefill", "runner_id"))
def intake_form():
    """Show an empty intake form, or (`?runner_id=`, `&team=`) one filled in from the runner's last screening."""
    runner_id = request.args.get("runner_id", "").strip()
    if not runner_id:
        return _form(_blank())
    team_key = request.args.get("team", "").strip() or (guard.principal().only_team or "")
    lookup: dict = {"runner_id": runner_id, "team": team_key}
    state = blank_state()
    state.values[TEAM] = team_key
    history = store()
    valid = re.fullmatch(RUNNER_ID_PATTERN, runner_id) and (not team_key or re.fullmatch(TEAM_PATTERN, team_key))
    if history is not None and valid:
        g.audit = {"action": "prefill", "runner_id": runner_id}
        g.team = team_key
    if history is None:
        lookup["message"] = "This service keeps no history, so there is no earlier screening to start from."
    elif not valid:
        lookup["message"] = "Enter a runner id (and a team, if any): 1-64 letters, digits, '.', '_' or '-'."
    elif (refused := _team_refused(team_key)) or not guard.principal().may(READ):
        lookup["message"] = refused or "Your role cannot read stored screenings."
        return _form(state, 403, lookup=lookup)
    else:
        found = history.latest_intake(team_key, runner_id)
        if found is None:
            where = f" in team {team_key}" if team_key else " without a team"
            lookup["message"] = f"No stored screening of runner {runner_id}{where}: the form is empty."
        else:
            text, screened_at = found
            state = state_of_intake(json.loads(text), on_record=True)
            state.values[TEAM] = team_key
            lookup["found"] = True
            lookup["on_record"] = on_record(history.history(team_key, runner_id).facts)
            lookup["message"] = (
                f"Filled in from the last stored screening of runner {runner_id} ({format_time(screened_at)[:10]}): "
                "check every value with the runner and change what is different today."
            )
    return _form(state, lookup=lookup)


def on_record(facts) -> dict:
    """What the form shows beside the previous DVT and calf strain fields: the facts kept on record, dated."""
    shown = {}
    if facts.previous_dvt_since is not None:
        shown["red_flags.previous_dvt"] = (
            f"On record since {format_time(facts.previous_dvt_since)[:10]}: a previous DVT stays on record at "
            "every screening, ticked or not. If it was entered in error, say so under Corrections."
        )
    if facts.calf_strain_on is not None:
        weeks = (datetime.now(UTC).replace(tzinfo=None) - facts.calf_strain_on) // timedelta(weeks=1)
        recorded = format_time(facts.calf_strain_recorded_at or facts.calf_strain_on)[:10]
        shown["runner.prior_calf_strain_weeks_ago"] = (
            f"On record: a calf strain on {format_time(facts.calf_strain_on)[:10]} ({weeks} weeks ago today, "
            f"recorded {recorded}). Leave this empty to keep it; enter weeks only for a newer strain."
        )
    return shown


@bp.get("/screen")
def screen_again():
    """Send a reloaded or bookmarked result address back to an empty form (a result page is not shown again)."""
    return redirect(url_for("clinic.intake_form"))


@bp.post("/screen")
@page_requires(SCREEN, refusal=("screen", "runner.id"))
def screen():
    """Screen the posted intake, store it, and show the result; or show the form again with its errors."""
    limit_body(current_app.config["INTAKE_MAX_CONTENT_LENGTH"], "INTAKE_MAX_CONTENT_LENGTH")
    state, flat, layout_errors, filled = read_form(request.form, current_app.config.get("CLINIC_TIMEZONE"))
    try:
        if current_app.config["WTF_CSRF_ENABLED"]:
            csrf.protect()
    except CSRFError:
        state.errors = {GENERAL: [EXPIRED]}
        return _form(state, 400)
    team_key = state.value(TEAM).strip()
    if team_key and not re.fullmatch(TEAM_PATTERN, team_key):
        layout_errors = {TEAM: [TEAM_EXPECTED], **layout_errors}
    elif refused := _team_refused(team_key):
        layout_errors = {TEAM: [refused], **layout_errors}
    screener = app_screener()
    try:
        intake = validate_flat(screener, flat)
    except IntakeError as error:
        state.errors = place_errors(error.errors, layout_errors, filled, state.values)
        return _form(state, 422)
    if layout_errors:
        state.errors = place_errors({}, layout_errors, filled, state.values)
        return _form(state, 422)
    try:
        # Read before this screening is stored, so it lists the earlier ones only.
        previous = previous_screenings(intake["runner"]["id"], team_key)
        result, stored = screen_and_store(screener, intake, team_key)
    except SQLAlchemyError as error:
        log_failure(error)
        metrics.unavailable(describe(error).code)
        state.errors = {GENERAL: [NOT_STORED]}
        return _form(state, 503)
    screened_by = request.form.get(SCREENED_BY, "").strip()[:80]
    return render_template(
        "clinic/result.html",
        **clinic_note.note_context(result, intake, screener.ruleset, screened_by),
        previous=drawn(previous, screener.ruleset, this_screening(result, intake)),
        stored=stored is not None,
        team=team_key,
    )


@bp.app_template_filter("clinic_breakable")
def clinic_breakable(name: str) -> Markup:
    """Let a long dotted id wrap after its dots and underscores, not inside a word."""
    return Markup("<wbr>").join(escape(part) for part in re.split(r"(?<=[._])(?=[A-Za-z])", name))


@bp.app_template_filter("clinic_value")
def clinic_value(value, unit: str | None = None, missing: str = "not given") -> str:
    """Show a rule input or derived value as a clinician reads it."""
    if value is None:
        return missing
    text = format_value(value)
    if isinstance(value, bool):
        return text
    if unit == "0-10":
        return f"{text}/10"
    return f"{text} {unit}" if unit and unit != "ratio" else text
