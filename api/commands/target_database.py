"""The database a command works on: which one (said in words), and an action run on its engine.

Shared by `db` and its backup and restore (db.py, db_backup.py), `roster --store`, the
commands that open the store (opened.py) and what `serve` says at start (api/commands/serve_ready.py).
"""

import os
import sys

from api.commands.exits import EXIT_UNAVAILABLE


def database_url(url: str | None = None) -> str:
    """`url`, else SOLEUS_DATABASE_URL, else the embedded SQLite file the service uses."""
    if url:
        return url
    if os.environ.get("SOLEUS_DATABASE_URL"):
        return os.environ["SOLEUS_DATABASE_URL"]
    from flask import Flask

    from api.operations.store_binding import database_url as instance_database_url

    # The same instance folder create_app's Flask("api") has.
    return instance_database_url(Flask("api"))


def database_in_words(url: str) -> str:
    """Which database `url` is, for a person: the SQLite file's path, or the URL without its password."""
    from sqlalchemy.engine import URL, make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        return "an unreadable database URL"
    if parsed.get_backend_name() == "sqlite":
        if parsed.database in (None, "", ":memory:"):
            return "an in-memory SQLite database"
        return f"the SQLite file {os.path.abspath(parsed.database)}"
    without = URL.create(
        parsed.drivername, parsed.username, None, parsed.host, parsed.port, parsed.database, parsed.query
    )
    return without.render_as_string(hide_password=False)


def on_database(args, action) -> int:
    """Run `action(engine)` on the database `args.url` names (or the default); say which, and why it failed (69)."""
    from sqlalchemy.exc import SQLAlchemyError

    from screening.history.database import make_engine
    from screening.history.failures import failure_reason

    url = database_url(args.url)
    print(f"database: {database_in_words(url)}", flush=True)
    try:
        engine = make_engine(url)
        return action(engine)
    except SQLAlchemyError as error:
        print(f"soleus-screen: the database cannot be used: {failure_reason(error)}", file=sys.stderr)
        return EXIT_UNAVAILABLE
