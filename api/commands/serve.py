"""`soleus-screen serve`: run the HTTP service under gunicorn.

    soleus-screen serve [--host 127.0.0.1] [--port 8000] [--workers 2] [--threads 8] [--read-timeout 30]

Each option falls back on an environment variable (SOLEUS_HOST, SOLEUS_PORT,
SOLEUS_WORKERS, SOLEUS_THREADS, SOLEUS_READ_TIMEOUT), then on the default. The default address is
loopback only: put a TLS-terminating proxy in front before exposing it. The
app's own settings come from SOLEUS_<KEY> too (SOLEUS_BATCH_MAX_ROWS,
SOLEUS_MAX_CONTENT_LENGTH, SOLEUS_SECRET_KEY, SOLEUS_STORE, SOLEUS_DATABASE_URL; see api/__init__.py).
Against a database other than the embedded SQLite file whose schema is behind,
it refuses to start and says to run `soleus-screen db upgrade`.

Access control is on (SOLEUS_AUTH). On a database with no account yet, serve
makes the first admin (`admin`, every team) and prints its one-time password
once, on stderr (nothing logs it); it must be changed at the first sign-in.
With SOLEUS_AUTH=off it serves loopback addresses only: any other --host is
refused (exit 2, one line saying why), as Redis's protected mode does.
"""

import argparse
import os
import sys

from api.commands.exits import EXIT_OK, EXIT_SOFTWARE, EXIT_UNUSABLE
from screening.errors import RulesError

# The configuration the durable_rules notes tested: 2 workers x 8 threads, preloaded.
DEFAULTS = {"HOST": "127.0.0.1", "PORT": 8000, "WORKERS": 2, "THREADS": 8, "READ_TIMEOUT": 30}


def _default(name: str) -> str:
    return os.environ.get(f"SOLEUS_{name}", str(DEFAULTS[name]))


def _count(minimum: int, maximum: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if not minimum <= value <= maximum:
            raise argparse.ArgumentTypeError(f"expected {minimum}-{maximum}, got {value}")
        return value

    return parse


def run_serve(args) -> int:
    # Imported here, so registering the subcommand keeps `--help` quick.
    from sqlalchemy.exc import SQLAlchemyError

    from api import create_app, server
    from api.commands.db import EXIT_UNAVAILABLE
    from api.requestlog import configure_logging
    from screening.history import SchemaBehind

    configure_logging()
    try:
        app = create_app()
    except RulesError as error:
        print(f"soleus-screen: the rules cannot be loaded: {error}", file=sys.stderr)
        return EXIT_SOFTWARE
    except SchemaBehind as error:
        print(f"soleus-screen: refusing to start: {error}", file=sys.stderr)
        return EXIT_UNUSABLE
    except SQLAlchemyError as error:
        print(f"soleus-screen: the history database cannot be used: {type(error).__name__}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    except OSError as error:
        print(f"soleus-screen: {error}", file=sys.stderr)
        return EXIT_UNUSABLE
    refused = _protected(app, args.host, args.port)
    if refused:
        print(f"soleus-screen: {refused}", file=sys.stderr)
        return EXIT_UNUSABLE
    server.serve(
        app,
        host=args.host,
        port=args.port,
        workers=args.workers,
        threads=args.threads,
        read_timeout=args.read_timeout,
    )
    return EXIT_OK


def loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _protected(app, host: str, port: int) -> str | None:
    """Why the service must not start on `host` (None: it may), and the first admin on a fresh database."""
    from api import access
    from api.access import accounts
    from api.store import auth_on, database_of

    if not auth_on(app.config):
        if not loopback(host):
            return (
                f"refusing to serve {host} with SOLEUS_AUTH=off: without access control anyone who reaches the "
                "port reads and erases every runner (bind 127.0.0.1, or turn access control on)"
            )
        return None
    access.bind(app, host)
    database = database_of(app)
    password = accounts.first_admin(database.engine) if database is not None else None
    if password:
        shown = "localhost" if host in ("0.0.0.0", "::") else f"[{host}]" if ":" in host else host
        where = f"http://{shown}:{port}/login" if port else "/login"
        print(
            f"soleus-screen: created the first admin account: {accounts.FIRST_ADMIN}, one-time password {password} "
            f"(shown this once; change it at the first sign-in at {where}; create API keys with "
            "`soleus-screen keys create`)",
            file=sys.stderr,
        )
    return None


def add_serve(subparsers) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="run the HTTP API under gunicorn (default http://127.0.0.1:8000)",
        description="Run the HTTP API under gunicorn. Options default to SOLEUS_HOST, SOLEUS_PORT, SOLEUS_WORKERS, "
        "SOLEUS_THREADS from the environment, then to the values shown. App settings come from "
        "SOLEUS_<KEY> too, e.g. SOLEUS_BATCH_MAX_ROWS=500.",
    )
    parser.add_argument("--host", default=_default("HOST"), help="address to bind (default %(default)s)")
    parser.add_argument(
        "--port",
        type=_count(0, 65535),
        default=_default("PORT"),
        help="port to bind, 0 for any free port (default %(default)s)",
    )
    parser.add_argument(
        "--workers", type=_count(1, 64), default=_default("WORKERS"), help="worker processes (default %(default)s)"
    )
    parser.add_argument(
        "--threads", type=_count(1, 256), default=_default("THREADS"), help="threads per worker (default %(default)s)"
    )
    parser.add_argument(
        "--read-timeout",
        type=_count(1, 3600),
        default=_default("READ_TIMEOUT"),
        metavar="SECONDS",
        help="drop a client that has not sent its whole request (or read the answer) in this time "
        "(default %(default)s)",
    )
    parser.set_defaults(handler=run_serve)
