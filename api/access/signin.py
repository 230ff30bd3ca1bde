"""Sign-in for people: the clinic pages' /login and sign-out, local accounts or the clinic's OpenID provider.

    GET  /login                    the sign-in form (and a link to the provider's, where one is set up)
    POST /login                    email + password (argon2), CSRF-checked; failures slowed and counted
    POST /logout                   sign out: the session row is deleted, a copied cookie is refused too
    GET|POST /account/password     change the password (the first admin's one-time password must be)
    GET  /login/oidc               to the provider (authorization code with PKCE, Authlib's Flask client)
    GET  /login/oidc/callback      back from it: its claims give the role and teams

Flask-Login keeps the signed-in person in the session cookie (HttpOnly,
SameSite=Lax, Secure over https) as the token of a web_sessions row
(api/access/accounts.py). Failed sign-ins are counted per account name and
per address (SIGN_IN_FAILURES_PER_ACCOUNT, SIGN_IN_FAILURES_PER_ADDRESS, see
throttle.py), each failure waits SIGN_IN_FAILURE_DELAY seconds, and the page
says the same words whether the account exists or not.
"""

import time
from functools import wraps
from urllib.parse import urlsplit

from flask import Blueprint, current_app, g, redirect, render_template, request, session, url_for
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms.validators import ValidationError

from api.access import accounts
from api.access.guard import access, entry
from api.access.principal import ANONYMOUS, EVERY_TEAM, ROLES, SCREEN, Principal
from screening.history import audit_trail

bp = Blueprint("signin", __name__, template_folder="../templates")
login_manager = LoginManager()
FAILED = "The email or password is not right. (After 5 failed attempts in a minute, sign-in waits a minute.)"
LOCKED = "Too many failed sign-ins for this account or from this address: wait a minute and try again."
EXPIRED = "The page had expired or came from elsewhere: sign in again."
PASSWORD_CHANGED = "Your password is changed."
SIGNED_OUT = "You are signed out."


class SignedIn(UserMixin):
    """The signed-in person as Flask-Login holds them: the session token (the id) and their principal."""

    def __init__(self, token: str, principal: Principal, must_change: bool):
        self.token, self.principal, self.must_change = token, principal, must_change

    def get_id(self) -> str:
        return self.token


@login_manager.user_loader
def _load(token: str):
    settings = access()
    if settings.database is None:
        return None
    found = accounts.signed_in(settings.database.engine, token)
    return None if found is None else SignedIn(token, *found)


def signed_in_principal() -> Principal | None:
    """The signed-in person's principal (AUTH=off: ANONYMOUS), or None when nobody is signed in."""
    if not access().on:
        return ANONYMOUS
    user = current_user
    return user.principal if user.is_authenticated and not user.must_change else None


def page_requires(scope: str, refusal: tuple[str, str] | None = None):
    """Protect a page: sign-in first (redirect to /login), then the scope (403 page naming the role's limits).

    `refusal` = (action, field): a refusal of the scope is audited as `action`, for the runner the request's
    `field` names (when it names one: a form without a runner is no access to a runner's data).
    """

    def decorate(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            settings = access()
            if not settings.on:
                g.principal = ANONYMOUS
                return view(*args, **kwargs)
            user = current_user
            if not user.is_authenticated:
                return redirect(url_for("signin.login", next=request.full_path.rstrip("?")))
            if user.must_change:
                return redirect(url_for("signin.change_password"))
            g.principal = user.principal
            if not user.principal.may(scope):
                if refusal is not None and request.values.get(refusal[1]):
                    g.audit = {"action": refusal[0], "runner_id": request.values.get(refusal[1], "").strip()}
                return render_template("access/refused.html", scope=scope, role=user.principal.role), 403
            return view(*args, **kwargs)

        return guarded

    return decorate


def _csrf_ok() -> bool:
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return True
    try:
        validate_csrf(request.form.get("csrf_token"))
    except (ValidationError, CSRFError):
        return False
    return True


def _next_page(default: str) -> str:
    """Where to go after sign-in: a path on this site only (never another host)."""
    target = request.values.get("next") or ""
    parts = urlsplit(target)
    if not target.startswith("/") or target.startswith("//") or parts.scheme or parts.netloc or "\\" in target:
        return default
    return target


def _record(action: str, outcome: str, status: int, actor: str | None) -> None:
    database = access().database
    if database is not None:
        row = entry(action, outcome, status)
        row.update(actor=actor, actor_kind="account" if actor else "none")
        database.record(row)


def _login_page(message: str | None = None, status: int = 200, email: str = "", notice: str | None = None):
    return (
        render_template(
            "access/login.html",
            message=message,
            notice=notice,
            email=email,
            next=_next_page(""),
            provider=bool(current_app.config.get("OIDC_CLIENT_ID") and current_app.config.get("OIDC_ISSUER")),
        ),
        status,
    )


@bp.get("/login")
def login():
    """Show the sign-in form."""
    notice = {"out": SIGNED_OUT, "changed": PASSWORD_CHANGED}.get(request.args.get("done", ""))
    return _login_page(notice=notice)


@bp.post("/login")
def sign_in():
    """Check the email and password; on success a new session (a new id), else the same words either way."""
    email = request.form.get("email", "").strip()[:254]
    if not _csrf_ok():
        return _login_page(EXPIRED, 400, email)
    settings = access()
    if settings.database is None:
        return _login_page("Sign-in is not available: the service has no database.", 503, email)
    throttle, name = settings.throttle, email.lower()
    address = request.remote_addr or "unknown"
    if throttle.allowed(throttle.account_failures, "account", name) or throttle.allowed(
        throttle.address_failures, "address", address
    ):
        _record("sign_in", "rate_limited", 429, None)
        return _login_page(LOCKED, 429, email)
    engine = settings.database.engine
    account = accounts.verify(engine, email, request.form.get("password", ""))
    if account is None:
        throttle.count(throttle.account_failures, "account", name)
        throttle.count(throttle.address_failures, "address", address)
        time.sleep(float(current_app.config.get("SIGN_IN_FAILURE_DELAY", 0.5)))
        known = any(row.email == name for row in accounts.listed(engine)) if name else False
        _record("sign_in", "refused", 401, name if known else None)
        return _login_page(FAILED, 401, email)
    _start(account.principal(), "password", must_change=account.must_change_password)
    _record("sign_in", "ok", 200, account.email)
    if account.must_change_password:
        return redirect(url_for("signin.change_password"))
    return redirect(_next_page(_home(account.principal())))


def _home(principal: Principal) -> str:
    """Where a person starts: the form for those who screen, the runner lookup for a coach."""
    return url_for("clinic.intake_form") if principal.may(SCREEN) else url_for("runners.runner_page")


def _start(principal: Principal, source: str, *, must_change: bool = False) -> None:
    """A fresh session: the old cookie's content (and any id planted in it) is dropped first."""
    session.clear()
    settings = access()
    hours = float(current_app.config.get("SESSION_HOURS", 12))
    token = accounts.open_session(settings.database.engine, principal, source=source, hours=hours)
    login_user(SignedIn(token, principal, must_change))


@bp.post("/logout")
def sign_out():
    """End the session: its row is deleted, so the cookie (or a copy of it) signs nobody in again."""
    if not _csrf_ok():
        return redirect(url_for("signin.login"))
    user = current_user
    settings = access()
    if user.is_authenticated and settings.database is not None:
        accounts.close_session(settings.database.engine, user.token)
        _record("sign_out", "ok", 200, user.principal.actor)
    logout_user()
    session.clear()
    return redirect(url_for("signin.login", done="out"))


@bp.route("/account/password", methods=["GET", "POST"])
def change_password():
    """Change the signed-in person's password (required before anything else after a one-time password)."""
    user = current_user
    if not user.is_authenticated or user.principal.kind != "account":
        return redirect(url_for("signin.login", next=url_for("signin.change_password")))
    if request.method == "GET":
        return render_template("access/password.html", must_change=user.must_change, message=None)
    if not _csrf_ok():
        return render_template("access/password.html", must_change=user.must_change, message=EXPIRED), 400
    engine = access().database.engine
    new, again = request.form.get("new_password", ""), request.form.get("new_password_again", "")
    message = None
    if accounts.verify(engine, user.principal.actor, request.form.get("password", "")) is None:
        message = "The current password is not right."
    elif new != again:
        message = "The two new passwords differ: type the same one twice."
    elif new == request.form.get("password"):
        message = "Choose a new password, not the one you have."
    else:
        try:
            accounts.check_password(new)
        except accounts.AccountProblem as problem:
            message = f"The new password is too short: {problem}."
    if message:
        return render_template("access/password.html", must_change=user.must_change, message=message), 422
    accounts.set_password(engine, user.principal.actor, new)
    logout_user()
    session.clear()
    return redirect(url_for("signin.login", done="changed"))


@bp.get("/login/oidc")
def oidc_start():
    """Send the browser to the clinic's provider (authorization code with PKCE)."""
    client = current_app.extensions.get("soleus.oidc_client")
    if client is None:
        return redirect(url_for("signin.login"))
    session["oidc_next"] = _next_page("")
    return client.authorize_redirect(url_for("signin.oidc_callback", _external=True))


@bp.get("/login/oidc/callback")
def oidc_callback():
    """Back from the provider: its ID token's claims give the person's role and teams."""
    client = current_app.extensions.get("soleus.oidc_client")
    if client is None:
        return redirect(url_for("signin.login"))
    try:
        token = client.authorize_access_token()
    except Exception as error:  # Authlib raises its OAuthError, requests' errors or a mismatching state
        current_app.logger.warning("OpenID sign-in failed: %s", type(error).__name__)
        return _login_page("The sign-in at the clinic's identity provider did not complete: try again.", 401)
    claims = token.get("userinfo") or {}
    config = current_app.config
    role = claims.get(config.get("OIDC_ROLE_CLAIM") or "role")
    teams = claims.get(config.get("OIDC_TEAM_CLAIM") or "team")
    teams = [teams] if isinstance(teams, str) else [t for t in teams or [] if isinstance(t, str) and t]
    subject = str(claims.get("email") or claims.get("sub") or "")
    if role not in ROLES or not teams or EVERY_TEAM in teams or not subject:
        _record("sign_in", "refused", 403, subject or None)
        return _login_page("Your account at the identity provider has no role and team for this service.", 403)
    principal = Principal(actor=subject[:254], kind="oidc", scopes=ROLES[role], teams=frozenset(teams), role=role)
    target = session.get("oidc_next") or _home(principal)
    _start(principal, "oidc")
    _record("sign_in", audit_trail.outcome_of(200), 200, principal.actor)
    return redirect(target)


def init_app(app) -> None:
    """Flask-Login, the sign-in pages and, where OIDC_CLIENT_ID is set, the provider's sign-in."""
    login_manager.init_app(app)
    login_manager.session_protection = None  # each sign-in makes a new session id (see _start)
    app.register_blueprint(bp)

    @app.context_processor
    def signed_in_person():
        return {"signed_in": signed_in_principal() if access().on else None}

    if app.config.get("OIDC_ISSUER") and app.config.get("OIDC_CLIENT_ID"):
        from authlib.integrations.flask_client import OAuth

        oauth = OAuth(app)
        app.extensions["soleus.oidc_client"] = oauth.register(
            "clinic",
            client_id=app.config["OIDC_CLIENT_ID"],
            client_secret=app.config.get("OIDC_CLIENT_SECRET"),
            server_metadata_url=str(app.config["OIDC_ISSUER"]).rstrip("/") + "/.well-known/openid-configuration",
            client_kwargs={
                "scope": app.config.get("OIDC_SIGN_IN_SCOPE", "openid email"),
                "code_challenge_method": "S256",
            },
        )
