"""Hold the app's history store and write screenings to it.

    STORE          on (default) or off: off makes the service stateless, as before the history
    DATABASE_URL   where: default a SQLite file in the app's instance folder (created and upgraded
                   on first start); postgresql+psycopg://user@host/db to scale out (its schema must be
                   current: `soleus-screen db upgrade`, else the service refuses to start)
    SQLITE_SYNCHRONOUS  FULL (default) or NORMAL: how a SQLite file flushes its commits
                   (screening/history/store.py, SYNCHRONOUS: NORMAL may lose the last answered
                   screenings to a power cut or OS crash, never to a killed server)

Both from the environment too (SOLEUS_STORE=off, SOLEUS_DATABASE_URL=...). A
screening is answered with `"stored": true` only after its row is committed;
a write that fails is a 503 problem and nothing of it stays in the database.
"""

import logging
import os
import re
from datetime import UTC, datetime

from flask import current_app, request
from sqlalchemy.exc import SQLAlchemyError

from api.problems import Problem, problem_response
from screening.history import Screening, Store
from screening.intake.schema import RUNNER_ID_PATTERN
from screening.service import visit_time
from screening.timestamps import format_time, naive_utc

KEY = "soleus.store"
DEFAULT_FILE = "soleus.sqlite3"
OFF = {"off", "false", "0", "no"}
TEAM_PATTERN = RUNNER_ID_PATTERN
TEAM_PARAMETER = {
    "in": "query",
    "name": "team",
    "required": False,
    "description": "The club or clinic the runner belongs to (runner ids are unique only within one): "
    "1-64 letters, digits, '.', '_' or '-'. Omitted: the runners stored without a team.",
    "schema": {"type": "string", "pattern": TEAM_PATTERN},
}
log = logging.getLogger("soleus")


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


def open_store(url: str, synchronous: str = "FULL") -> Store:
    """Open a store: a SQLite file is embedded, so it is created and upgraded here; any other must be current."""
    return Store.open(url, upgrade=url.startswith("sqlite"), synchronous=synchronous)


def init_app(app) -> None:
    """Open the store now, so a database that is behind stops the service from starting."""
    if enabled(app.config):
        app.extensions[KEY] = open_store(database_url(app), app.config.get("SQLITE_SYNCHRONOUS", "FULL"))
        app.register_error_handler(SQLAlchemyError, _store_failed)


def store() -> Store | None:
    return current_app.extensions.get(KEY)


TEAM_EXPECTED = "Expected a club or clinic key: 1-64 letters, digits, '.', '_' or '-'."


def log_failure(error: SQLAlchemyError) -> None:
    """Log that the store failed: the error's name only, never the statement's values (the intake)."""
    log.error("history store failed: %s", type(error).__name__)


def _store_failed(error: SQLAlchemyError):
    log_failure(error)
    return problem_response(
        503, "Service Unavailable", "The history store cannot be reached; nothing was stored. Try again shortly."
    )


def team() -> str:
    """The request's `team` query parameter ('' when none), or a 422 naming it."""
    value = request.args.get("team")
    if value is None:
        return ""
    if not re.fullmatch(TEAM_PATTERN, value):
        raise Problem(
            422,
            "The team is invalid: see errors.",
            errors={"team": [TEAM_EXPECTED]},
        )
    return value


def screen(core, intake: dict, team_key: str) -> tuple[dict, bytes | None]:
    """Screen the intake; when the store is on, store it and give the exact JSON text that was stored.

    The result then says what changed since the runner's previous stored
    screening (`history`) and `"stored": true`, and the text is only given once its
    row is committed (a failed write raises, and is answered 503).
    """
    history = store()
    moment = visit_time(intake) or datetime.now(UTC)
    # The runner's screenings before this visit: a late-entered one gets the history as it stood then.
    before = naive_utc(moment)
    earlier = history.history(team_key, intake["runner"]["id"], before=before) if history is not None else None
    result = core.screen_valid(intake, screened_at=format_time(moment), history=earlier, at=moment)
    if history is None:
        return result, None
    row, body = Screening.to_store(intake, result, team_key, at=moment)
    history.add(row)
    return result, body
