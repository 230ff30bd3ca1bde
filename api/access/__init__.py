"""Access control: credentials with a team and a scope, sign-in for the pages, the audit trail, the edge.

    principal.py  who is asking: scopes, roles, teams
    key_ring.py   API keys (hashed, cached per process, revoked within a second)
    oidc.py       tokens of the clinic's OpenID provider (joserfc, the provider's JWKS)
    guard.py      `requires(scope, action)`: the check and the audit entry of each protected operation
    accounts.py   people's accounts (argon2) and their signed-in sessions
    signin.py     /login, sign-out, the password change, the provider's sign-in (Flask-Login, Authlib)
    throttle.py   lookup limits and sign-in lock-out (the `limits` library, per process)
    boundary.py   allowed hosts, CORS, the JSON API's 415 for form bodies, same-origin page posts

AUTH (SOLEUS_AUTH) is on by default; docs/security.md says what is protected and how.
"""

import logging

from api.access.boundary import allowed_hosts, init_cors, refuse_form_bodies, same_origin_pages
from api.access.guard import KEY, Access, requires, team, write_audit
from api.access.guard import guard as check_request

__all__ = ["init_app", "requires", "team"]
log = logging.getLogger("soleus")


def init_app(app, database) -> None:
    """Set access control up on `app`; `database` is the Store holding keys, accounts and the trail (or None)."""
    from api.access import signin

    settings = Access(app, database)
    app.extensions[KEY] = settings
    if app.config.get("TRUSTED_HOSTS") is None:
        app.config["TRUSTED_HOSTS"] = allowed_hosts(app.config)
    app.before_request(refuse_form_bodies)
    app.before_request(same_origin_pages)
    app.before_request(check_request)
    app.after_request(write_audit)
    init_cors(app)
    signin.init_app(app)
    if not settings.on:
        log.warning(
            "Access control is OFF (SOLEUS_AUTH=off): anyone who reaches the port reads and erases every runner. "
            "For the in-process test client and a loopback-only service only."
        )


def bind(app, host: str) -> None:
    """`serve` binds `host`: answer it as a Host name too (unless ALLOWED_HOSTS is configured)."""
    if not app.config.get("ALLOWED_HOSTS"):
        app.config["TRUSTED_HOSTS"] = allowed_hosts(app.config, host)
