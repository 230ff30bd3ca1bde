"""Open the service's database for a command that looks after it (keys, users, audit).

The database is `--url`, else SOLEUS_DATABASE_URL, else the embedded SQLite
file `serve` uses (created and upgraded as `serve` would); any other must be
at the newest schema (`soleus-screen db upgrade`). The command line works on
the database directly and needs no key.
"""

import sys

from api.commands.exits import EXIT_UNUSABLE

EXIT_UNAVAILABLE = 69  # EX_UNAVAILABLE: the database cannot be reached


def with_database(args, action) -> int:
    """Run `action(engine)` on the opened database; print why and return the exit status if it cannot be."""
    from sqlalchemy.exc import SQLAlchemyError

    from api.commands.db import database_url
    from api.store import open_store
    from screening.history import SchemaBehind
    from screening.history.store import failure_reason

    try:
        store = open_store(database_url(getattr(args, "url", None)))
    except SchemaBehind as error:
        print(f"soleus-screen: {error}", file=sys.stderr)
        return EXIT_UNUSABLE
    except SQLAlchemyError as error:
        print(f"soleus-screen: the database cannot be used: {failure_reason(error)}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    try:
        return action(store.engine)
    except SQLAlchemyError as error:
        print(f"soleus-screen: the database cannot be used: {failure_reason(error)}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    finally:
        store.engine.dispose()


def add_url(parser) -> None:
    parser.add_argument("--url", help="the database URL (default: SOLEUS_DATABASE_URL or the embedded file)")
