"""`soleus-screen db`: look after the runner history database.

    soleus-screen db upgrade            apply every migration (any database; the embedded SQLite too)
    soleus-screen db current            which revision the database is at, and the newest
    soleus-screen db prune [--days N]   delete screenings older than N days (default SOLEUS_RETENTION_DAYS)

The database is SOLEUS_DATABASE_URL, or `--url`, else the embedded SQLite file
in the service's instance folder (the one `serve` uses).
"""

import os
import sys

from api.commands.exits import EXIT_OK, EXIT_UNUSABLE

EXIT_UNAVAILABLE = 69  # EX_UNAVAILABLE: the database cannot be reached


def _url(args) -> str:
    return database_url(args.url)


def database_url(url: str | None = None) -> str:
    """`url`, else SOLEUS_DATABASE_URL, else the embedded SQLite file the service uses."""
    if url:
        return url
    if os.environ.get("SOLEUS_DATABASE_URL"):
        return os.environ["SOLEUS_DATABASE_URL"]
    from flask import Flask

    from api.store import database_url as instance_database_url

    # The same instance folder create_app's Flask("api") has.
    return instance_database_url(Flask("api"))


def _run(args, action) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from screening.history.store import failure_reason, make_engine

    url = _url(args)
    try:
        engine = make_engine(url)
        return action(engine)
    except SQLAlchemyError as error:
        print(f"soleus-screen: the database cannot be used: {failure_reason(error)}", file=sys.stderr)
        return EXIT_UNAVAILABLE


def run_upgrade(args) -> int:
    from screening.history import migrate

    def upgrade(engine) -> int:
        before = migrate.current(engine)
        migrate.upgrade(engine)
        print(f"database at revision {migrate.current(engine)} (was {before or 'empty'})")
        return EXIT_OK

    return _run(args, upgrade)


def run_current(args) -> int:
    from screening.history import migrate

    def current(engine) -> int:
        at, newest = migrate.current(engine), migrate.head()
        print(f"database at revision {at or 'none (empty)'}; newest {newest}")
        return EXIT_OK if at == newest else EXIT_UNUSABLE

    return _run(args, current)


def run_prune(args) -> int:
    from screening.history import migrate
    from screening.history.store import Store

    days = args.days if args.days is not None else os.environ.get("SOLEUS_RETENTION_DAYS")
    if days is None or not str(days).isdigit():
        print("soleus-screen: give --days N or set SOLEUS_RETENTION_DAYS (whole days)", file=sys.stderr)
        return EXIT_UNUSABLE

    def prune(engine) -> int:
        migrate.require_current(engine, "to prune")
        erased = Store(engine).prune(int(days))
        print(f"deleted {erased} screenings older than {days} days")
        return EXIT_OK

    try:
        return _run(args, prune)
    except migrate.SchemaBehind as error:
        print(f"soleus-screen: {error}", file=sys.stderr)
        return EXIT_UNUSABLE


def add_db(subparsers) -> None:
    parser = subparsers.add_parser(
        "db",
        help="upgrade, check or prune the runner history database",
        description="Look after the runner history database: SOLEUS_DATABASE_URL, --url, else the embedded SQLite "
        "file in the service's instance folder.",
    )
    actions = parser.add_subparsers(dest="action", required=True)
    for name, handler, text in (
        ("upgrade", run_upgrade, "apply every migration the database lacks"),
        ("current", run_current, "say which revision the database is at (exit 2 if behind)"),
        ("prune", run_prune, "delete screenings older than the retention period"),
    ):
        action = actions.add_parser(name, help=text, description=text)
        action.add_argument("--url", help="the database URL (default: SOLEUS_DATABASE_URL or the embedded file)")
        if name == "prune":
            action.add_argument("--days", type=int, help="retention in days (default: SOLEUS_RETENTION_DAYS)")
        action.set_defaults(handler=handler)
