"""`soleus-screen erase RUNNER [--team T] [--runs DIR...]`: erase a runner, and say what that did not cover.

Deletes every stored screening of the runner in the team (as DELETE
/v1/runners/{id} does, with an audit entry naming the operating-system user),
says whether the bytes are off the disk too (`on disk: erased`, `pending`,
`unverified`: docs/operating.md), then takes the runner's rows out of each
roster run folder given (screening/roster/output/redact.py), and lists what
it did not cover: report.html pages that name the runner, backups, and copies it was
not given.
"""

import re
import sys
from pathlib import Path

from api.commands.exits import EXIT_OK, EXIT_UNUSABLE
from api.commands.opened import EXIT_STATUSES, add_url, with_database
from api.commands.usage import add_command


def run_erase(args) -> int:
    from screening.history import audit_trail
    from screening.history.store import Store
    from screening.intake.schema import RUNNER_ID_PATTERN
    from screening.roster.output.redact import redact_run
    from screening.roster.storing import _os_user

    if not re.fullmatch(RUNNER_ID_PATTERN, args.runner):
        print(
            f"soleus-screen: {args.runner!r} is not a runner id (1-64 letters, digits, '.', '_', '-')", file=sys.stderr
        )
        return EXIT_UNUSABLE
    folders = [Path(folder) for folder in args.runs or []]
    missing = [str(folder) for folder in folders if not folder.is_dir()]
    if missing:
        print(f"soleus-screen: no such run folder: {', '.join(missing)}; nothing was erased", file=sys.stderr)
        return EXIT_UNUSABLE

    def erase(engine) -> int:
        store = Store(engine)
        entry = audit_trail.entry(
            "erase", actor=_os_user(), actor_kind="cli", outcome="ok", team=args.team or None, runner_id=args.runner
        )
        erased = store.erase(args.team or "", args.runner, audit=entry)
        print(f"erased {erased} stored screenings of {args.runner} (on disk: {store.on_disk()})")
        not_covered = []
        for folder in folders:
            done = redact_run(folder, args.runner)
            removed = ", ".join(f"{name} {count}" for name, count in done.removed.items()) or "no rows of the runner"
            print(f"{folder}: removed {removed}")
            not_covered += [
                f"{folder / name} names the runner: delete it or screen the roster again" for name in done.not_covered
            ]
        not_covered.append("run folders not given here, backups, and copies of results elsewhere")
        print("not covered:")
        for item in not_covered:
            print(f"  {item}")
        return EXIT_OK

    return with_database(args, erase)


def add_erase(subparsers) -> None:
    parser = add_command(
        subparsers,
        "erase",
        summary="erase a runner's stored screenings, and their rows in roster run folders",
        description=__doc__.split("\n\n", 1)[1].strip(),
        examples=(
            ("soleus-screen erase club-0042 --team club-a", "erase the runner's stored screenings"),
            ("soleus-screen erase club-0042 --team club-a --runs out/2026-11 out/2026-12", "and from two runs"),
        ),
        exit_statuses=EXIT_STATUSES,
    )
    parser.add_argument("runner", metavar="RUNNER", help="the runner id")
    parser.add_argument("--team", default="", help="the club or clinic (default: the runners stored without one)")
    parser.add_argument("--runs", nargs="+", metavar="DIR", help="roster run folders to take the runner's rows out of")
    add_url(parser)
    parser.set_defaults(handler=run_erase)
