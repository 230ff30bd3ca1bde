"""API keys: made by `soleus-screen keys create`, kept as a SHA-256 hash, checked on each request in microseconds.

    token = create(engine, name="club-a-app", team="club-a", scopes=["screen"], days=90)   # shown once
    ring = KeyRing(engine)
    ring.check(token)        # -> (Principal, None), or (None, why it is refused)

A token is `soleus_key_` and 256 random bits (`secrets.token_urlsafe(32)`);
the database holds only its SHA-256 (a token that long needs no password
hashing: it cannot be guessed). A check hashes the token and looks the hash up
in a per-process cache whose entries live at most `TTL` (1 s): a revoked key is
refused by every worker within a second, without a restart, and a busy key
costs one indexed read a second per process. `last_used_at` is written at
most once a minute per key, by a background thread, never on the request's
path.
"""

import hashlib
import os
import re
import secrets
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from api.access.principal import SCOPES, Principal
from screening.history.tables import api_keys

PREFIX = "soleus_key_"
NAME_PATTERN = r"[A-Za-z0-9._-]{1,64}"
TTL = 1.0  # seconds a cached key (or an unknown hash) is trusted before it is read again
CACHE_MOST = 10_000  # hashes kept at most (unknown tokens too); past it the cache starts afresh
LAST_USED_EVERY = 60.0  # seconds between two writes of one key's last_used_at


class KeyProblem(ValueError):
    """A key cannot be made or found as asked; the message says why."""


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def parse_scopes(text: str) -> list[str]:
    """SCOPE[,SCOPE...] (or space-separated) -> the scopes, each known; KeyProblem naming an unknown one."""
    scopes = [part for part in re.split(r"[,\s]+", text.strip()) if part]
    unknown = [scope for scope in scopes if scope not in SCOPES]
    if unknown or not scopes:
        raise KeyProblem(f"unknown scope {', '.join(unknown) or '(none given)'}: expected {', '.join(SCOPES)}")
    return sorted(set(scopes), key=SCOPES.index)


def create(engine: Engine, *, name: str, team: str, scopes: list[str], days: int | None = None) -> str:
    """Store a new key and return its token (the only time it exists outside the caller's hands)."""
    if not re.fullmatch(NAME_PATTERN, name):
        raise KeyProblem(f"a key name is 1-64 letters, digits, '.', '_' or '-', not {name!r}")
    if not re.fullmatch(NAME_PATTERN, team):
        raise KeyProblem(f"a team is 1-64 letters, digits, '.', '_' or '-', not {team!r}")
    if days is not None and days < 1:
        raise KeyProblem("--expires is a whole number of days, 1 or more")
    token = PREFIX + secrets.token_urlsafe(32)
    created = _now()
    row = {
        "key_id": uuid.uuid4().hex,
        "name": name,
        "token_sha256": digest(token),
        "team": team,
        "scopes": " ".join(scopes),
        "created_at": created,
        "expires_at": created + timedelta(days=days) if days else None,
    }
    try:
        with engine.begin() as connection:
            connection.execute(api_keys.insert(), row)
    except IntegrityError:
        raise KeyProblem(
            f"a key named {name!r} exists already (names are unique; revoke it or choose another)"
        ) from None
    return token


def listed(engine: Engine) -> list:
    """Every key's name, team, scopes and dates (never its hash), oldest first."""
    c = api_keys.c
    query = select(c.name, c.team, c.scopes, c.created_at, c.last_used_at, c.expires_at, c.revoked_at)
    with engine.connect() as connection:
        return list(connection.execute(query.order_by(c.created_at, c.name)).all())


def revoke(engine: Engine, name: str) -> bool:
    """Revoke the key of this name (refused everywhere within TTL); False if there is no such live key."""
    c = api_keys.c
    with engine.begin() as connection:
        done = connection.execute(
            update(api_keys).where(c.name == name, c.revoked_at.is_(None)).values(revoked_at=_now())
        )
    return bool(done.rowcount)


@dataclass(frozen=True)
class _Entry:
    read_at: float  # time.monotonic() of the read
    principal: Principal | None
    expires: float | None  # epoch seconds
    revoked: bool


class KeyRing:
    """Checks tokens against the keys table through a per-process cache (entries live at most TTL)."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._cache: dict[str, _Entry] = {}
        self._written: dict[str, float] = {}
        self._writer: ThreadPoolExecutor | None = None
        self._writer_pid = 0
        self._lock = threading.Lock()

    def check(self, token: str) -> tuple[Principal | None, str | None]:
        """The key's principal, or None and why the token is refused (unknown, revoked, expired)."""
        hashed = digest(token)
        entry = self._cache.get(hashed)
        if entry is None or time.monotonic() - entry.read_at > TTL:
            entry = self._read(hashed)
        if entry.principal is None:
            return None, "The bearer token is not a key of this service (or no longer exists)."
        if entry.revoked:
            return None, "This key has been revoked."
        if entry.expires is not None and entry.expires <= time.time():
            return None, "This key has expired."
        self._used(entry.principal.key_id or "")
        return entry.principal, None

    def _read(self, hashed: str) -> _Entry:
        c = api_keys.c
        query = select(c.key_id, c.name, c.team, c.scopes, c.expires_at, c.revoked_at).where(c.token_sha256 == hashed)
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        if row is None:
            entry = _Entry(time.monotonic(), None, None, False)
        else:
            principal = Principal(
                actor=row.name,
                kind="key",
                scopes=frozenset(row.scopes.split()),
                teams=frozenset({row.team}),
                key_id=row.key_id,
            )
            expires = row.expires_at.replace(tzinfo=UTC).timestamp() if row.expires_at else None
            entry = _Entry(time.monotonic(), principal, expires, row.revoked_at is not None)
        if len(self._cache) >= CACHE_MOST:
            self._cache = {}
        self._cache[hashed] = entry
        return entry

    def _used(self, key_id: str) -> None:
        """Note that the key was used: written to last_used_at at most once a minute, off the request's path."""
        now = time.monotonic()
        if now - self._written.get(key_id, -LAST_USED_EVERY) < LAST_USED_EVERY:
            return
        with self._lock:
            if now - self._written.get(key_id, -LAST_USED_EVERY) < LAST_USED_EVERY:
                return
            self._written[key_id] = now
            if self._writer is None or self._writer_pid != os.getpid():  # a forked worker makes its own
                self._writer, self._writer_pid = ThreadPoolExecutor(1, "soleus-last-used"), os.getpid()
            self._writer.submit(self._write_last_used, key_id, _now())

    def _write_last_used(self, key_id: str, moment: datetime) -> None:
        try:
            with self.engine.begin() as connection:
                connection.execute(update(api_keys).where(api_keys.c.key_id == key_id).values(last_used_at=moment))
        except SQLAlchemyError:  # a busy or unreachable database: the next use tries again in a minute
            pass
