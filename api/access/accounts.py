"""Accounts of people (the clinic pages' sign-in) and their signed-in sessions, in the service's database.

    add(engine, "ana@clinic.example", role="clinician", teams=["club-a"], password="...")
    account = verify(engine, "ana@clinic.example", "...")   # None: wrong, unknown or disabled alike
    token = open_session(engine, principal, source="password", hours=12)   # the cookie carries it
    signed_in(engine, token)                                               # -> Principal | None
    close_session(engine, token)                                           # sign-out: refused from now on

Passwords are hashed with argon2id (argon2-cffi's defaults, RFC 9106's second
recommended set); an unknown account is checked against a dummy hash, so it
takes as long as a known one. A session row is keyed by the SHA-256 of a
random token the cookie holds: each sign-in makes a new one (the id changes,
no session fixation) and signing out deletes it, so a copy of the cookie is
refused too.
"""

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from api.access.principal import EVERY_TEAM, ROLES, Principal, of_role, teams_of
from screening.history.tables import accounts, web_sessions

ACCOUNT_PATTERN = r"[a-z0-9._%+-]{1,64}(@[a-z0-9.-]{1,189})?"
TEAM_PATTERN = r"[A-Za-z0-9._-]{1,64}"
PASSWORD_MIN = 12
FIRST_ADMIN = "admin"
_hasher = PasswordHasher()
_DUMMY = _hasher.hash(secrets.token_urlsafe(16))


class AccountProblem(ValueError):
    """An account cannot be made or changed as asked; the message says why."""


@dataclass(frozen=True)
class Account:
    email: str
    role: str
    teams: list[str]
    must_change_password: bool

    def principal(self) -> Principal:
        return of_role(self.email, "account", self.role, teams_of(self.teams))


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def normalise(email: str) -> str:
    """An account name as stored: trimmed, lower case; AccountProblem if it is not an email or a plain name."""
    name = email.strip().lower()
    if not re.fullmatch(ACCOUNT_PATTERN, name):
        raise AccountProblem(
            f"an account is an email address or a plain name (letters, digits, . _ %% + -), not {email!r}"
        )
    return name


def check_password(password: str) -> None:
    if len(password) < PASSWORD_MIN:
        raise AccountProblem(f"a password has at least {PASSWORD_MIN} characters")


def add(
    engine: Engine, email: str, *, role: str, teams: list[str], password: str, must_change: bool = False
) -> Account:
    name = normalise(email)
    if role not in ROLES:
        raise AccountProblem(f"a role is {', '.join(ROLES)}, not {role!r}")
    if not teams:
        raise AccountProblem("give the account at least one --team")
    for team in teams:
        if team != EVERY_TEAM and not re.fullmatch(TEAM_PATTERN, team):
            raise AccountProblem(f"a team is 1-64 letters, digits, '.', '_' or '-', not {team!r}")
    check_password(password)
    kept = sorted(set(teams))
    row = {
        "email": name,
        "role": role,
        "teams": kept,
        "password_hash": _hasher.hash(password),
        "must_change_password": int(must_change),
        "created_at": _now(),
    }
    try:
        with engine.begin() as connection:
            connection.execute(accounts.insert(), row)
    except IntegrityError:
        raise AccountProblem(f"the account {name} exists already") from None
    return Account(name, role, kept, must_change)


def listed(engine: Engine) -> list:
    c = accounts.c
    with engine.connect() as connection:
        return list(connection.execute(select(c.email, c.role, c.teams, c.created_at, c.disabled_at).order_by(c.email)))


def count(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(accounts)) or 0


def disable(engine: Engine, email: str) -> bool:
    """Disable the account and end its sessions; False if there is no such enabled account."""
    name = normalise(email)
    with engine.begin() as connection:
        done = connection.execute(
            update(accounts)
            .where(accounts.c.email == name, accounts.c.disabled_at.is_(None))
            .values(disabled_at=_now())
        )
        connection.execute(delete(web_sessions).where(web_sessions.c.email == name))
    return bool(done.rowcount)


def set_password(engine: Engine, email: str, password: str, *, must_change: bool = False) -> bool:
    """Set a new password (ending the account's other sessions); False if there is no such account."""
    name = normalise(email)
    check_password(password)
    with engine.begin() as connection:
        done = connection.execute(
            update(accounts)
            .where(accounts.c.email == name)
            .values(password_hash=_hasher.hash(password), must_change_password=int(must_change))
        )
        connection.execute(delete(web_sessions).where(web_sessions.c.email == name))
    return bool(done.rowcount)


def verify(engine: Engine, email: str, password: str) -> Account | None:
    """The account if the password is its own and it is enabled; None otherwise, after the same work."""
    try:
        name = normalise(email)
    except AccountProblem:
        name = ""
    c = accounts.c
    row = None
    if name:
        with engine.connect() as connection:
            query = select(c.email, c.role, c.teams, c.password_hash, c.must_change_password, c.disabled_at)
            row = connection.execute(query.where(c.email == name)).first()
    try:
        _hasher.verify(row.password_hash if row is not None else _DUMMY, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None or row.disabled_at is not None:
        return None
    return Account(row.email, row.role, list(row.teams), bool(row.must_change_password))


def first_admin(engine: Engine) -> str | None:
    """On a database with no account: make `admin` (every team) with a one-time password, and return it."""
    if count(engine):
        return None
    password = secrets.token_urlsafe(15)
    try:
        add(engine, FIRST_ADMIN, role="admin", teams=[EVERY_TEAM], password=password, must_change=True)
    except AccountProblem:  # another process made it first
        return None
    return password


def _hashed(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(engine: Engine, principal: Principal, *, source: str, hours: float) -> str:
    """A new signed-in session for `principal`; the token goes in the cookie, its hash in the database."""
    token = secrets.token_urlsafe(32)
    now = _now()
    teams = [EVERY_TEAM] if principal.teams is None else sorted(principal.teams)
    with engine.begin() as connection:
        connection.execute(delete(web_sessions).where(web_sessions.c.expires_at < now))
        connection.execute(
            web_sessions.insert(),
            {
                "session_sha256": _hashed(token),
                "email": principal.actor,
                "role": principal.role,
                "teams": teams,
                "source": source,
                "created_at": now,
                "expires_at": now + timedelta(hours=hours),
            },
        )
    return token


def signed_in(engine: Engine, token: str) -> tuple[Principal, bool] | None:
    """The session's principal and whether its password must be changed first; None if it is not open."""
    s, a = web_sessions.c, accounts.c
    query = (
        select(s.email, s.role, s.teams, s.source, s.expires_at, a.must_change_password, a.disabled_at)
        .outerjoin(accounts, a.email == s.email)
        .where(s.session_sha256 == _hashed(token))
    )
    with engine.connect() as connection:
        row = connection.execute(query).first()
    if row is None or row.expires_at <= _now() or row.disabled_at is not None:
        return None
    if row.source == "password" and row.must_change_password is None:  # the account is gone
        return None
    kind = "account" if row.source == "password" else "oidc"
    return of_role(row.email, kind, row.role, teams_of(list(row.teams))), bool(row.must_change_password)


def close_session(engine: Engine, token: str) -> None:
    with engine.begin() as connection:
        connection.execute(delete(web_sessions).where(web_sessions.c.session_sha256 == _hashed(token)))
