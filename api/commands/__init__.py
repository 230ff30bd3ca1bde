"""The `soleus-screen` command line: one module per subcommand.

    soleus-screen screen FILE.json [--format text|json|fhir]   screen one intake ('-' = stdin)
    soleus-screen roster ROSTER --out DIR                      screen a club roster into a folder
    soleus-screen serve [--port 8000]                          run the HTTP service
    soleus-screen db upgrade|current|prune                     the runner history database
    soleus-screen keys create|list|revoke                      the API keys programs call the service with
    soleus-screen users add|list|disable|password              the accounts people sign in with
    soleus-screen audit export|prune                           the audit trail (FHIR AuditEvents), its retention

The modules:

    screen.py, roster.py, serve.py, db.py, keys.py, users.py, audit.py, erase.py   one subcommand each
    db_backup.py        `db backup` and `db restore` (db.py registers them)
    serve_ready.py      what `serve` says once it is ready: where to go, which optional parts are off
    target_database.py  which database a command works on, in words, and an action on its engine
    opened.py           the store opened for keys, users and audit (schema checked); their --url and actions
    usage.py            how a subcommand describes itself (summary, description, examples)
    pipes.py            ending quietly into a closed pipe
    exits.py            the exit statuses every subcommand shares
    progress.py         the roster's progress line
    __main__.py         `python -m api.commands`

Each subcommand module has an `add_<name>(subparsers)` that registers it with
`usage.add_command` (a summary, a description and examples, so every `--help`
reads alike) and imports its heavy parts only when it runs, so `--help` starts
quickly. Every command ends quietly into a closed pipe (`pipes`).
"""

import argparse

from api.commands import pipes, usage
from api.commands.audit import add_audit
from api.commands.db import add_db
from api.commands.erase import add_erase
from api.commands.keys import add_keys
from api.commands.roster import add_roster
from api.commands.screen import add_screen
from api.commands.serve import add_serve
from api.commands.users import add_users

DESCRIPTION = "Screen runners for soleus strain risk with an explainable rules engine."

# Each entry adds one subcommand; its handler returns the exit status.
COMMANDS = [add_screen, add_roster, add_serve, add_db, add_erase, add_keys, add_users, add_audit]


def package_version() -> str:
    """The installed package's version (pyproject.toml's), from its metadata."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("soleus-screen")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown (not installed)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="soleus-screen",
        description=DESCRIPTION,
        epilog=usage.top_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {package_version()}")
    subparsers = parser.add_subparsers(dest="command", required=True, title="commands", metavar="COMMAND")
    for add in COMMANDS:
        add(subparsers)
    return parser


def main(argv=None) -> int:
    return pipes.run(_run, argv)


def _run(argv) -> int:
    args = build_parser().parse_args(argv)
    return args.handler(args)
