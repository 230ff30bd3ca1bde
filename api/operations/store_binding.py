"""Hold the app's history store and write screenings to it.

    STORE          on (default) or off: off makes the service stateless, as before the history
    DATABASE_URL   where: default a SQLite file in the app's instance folder (created and upgraded
                   on first start); postgresql+psycopg://user@host/db to scale out (its schema must be
                   current: `soleus-screen db upgrade`, else the service refuses to start)
    STORE_WRITE_WAIT    seconds a write waits for another process's SQLite write lock, then 503 (default 5)
    SQLITE_SYNCHRONOUS  FULL (default) or NORMAL: how a SQLite file flushes its commits
                   (screening/history/database.py, SYNCHRONOUS: NORMAL may lose the last answered
                   screenings to a power cut or OS crash, never to a killed server)

Both from the environment too (SOLEUS_STORE=off, SOLEUS_DATABASE_URL=...). A
screening is answered with `"stored": true` only after its row is committed,
with its audit entry in the same transaction; a write that fails is a 503
problem and nothing of it (neither row) stays in the database. With access
control on (AUTH, api/access) the database is opened even with STORE=off: it
holds the keys, accounts and audit trail, and only screenings are not kept.
"""

import logging
import os
from datetime import UTC, datetime

from flask import current_app
from sqlalchemy.exc import SQLAlchemyError

from api.access import guard
from api.access.guard import TEAM_EXPECTED, team
from api.operations import metrics
from api.plumbing.problems import problem_response
from screening.history.failures import describe, failure_reason
from screening.history.screening_row import ScreeningRow
from screening.history.store import Store
from screening.intake.schema import RUNNER_ID_PATTERN
from screening.service import visit_time
from screening.timestamps import format_time, naive_utc

__all__ = ["TEAM_EXPECTED", "TEAM_PATTERN", "database", "screen", "store", "team"]
KEY = "soleus.store"
DATABASE = "soleus.database"  # the Store whose engine also holds keys, accounts and the audit trail
DEFAULT_FILE = "soleus.sqlite3"
OFF = {"off", "false", "0", "no"}
TEAM_PATTERN = RUNNER_ID_PATTERN
TEAM_PARAMETER = {
    "in": "query",
    "name": "team",
    "required": False,
    "description": "The club or clinic the runner belongs to (runner ids are unique only within one): "
    "1-64 letters, digits, '.', '_' or '-'. Omitted: the credential's team (with AUTH=off: the runners "
    "stored without a team). A team the credential does not hold is refused (403).",
    "schema": {"type": "string", "pattern": TEAM_PATTERN},
}
log = logging.getLogger("soleus")
# Seconds a write waits for another process holding a SQLite file's write lock (a backup, a long prune, a
# sqlite3 shell) before it is a 503 with nothing stored; meanwhile, for 2 s after one such 503, new writes are
# answered 503 at once instead of waiting in vain (screening/history/store_health.py).
WRITE_WAIT = 5.0


def enabled(config) -> bool:
    value = config.get("STORE", "on")
    return not (value is False or str(value).strip().lower() in OFF)


def database_url(app) -> str:
    """The configured DATABASE_URL, else the embedded SQLite file in the instance folder."""
    url = app.config.get("DATABASE_URL")
    if url:
        return str(url)
    os.makedirs(app.instance_path, exist_ok=True)
    return f"sqlite:///{os.path.join(app.instance_path, DEFAULT_FILE)}"


def open_store(url: str, synchronous: str = "FULL", write_wait: float = WRITE_WAIT) -> Store:
    """Open a store: a SQLite file is embedded, so it is created and upgraded here; any other must be current.

    `write_wait`: seconds a write waits for another process holding a SQLite file's write lock, then 503.
    """
    return Store.open(
        url, upgrade=url.startswith("sqlite"), synchronous=synchronous, busy_timeout_ms=int(float(write_wait) * 1000)
    )


def auth_on(config) -> bool:
    return str(config.get("AUTH", "on")).strip().lower() not in OFF


def init_app(app) -> None:
    """Open the database now, so one that is behind stops the service from starting.

    Screenings are kept when STORE is on; the database is open whenever STORE
    or AUTH is on (AUTH=off with STORE=off is stateless, as before either).
    """
    if enabled(app.config) or auth_on(app.config):
        opened = open_store(
            database_url(app),
            app.config.get("SQLITE_SYNCHRONOUS", "FULL"),
            app.config.get("STORE_WRITE_WAIT", WRITE_WAIT),
        )
        app.extensions[DATABASE] = opened
        if enabled(app.config):
            app.extensions[KEY] = opened
        app.register_error_handler(SQLAlchemyError, _store_failed)


def database_of(app) -> Store | None:
    return app.extensions.get(DATABASE)


def store() -> Store | None:
    """The store screenings are kept in (None with STORE=off)."""
    return current_app.extensions.get(KEY)


def database() -> Store | None:
    """The service's database (keys, accounts, the audit trail; screenings too unless STORE=off)."""
    return current_app.extensions.get(DATABASE)


def log_failure(error: BaseException) -> None:
    """Log that the store failed: the error's name and the database's own message and code, never the
    statement or its values (the intake)."""
    log.error("history store failed: %s", failure_reason(error))


def _store_failed(error: SQLAlchemyError):
    log_failure(error)
    metrics.unavailable(describe(error).code)
    return problem_response(
        503, "Service Unavailable", "The history store cannot be reached; nothing was stored. Try again shortly."
    )


def screen(core, intake: dict, team_key: str, action: str = "screen") -> tuple[dict, bytes | None]:
    """Screen the intake; when the store is on, store it and give the exact JSON text that was stored.

    The result then says what changed since the runner's previous stored
    screening (`history`) and `"stored": true`, and the text is only given once its
    row is committed with its audit entry (a failed write raises, and is
    answered 503, and leaves neither). With STORE=off the audit entry alone is
    committed before the answer.
    """
    history = store()
    if history is None:
        return _screen(core, intake, team_key, action, None)
    # One runner's screenings one after another, so each names the one stored just before it (runner_lock.py).
    with history.runners.hold(team_key, intake["runner"]["id"]):
        return _screen(core, intake, team_key, action, history)


def _screen(core, intake: dict, team_key: str, action: str, history: Store | None) -> tuple[dict, bytes | None]:
    now = datetime.now(UTC)
    moment = visit_time(intake) or now
    runner_id = intake["runner"]["id"]
    # The runner's screenings before this visit: a late-entered one gets the history as it stood then.
    before = naive_utc(moment)
    earlier = history.history(team_key, runner_id, before=before) if history is not None else None
    result = core.screen_valid(intake, screened_at=format_time(moment), history=earlier, at=moment)
    metrics.screened(result)
    trail = database()
    audit = None
    if trail is not None:
        audit = guard.entry(action, "ok", 200, team=team_key, runner_id=runner_id, screening_id=result["screening_id"])
        audit["at"] = now.replace(tzinfo=None)  # when it was recorded; the visit's own time is in the result
        guard.audited()
    if history is None:
        if trail is not None and audit is not None:
            trail.record(audit)
        return result, None
    row, body = ScreeningRow.to_store(intake, result, team_key, at=moment)
    history.add(row, audit=audit)
    return result, body
