"""Open the service's database for a command that looks after it (keys, users, audit).

The database is `--url`, else SOLEUS_DATABASE_URL, else the embedded SQLite
file `serve` uses (created and upgraded as `serve` would); any other must be
at the newest schema (`soleus-screen db upgrade`). The command line works on
the database directly and needs no key.
"""

import sys

from api.commands.exits import EXIT_UNAVAILABLE, EXIT_UNUSABLE


def with_database(args, action) -> int:
    """Run `action(engine)` on the opened database; print why and return the exit status if it cannot be."""
    from sqlalchemy.exc import SQLAlchemyError

    from api.commands.target_database import database_in_words, database_url
    from api.operations.store_binding import open_store
    from screening.history.failures import failure_reason
    from screening.history.migrate import SchemaBehind

    url = database_url(getattr(args, "url", None))
    # On stderr: stdout is the command's own output (a key's token, an exported Bundle).
    print(f"database: {database_in_words(url)}", file=sys.stderr, flush=True)
    try:
        store = open_store(url)
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


EXIT_STATUSES = """exit status:
  0   done
  2   bad usage, an unknown name, or the database's schema is behind (run `soleus-screen db upgrade`)
  69  the database cannot be reached or used (the message names the reason)"""


def add_actions(parser, actions):
    """Register each (name, handler, summary, example) under `parser` as `soleus-screen COMMAND NAME`."""
    from api.commands.usage import add_command

    subparsers = parser.add_subparsers(dest="action", required=True, title="actions", metavar="ACTION")
    made = {}
    for name, handler, summary, example in actions:
        action = add_command(
            subparsers,
            name,
            summary=summary,
            description=handler.__doc__ or summary,
            examples=((example, summary),),
            exit_statuses=EXIT_STATUSES,
        )
        action.set_defaults(handler=handler)
        add_url(action)
        made[name] = action
    return made
