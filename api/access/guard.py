"""Check every protected request's credential, scope and team, and audit it, refusals included.

    @blp.get("/runners/<runner_id>/trend")
    @requires(READ, "read_trend", lookup=True)     # the one line a protected operation needs
    def runner_trend(runner_id): ...

`requires(scope, action)` marks a view: before it runs, the guard takes the
credential from the `Authorization: Bearer` header only (never a cookie, so a
page on another site cannot act for a signed-in clinician), checks it (an API
key, else a token of the OpenID provider), and that it has the scope. No
credential, or an unknown, expired, revoked or forged one: 401 with
`WWW-Authenticate: Bearer`; a valid one without the scope: 403 naming it. With
`lookup=True` the operation is rate-limited per credential and per address
(429 with Retry-After). After it, one audit entry records the action, the
runner and screening it named, and the outcome (a view that writes puts its
entry in its own transaction and sets `g.audited`, see api/operations/store_binding.py).

`team()` is the team an operation acts for: the credential's own when the
request names none; one it does not hold is refused (403), so another team's
runners and screenings can only be asked for through their own credential,
and the store's queries carry the team (another team's screening id answers
404, as an unknown one does).

With AUTH=off every request acts as ANONYMOUS (every scope, any team chosen
by the `team` parameter), as before access control: for the in-process test
client and a loopback-only service (`serve` refuses anything else).
"""

import logging
import re
from dataclasses import dataclass

from flask import current_app, g, request
from flask_smorest import Blueprint
from sqlalchemy.exc import SQLAlchemyError

from api.access import key_ring
from api.access.oidc import ProviderTokens, TokenRefused, Unavailable
from api.access.principal import ANONYMOUS, Principal
from api.access.throttle import Throttle
from api.plumbing.openapi import problems
from api.plumbing.problems import Problem, problem_response
from api.plumbing.requestlog import current_request_id
from screening.history import audit_trail
from screening.history.failures import failure_reason
from screening.intake.schema import RUNNER_ID_PATTERN

KEY = "soleus.access"
BEARER = "bearer"  # the OpenAPI security scheme
REALM = 'Bearer realm="soleus-screen"'
SCREENING_ID = r"[0-9a-f]{32}"
log = logging.getLogger("soleus")


@dataclass(frozen=True)
class AccessRule:
    """What a protected operation needs (`scope`), how the audit trail names it, whether it is a lookup."""

    scope: str
    action: str
    lookup: bool = False


class Access:
    """The app's access settings and checkers (app.extensions[KEY])."""

    def __init__(self, app, database):
        self.on = str(app.config.get("AUTH", "on")).strip().lower() not in ("off", "false", "0", "no")
        self.database = database  # the Store whose engine holds keys, accounts and the trail (None: no database)
        self.keys = key_ring.KeyRing(database.engine) if database is not None else None
        self.provider = ProviderTokens(app.config) if app.config.get("OIDC_ISSUER") else None
        self.throttle = Throttle(app.config)


def access() -> Access:
    return current_app.extensions[KEY]


def requires(scope: str, action: str, *, lookup: bool = False, problem_answers: bool = True):
    """Protect a view (see the module's docstring) and say so in its OpenAPI operation.

    `problem_answers=False`: the face documents its own 401/403 bodies (FHIR's OperationOutcome).
    """
    statuses = {"s401": "No credential, or one that is unknown, expired, revoked or does not verify"}
    statuses["s403"] = f"The credential lacks the scope `{scope}` this operation needs, or names another team"
    if lookup:
        statuses["s429"] = "Too many lookups from this credential or address (LOOKUP_RATE_LIMIT): see Retry-After"
    responses = problems(**statuses) if problem_answers else {}

    def decorate(view):
        documented = Blueprint.doc(security=[{BEARER: []}], responses=responses, **{"x-required-scopes": [scope]})(view)
        documented.access_rule = AccessRule(scope, action, lookup)
        return documented

    return decorate


def rule_of(endpoint: str | None) -> AccessRule | None:
    view = current_app.view_functions.get(endpoint) if endpoint else None
    return getattr(view, "access_rule", None)


def unauthorised(detail: str, error: str | None = "invalid_token") -> Problem:
    challenge = f'{REALM}, error="{error}"' if error else REALM
    return Problem(401, detail, headers={"WWW-Authenticate": challenge})


def too_many(wait: int) -> Problem:
    return Problem(
        429,
        f"Too many lookups of runners and screenings: wait {wait} s (LOOKUP_RATE_LIMIT).",
        headers={"Retry-After": str(wait)},
    )


def authenticate(settings: Access) -> Principal:
    """The principal of the request's bearer credential, or 401 saying what is wrong with it."""
    header = request.headers.get("Authorization")
    if not header:
        raise unauthorised(
            "This operation needs a credential: send Authorization: Bearer TOKEN (an API key of this service, "
            "or a token of the clinic's identity provider).",
            error=None,
        )
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise unauthorised("Send the credential as Authorization: Bearer TOKEN.", error="invalid_request")
    if token.startswith(key_ring.PREFIX) and settings.keys is not None:
        principal, why = settings.keys.check(token)
        if principal is None:
            raise unauthorised(why or "The key is not acceptable.")
        return principal
    if settings.provider is None:
        raise unauthorised("The bearer token is not a key of this service (or no longer exists).")
    try:
        return settings.provider.verify(token)
    except Unavailable as why:
        raise Problem(503, str(why), headers={"Retry-After": "5"}) from None
    except TokenRefused as why:
        raise unauthorised(str(why)) from None


def guard():
    """before_request: the credential, scope and lookup limits of a protected operation (see module doc)."""
    rule = rule_of(request.endpoint)
    if rule is None or request.method == "OPTIONS":
        return
    g.audit = {"action": rule.action}
    settings = access()
    if not settings.on:
        g.principal = ANONYMOUS
        return
    if rule.lookup and (wait := settings.throttle.hit(settings.throttle.lookups, "address", _address())):
        raise too_many(wait)
    principal = g.principal = authenticate(settings)
    credential = principal.key_id or f"{principal.kind}:{principal.actor}"
    if rule.lookup and (wait := settings.throttle.hit(settings.throttle.lookups, "credential", credential)):
        raise too_many(wait)
    if not principal.may(rule.scope):
        raise Problem(
            403,
            f"This credential lacks the scope {rule.scope}, which this operation needs.",
            scope=rule.scope,
        )


def _address() -> str:
    return request.remote_addr or "unknown"


TEAM_EXPECTED = "Expected a club or clinic key: 1-64 letters, digits, '.', '_' or '-'."


def team() -> str:
    """The team the operation acts for ('' for runners stored without one), or a 422/403 naming why not.

    AUTH=off (or a principal of every team): the `team` query parameter, as given. Otherwise the
    credential's own team when none is named; a team it does not hold is refused.
    """
    asked = request.args.get("team")
    if asked is not None and not re.fullmatch(r"[A-Za-z0-9._-]{1,64}", asked):
        raise Problem(422, "The team is invalid: see errors.", errors={"team": [TEAM_EXPECTED]})
    principal = g.get("principal", ANONYMOUS)
    if principal.teams is None:
        chosen = asked or ""
    elif asked is None:
        only = principal.only_team
        if only is None:
            raise Problem(
                422,
                "Name the team: this credential is for several.",
                errors={"team": [f"Expected one of {', '.join(sorted(principal.teams))}."]},
            )
        chosen = only
    elif asked in principal.teams:
        chosen = asked
    else:
        raise Problem(403, f"This credential is not for team {asked}.")
    g.team = chosen
    return chosen


def principal() -> Principal:
    return g.get("principal", ANONYMOUS)


def entry(action: str, outcome: str, status: int | None, **named) -> dict:
    """An audit entry for this request: its principal, team, id and address, and what it named."""
    who = principal()
    return audit_trail.entry(
        action,
        actor=who.actor,
        actor_kind=who.kind if "principal" in g else "none",
        outcome=outcome,
        status=status,
        team=named.pop("team", None) or _team_named(who),
        request_id=current_request_id() or None,
        client_address=_address()[:64],
        **named,
    )


def _team_named(who: Principal) -> str | None:
    """The team the request acted for or asked for (a refusal happens before it is chosen)."""
    if "team" in g:
        return g.team or None
    asked = request.args.get("team")
    if asked is not None and re.fullmatch(r"[A-Za-z0-9._-]{1,64}", asked):
        return asked
    return who.only_team


def audited() -> None:
    """Say the request's audit entry is written (with the write it records)."""
    g.audited = True


def write_audit(response):
    """after_request: the audit entry of an operation that named an action and did not write its own."""
    wanted = g.get("audit")
    if wanted is None or g.get("audited") or request.method == "OPTIONS":
        return response
    database = access().database
    if database is None:
        return response
    args = request.view_args or {}
    runner = wanted.get("runner_id", args.get("runner_id"))
    screening = wanted.get("screening_id", args.get("screening_id"))
    row = entry(
        wanted["action"],
        audit_trail.outcome_of(response.status_code),
        response.status_code,
        runner_id=runner if isinstance(runner, str) and re.fullmatch(RUNNER_ID_PATTERN, runner) else None,
        screening_id=screening if isinstance(screening, str) and re.fullmatch(SCREENING_ID, screening) else None,
    )
    try:
        database.record(row)
    except SQLAlchemyError as error:
        log.error("audit trail write failed: %s", failure_reason(error))
        if response.status_code >= 500:  # already a failure (the store's own 503): it says what happened
            return response
        g.unavailable_cause = "audit"  # api/operations/metrics.py counts the 503 by it
        return problem_response(
            503, "Service Unavailable", "The audit trail cannot be written, so nothing is answered. Try again shortly."
        )
    return response
