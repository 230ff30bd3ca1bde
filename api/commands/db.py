"""`soleus-screen db`: look after the runner history database.

    soleus-screen db upgrade            apply every migration (any database; the embedded SQLite too)
    soleus-screen db current            which revision the database is at, and the newest
    soleus-screen db prune [--days N]   delete screenings older than N days (default SOLEUS_RETENTION_DAYS)
    soleus-screen db backup FILE        copy a SQLite store, consistent under write load (db_backup.py)
    soleus-screen db restore FILE       make a SQLite store the copy (--replace if it holds screenings)

The database is SOLEUS_DATABASE_URL, or `--url`, else the embedded SQLite file
in the service's instance folder (the one `serve` uses).
"""

import os
import sys

from api.commands.db_backup import run_backup, run_restore
from api.commands.exits import EXIT_OK, EXIT_UNUSABLE
from api.commands.target_database import on_database
from api.commands.usage import add_command

EXIT_STATUSES = """exit status:
  0   done (current: the database is at the newest revision)
  2   bad usage, or the schema is behind (current, prune: run `soleus-screen db upgrade`)
  69  the database cannot be reached or used (the message names the reason)"""


def run_upgrade(args) -> int:
    from screening.history import migrate

    def upgrade(engine) -> int:
        before = migrate.current(engine)
        migrate.upgrade(engine)
        print(f"database at revision {migrate.current(engine)} (was {before or 'empty'})")
        return EXIT_OK

    return on_database(args, upgrade)


def run_current(args) -> int:
    from screening.history import migrate

    def current(engine) -> int:
        at, newest = migrate.current(engine), migrate.head()
        print(f"database at revision {at or 'none (empty)'}; newest {newest}")
        return EXIT_OK if at == newest else EXIT_UNUSABLE

    return on_database(args, current)


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
        return on_database(args, prune)
    except migrate.SchemaBehind as error:
        print(f"soleus-screen: {error}", file=sys.stderr)
        return EXIT_UNUSABLE


def add_db(subparsers) -> None:
    parser = add_command(
        subparsers,
        "db",
        summary="upgrade, check or prune the runner history database",
        description="Look after the runner history database: --url, else SOLEUS_DATABASE_URL, else the embedded "
        "SQLite file in the service's instance folder (the one `serve` uses). Each action first says which "
        "database it acts on (a URL without its password, or the SQLite file's path).",
        examples=(
            ("soleus-screen db current", "which revision the embedded database is at"),
            ("SOLEUS_DATABASE_URL=postgresql+psycopg://app@db/soleus soleus-screen db upgrade", "migrate PostgreSQL"),
        ),
        exit_statuses=EXIT_STATUSES,
    )
    actions = parser.add_subparsers(dest="action", required=True, title="actions", metavar="ACTION")
    for name, handler, text, example in (
        ("upgrade", run_upgrade, "apply every migration the database lacks", "soleus-screen db upgrade"),
        (
            "current",
            run_current,
            "say which revision the database is at (exit 2 if behind)",
            "soleus-screen db current --url sqlite:////srv/soleus/history.sqlite3",
        ),
        (
            "prune",
            run_prune,
            "delete screenings older than the retention period",
            "soleus-screen db prune --days 365",
        ),
        (
            "backup",
            run_backup,
            "copy a SQLite store to FILE while the service runs (PostgreSQL: pg_dump)",
            "soleus-screen db backup /backups/soleus.sqlite3",
        ),
        (
            "restore",
            run_restore,
            "make a SQLite store what the backup FILE holds (stop the service first)",
            "soleus-screen db restore /backups/soleus.sqlite3 --replace",
        ),
    ):
        action = add_command(
            actions, name, summary=text, description=text, examples=((example, text),), exit_statuses=EXIT_STATUSES
        )
        action.add_argument("--url", help="the database URL (default: SOLEUS_DATABASE_URL or the embedded file)")
        if name == "prune":
            action.add_argument("--days", type=int, help="retention in days (default: SOLEUS_RETENTION_DAYS)")
        if name in ("backup", "restore"):
            action.add_argument("file", metavar="FILE", help="the backup file")
        if name == "restore":
            action.add_argument("--replace", action="store_true", help="overwrite a database that holds screenings")
        action.set_defaults(handler=handler)
