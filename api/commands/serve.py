"""`soleus-screen serve`: run the HTTP service under gunicorn.

    soleus-screen serve [--host 127.0.0.1] [--port 8000] [--workers 2] [--threads 8] [--read-timeout 30]

Each option falls back on an environment variable (SOLEUS_HOST, SOLEUS_PORT,
SOLEUS_WORKERS, SOLEUS_THREADS, SOLEUS_READ_TIMEOUT), then on the default. The default address is
loopback only: put a TLS-terminating proxy in front before exposing it. The
app's own settings come from SOLEUS_<KEY> too (api/settings.py lists them all,
and so does `serve --help`). Against a database other than the embedded SQLite
file whose schema is behind, it refuses to start and says to run `soleus-screen db upgrade`.

The port is bound first, so that a busy one is one line and exit status 2
before the rules load; gunicorn then serves on that socket, and once every
worker is up the service says where to go (api/commands/serve_ready.py).

Access control is on (SOLEUS_AUTH). On a database with no account yet, serve
makes the first admin (`admin`, every team) and prints its one-time password
once, on stderr (nothing logs it); it must be changed at the first sign-in.
With SOLEUS_AUTH=off it serves loopback addresses only: any other --host is
refused (exit 2, one line saying why), as Redis's protected mode does.
"""

import argparse
import glob
import os
import shutil
import sys
import tempfile

from api.commands.exits import EXIT_OK, EXIT_SOFTWARE, EXIT_UNAVAILABLE, EXIT_UNUSABLE
from api.commands.usage import add_command
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
    from api import server
    from api.commands import serve_ready
    from api.plumbing.requestlog import configure_logging

    # The port first: a busy one is said in a line, before the rules take seconds to load.
    try:
        listener = server.bind(args.host, args.port)
    except server.CannotBind as error:
        print(f"soleus-screen: {error}", file=sys.stderr)
        return EXIT_UNUSABLE
    port = listener.getsockname()[1]
    print(f"soleus-screen: starting on {serve_ready.base_url(args.host, port)} (loading the rules)", file=sys.stderr)
    configure_logging()
    made = _metrics_folder()
    try:
        return _serve(args, listener, port, serve_ready, server)
    finally:
        if made:
            shutil.rmtree(made, ignore_errors=True)


def _metrics_folder() -> str | None:
    """Where the workers keep their metrics (api/operations/metrics.py): PROMETHEUS_MULTIPROC_DIR, emptied of an earlier
    run's files, else a fresh folder, made here (its path returned, to remove at exit). Set before the app
    is built: prometheus_client reads it when its metrics are made."""
    named = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if named:
        os.makedirs(named, exist_ok=True)
        for stale in glob.glob(os.path.join(named, "*.db")):
            os.remove(stale)
        return None
    made = tempfile.mkdtemp(prefix="soleus-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = made
    return made


def _serve(args, listener, port: int, serve_ready, server) -> int:
    app = _app_or_status()
    if isinstance(app, int):
        listener.close()
        return app
    refused = _protected(app, args.host, port)
    if refused:
        listener.close()
        print(f"soleus-screen: {refused}", file=sys.stderr)
        return EXIT_UNUSABLE
    ready = serve_ready.ready_lines(app, host=args.host, port=port, workers=args.workers, threads=args.threads)
    server.serve(
        app,
        listener=listener,
        workers=args.workers,
        threads=args.threads,
        read_timeout=args.read_timeout,
        ready="\n".join(ready),
    )
    return EXIT_OK


def _app_or_status():
    """The service's app, or the exit status when it cannot be built (the reason printed)."""
    from sqlalchemy.exc import SQLAlchemyError

    from api import create_app
    from screening.history.migrate import SchemaBehind

    try:
        return create_app()
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
    except ValueError as error:  # a setting that cannot be used (CDS_CLIENTS without CDS_BASE_URL, a bad JWK Set)
        print(f"soleus-screen: refusing to start: {error}", file=sys.stderr)
        return EXIT_UNUSABLE


SERVER_SETTINGS = """server settings (environment, overridden by the options above):
  SOLEUS_HOST, SOLEUS_PORT, SOLEUS_WORKERS, SOLEUS_THREADS, SOLEUS_READ_TIMEOUT"""
EXIT_STATUSES = """exit status:
  0   stopped (Ctrl-C or SIGTERM)
  2   bad usage, the port is in use or the address cannot be bound, or the database's schema is behind
  69  the history database cannot be reached
  70  the rules cannot be loaded"""


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
    from api.operations.store_binding import auth_on, database_of

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
    from api.settings import settings_block

    parser = add_command(
        subparsers,
        "serve",
        summary="run the HTTP service: the clinic form, the JSON API, FHIR and CDS Hooks",
        description="Run the HTTP service under gunicorn: the clinic form at /, the JSON API (its docs at /docs), "
        "FHIR R4 $screen and CDS Hooks, with the runner history in the embedded SQLite file unless "
        "SOLEUS_DATABASE_URL names a database. It listens on loopback by default: put a TLS-terminating proxy in "
        "front before exposing it. Once ready it prints the addresses to open and which optional parts are off.",
        examples=(
            ("soleus-screen serve", "http://127.0.0.1:8000, 2 workers x 8 threads"),
            ("SOLEUS_STORE=off soleus-screen serve --port 9000", "on port 9000, keeping no history"),
        ),
        settings=SERVER_SETTINGS + "\n\n" + settings_block(),
        exit_statuses=EXIT_STATUSES,
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
