"""`soleus-screen keys`: the API keys programs call the service with.

    soleus-screen keys create --team TEAM --scope SCOPE[,SCOPE...] --name NAME [--expires DAYS]
    soleus-screen keys list
    soleus-screen keys revoke NAME

`create` prints the new token alone on the last line of stdout, once (what
it made goes to stderr): the database keeps only its SHA-256, so it cannot be
shown again. `list` shows names, teams, scopes, when each was created and last
used, and its expiry; never a token. `revoke` is seen by every worker of a
running service within a second. Scopes: screen, history:read, history:erase,
admin (docs/security.md).
"""

import sys

from api.commands.exits import EXIT_OK, EXIT_UNUSABLE
from api.commands.opened import EXIT_STATUSES, add_actions, with_database
from api.commands.usage import add_command


def _when(moment) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment is not None else "-"


def run_create(args) -> int:
    from api.access import key_ring

    try:
        scopes = key_ring.parse_scopes(args.scope)
    except key_ring.KeyProblem as problem:
        print(f"soleus-screen: {problem}", file=sys.stderr)
        return EXIT_UNUSABLE

    def create(engine) -> int:
        try:
            token = key_ring.create(engine, name=args.name, team=args.team, scopes=scopes, days=args.expires)
        except key_ring.KeyProblem as problem:
            print(f"soleus-screen: {problem}", file=sys.stderr)
            return EXIT_UNUSABLE
        expiry = f", expires in {args.expires} days" if args.expires else ", no expiry"
        print(
            f"created key {args.name} for team {args.team} with {' '.join(scopes)}{expiry}; its token follows, "
            "shown this once:",
            file=sys.stderr,
        )
        print(token)
        return EXIT_OK

    return with_database(args, create)


def run_list(args) -> int:
    from api.access import key_ring

    def show(engine) -> int:
        rows = key_ring.listed(engine)
        print(f"{'name':24} {'team':16} {'scopes':40} {'created':16} {'last used':16} {'expires':16} state")
        for row in rows:
            state = "revoked" if row.revoked_at else "live"
            print(
                f"{row.name:24} {row.team:16} {row.scopes:40} {_when(row.created_at):16} "
                f"{_when(row.last_used_at):16} {_when(row.expires_at):16} {state}"
            )
        if not rows:
            print("(no keys: soleus-screen keys create --team TEAM --scope screen --name NAME)", file=sys.stderr)
        return EXIT_OK

    return with_database(args, show)


def run_revoke(args) -> int:
    from api.access import key_ring

    def revoke(engine) -> int:
        if not key_ring.revoke(engine, args.name):
            print(f"soleus-screen: no live key named {args.name} (keys list shows them)", file=sys.stderr)
            return EXIT_UNUSABLE
        print(f"revoked key {args.name}: refused by every worker within a second")
        return EXIT_OK

    return with_database(args, revoke)


def add_keys(subparsers) -> None:
    parser = add_command(
        subparsers,
        "keys",
        summary="create, list or revoke the API keys programs call the service with",
        description="API keys: each belongs to one team and carries scopes (screen, history:read, history:erase, "
        "admin). Only a hash of each token is stored; the token is shown once, when the key is made.",
        examples=(
            ("soleus-screen keys create --team club-a --scope screen,history:read --name club-a-app", "a key"),
            ("soleus-screen keys revoke club-a-app", "refused by every worker within a second"),
        ),
        exit_statuses=EXIT_STATUSES,
    )
    actions = add_actions(
        parser,
        (
            (
                "create",
                run_create,
                "make a key; prints its token on the last line of stdout, once",
                "soleus-screen keys create --team club-a --scope screen --name club-a-form --expires 90",
            ),
            (
                "list",
                run_list,
                "names, teams, scopes, created, last used, expiry (never a token)",
                "soleus-screen keys list",
            ),
            (
                "revoke",
                run_revoke,
                "revoke a key by name (refused within a second)",
                "soleus-screen keys revoke club-a-form",
            ),
        ),
    )
    create = actions["create"]
    create.add_argument("--team", required=True, help="the club or clinic the key acts for")
    create.add_argument("--scope", required=True, help="SCOPE[,SCOPE...]: screen, history:read, history:erase, admin")
    create.add_argument("--name", required=True, help="a name for the key (unique; the audit trail names it)")
    create.add_argument("--expires", type=int, metavar="DAYS", help="days until it expires (default: never)")
    actions["revoke"].add_argument("name", help="the key's name")
