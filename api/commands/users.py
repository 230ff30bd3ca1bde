"""`soleus-screen users`: the accounts people sign in to the clinic pages with.

    soleus-screen users add EMAIL --role clinician|coach|admin --team TEAM [--team ...]   password: stdin or prompt
    soleus-screen users list
    soleus-screen users disable EMAIL
    soleus-screen users password EMAIL        set a new password (stdin or prompt); ends their sessions

A coach reads their teams' screenings and trends; a clinician also screens;
an admin also erases and reads the audit trail. The password is read from
standard input when it is not a terminal (one line), else prompted for twice;
it is hashed with argon2 and never printed or logged.
"""

import getpass
import sys

from api.commands.exits import EXIT_OK, EXIT_UNUSABLE
from api.commands.opened import EXIT_STATUSES, add_actions, with_database
from api.commands.usage import add_command


def read_password() -> str | None:
    """The password from stdin (its first line) or a prompt (twice); None if the two prompts differ."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password (12 characters or more): ")
    if getpass.getpass("The same password again: ") != first:
        return None
    return first


def _with_password(args, action) -> int:
    from api.access import accounts

    password = read_password()
    if password is None:
        print("soleus-screen: the two passwords differ; nothing was changed", file=sys.stderr)
        return EXIT_UNUSABLE

    def run(engine) -> int:
        try:
            return action(engine, password)
        except accounts.AccountProblem as problem:
            print(f"soleus-screen: {problem}", file=sys.stderr)
            return EXIT_UNUSABLE

    return with_database(args, run)


def run_add(args) -> int:
    from api.access import accounts

    def add(engine, password: str) -> int:
        made = accounts.add(engine, args.email, role=args.role, teams=args.team, password=password)
        print(f"added {made.email}: {made.role} of {', '.join(made.teams)}")
        return EXIT_OK

    return _with_password(args, add)


def run_password(args) -> int:
    from api.access import accounts

    def change(engine, password: str) -> int:
        if not accounts.set_password(engine, args.email, password):
            print(f"soleus-screen: no account {args.email}", file=sys.stderr)
            return EXIT_UNUSABLE
        print(f"set a new password for {accounts.normalise(args.email)}; their sessions are ended")
        return EXIT_OK

    return _with_password(args, change)


def run_list(args) -> int:
    from api.access import accounts

    def show(engine) -> int:
        print(f"{'account':40} {'role':10} {'teams':30} {'created':16} state")
        for row in accounts.listed(engine):
            state = "disabled" if row.disabled_at else "enabled"
            print(f"{row.email:40} {row.role:10} {','.join(row.teams):30} {row.created_at:%Y-%m-%d %H:%M} {state}")
        return EXIT_OK

    return with_database(args, show)


def run_disable(args) -> int:
    from api.access import accounts

    def disable(engine) -> int:
        try:
            done = accounts.disable(engine, args.email)
        except accounts.AccountProblem as problem:
            print(f"soleus-screen: {problem}", file=sys.stderr)
            return EXIT_UNUSABLE
        if not done:
            print(f"soleus-screen: no enabled account {args.email}", file=sys.stderr)
            return EXIT_UNUSABLE
        print(f"disabled {accounts.normalise(args.email)}: signed out everywhere, cannot sign in")
        return EXIT_OK

    return with_database(args, disable)


ROLES = ("coach", "clinician", "admin")  # api/access/principal.py's, named here so --help imports nothing


def add_users(subparsers) -> None:
    parser = add_command(
        subparsers,
        "users",
        summary="add, list or disable the accounts people sign in to the clinic pages with",
        description="Accounts for the clinic pages: a role (coach, clinician, admin) and one or more teams. "
        "Passwords are read from stdin or a prompt, never from the command line, and stored as argon2 hashes.",
        examples=(
            ("soleus-screen users add physio@clinic.example --role clinician --team clinic-a", "an account"),
            ("soleus-screen users disable physio@clinic.example", "disable it and end its sessions"),
        ),
        exit_statuses=EXIT_STATUSES,
    )
    actions = add_actions(
        parser,
        (
            (
                "add",
                run_add,
                "add an account (password from stdin or a prompt)",
                "soleus-screen users add coach@club.example --role coach --team club-a --team club-b",
            ),
            ("list", run_list, "accounts, roles, teams; never a password", "soleus-screen users list"),
            (
                "disable",
                run_disable,
                "disable an account and end its sessions",
                "soleus-screen users disable coach@club.example",
            ),
            (
                "password",
                run_password,
                "set a new password (stdin or a prompt); ends their sessions",
                "soleus-screen users password coach@club.example",
            ),
        ),
    )
    add = actions["add"]
    add.add_argument("email", help="the person's email address (their account name)")
    add.add_argument("--role", required=True, choices=list(ROLES))
    add.add_argument("--team", required=True, action="append", help="a team they work for (repeat for several)")
    actions["disable"].add_argument("email")
    actions["password"].add_argument("email")
