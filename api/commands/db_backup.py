"""`soleus-screen db backup FILE` and `db restore FILE`: copy a SQLite store while the service runs, and back.

    soleus-screen db backup /backups/soleus.sqlite3     a consistent copy under write load (screening/history/backup.py)
    soleus-screen db restore /backups/soleus.sqlite3    the store becomes the copy (--replace if it holds screenings)

PostgreSQL: pg_dump / pg_restore (docs/operating.md); these refuse it (exit 2).
"""

import sys

from api.commands.exits import EXIT_OK, EXIT_UNUSABLE
from api.commands.target_database import on_database


def _said(call, done: str) -> int:
    """Run `call` (it returns a count of screenings): say `done` with it, or why it could not be done (exit 2)."""
    from screening.history.backup import BackupError

    try:
        count = call()
    except BackupError as error:
        print(f"soleus-screen: {error}", file=sys.stderr)
        return EXIT_UNUSABLE
    print(done.format(count=count))
    return EXIT_OK


def run_backup(args) -> int:
    from screening.history.backup import backup

    return on_database(
        args, lambda engine: _said(lambda: backup(engine, args.file), f"backed up {{count}} screenings to {args.file}")
    )


def run_restore(args) -> int:
    from screening.history.backup import restore
    from screening.history.store import Store

    def put_back(engine) -> int:
        try:
            held = Store(engine).count() if not args.replace else 0
        except Exception:  # an empty file, no schema yet: nothing to lose
            held = 0
        if held:
            print(
                f"soleus-screen: the database holds {held} screenings; give --replace to overwrite them with the "
                "backup (stop the service first)",
                file=sys.stderr,
            )
            return EXIT_UNUSABLE
        return _said(lambda: restore(args.file, engine), f"restored {{count}} screenings from {args.file}")

    return on_database(args, put_back)
