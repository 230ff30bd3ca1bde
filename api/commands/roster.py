"""Screen a club roster file into a folder of results: the `soleus-screen roster` subcommand."""

import argparse
import os
import signal
import sys

from api.commands.exits import (
    EXIT_INTERRUPTED,
    EXIT_INVALID,
    EXIT_OK,
    EXIT_SOFTWARE,
    EXIT_UNAVAILABLE,
    EXIT_UNUSABLE,
)
from api.commands.progress import Progress
from api.commands.usage import add_command
from screening.roster import JSONL_MAX_ROWS
from screening.roster.executors.processes import default_workers

# Shown by `roster --help`; a constant, not the docstring, so `python -OO` keeps it.
EXIT_STATUSES = """exit status:
  0    every row screened
  1    some rows were invalid (errors.csv lists them, every other row was still screened)
  2    unusable input (missing file, wrong header, malformed CSV or JSON, unwritable folder):
       nothing is written
  69   --store: the history store cannot be used, or a batch could not be stored; the message says
       how many rows were stored (each batch whole, in roster order): no files are written
  70   internal error, or the Dask cluster failed (unreachable, workers lost): nothing is written
  130  interrupted (Ctrl-C or SIGTERM): nothing is written either (with --store, the batches
       committed before stay stored)"""


class _Terminated(Exception):
    """SIGTERM arrived: unwind like Ctrl-C so the staging folder is removed."""


def _raise_terminated(signum, frame):
    raise _Terminated()


def _cluster(text: str) -> str:
    from screening.roster.executors.dask_cluster import check_address

    try:
        return check_address(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _screened_at(text: str) -> str:
    from screening.roster.stamp import BadScreenedAt, parse_screened_at

    try:
        return parse_screened_at(text)
    except BadScreenedAt as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _team(text: str) -> str:
    import re

    from api.operations.store_binding import TEAM_EXPECTED, TEAM_PATTERN

    if not re.fullmatch(TEAM_PATTERN, text):
        raise argparse.ArgumentTypeError(f"{TEAM_EXPECTED} Got {text!r}.")
    return text


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return value


def _size(path: str) -> int:
    """Bytes to read: the file's, or a folder's parts'."""
    if os.path.isdir(path):
        return sum(entry.stat().st_size for entry in os.scandir(path) if entry.is_file())
    return os.path.getsize(path)


def run_roster(args) -> int:
    from concurrent.futures.process import BrokenProcessPool

    from sqlalchemy.exc import SQLAlchemyError

    from screening.errors import EngineError, UnusableRoster
    from screening.history.failures import failure_reason
    from screening.roster.executors.dask_cluster import ClusterError
    from screening.roster.run import screen_roster
    from screening.roster.storing import StoreFailed

    storing = None
    if args.store:
        storing = _open_store(args)
        if isinstance(storing, int):
            return storing
    elif args.team:
        print("soleus-screen: --team is the key the run is stored under: give --store too", file=sys.stderr)
        return EXIT_UNUSABLE
    bar = None
    if not args.quiet and sys.stderr.isatty():
        try:
            bar = Progress(_size(args.roster))
        except OSError:
            bar = None  # the run itself reports the unreadable file
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        outcome = screen_roster(
            args.roster,
            args.out,
            workers=args.workers,
            progress=bar,
            screened_at=args.screened_at,
            jsonl=args.jsonl or None,
            dask=args.dask,
            storing=storing,
        )
    except (KeyboardInterrupt, _Terminated):
        print("\nsoleus-screen: interrupted; nothing was written", file=sys.stderr)
        if storing is not None:
            print(f"soleus-screen: {_stored_so_far(storing.stored, storing.through)}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except StoreFailed as error:
        print(f"soleus-screen: {_store_failure(error, storing.screened_at if storing else None)}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    except SQLAlchemyError as error:  # a runner's history could not be read (here or in a worker)
        stored = _stored_so_far(storing.stored, storing.through) if storing else "nothing was stored"
        print(
            f"soleus-screen: the history store failed ({failure_reason(error)}): {stored}; "
            "no result files were written",
            file=sys.stderr,
        )
        return EXIT_UNAVAILABLE
    except UnusableRoster as error:
        print(f"soleus-screen: {error}", file=sys.stderr)
        print("soleus-screen: nothing was written; fix the file and run again", file=sys.stderr)
        return EXIT_UNUSABLE
    except (EngineError, BrokenProcessPool, ClusterError) as error:
        print(f"soleus-screen: screening failed, nothing was written: {error}", file=sys.stderr)
        return EXIT_SOFTWARE
    finally:
        signal.signal(signal.SIGTERM, previous)
        if bar:
            bar.close()
    if outcome.screened + outcome.invalid == 0:
        # Not an error (the files are written, empty), but almost certainly not what was meant.
        print(
            f"soleus-screen: warning: {args.roster} has a header but no runner rows: nothing was screened",
            file=sys.stderr,
        )
    if not args.quiet:
        for line in summary(outcome, args, storing.resumed if storing is not None else 0):
            print(f"soleus-screen: {line}", file=sys.stderr)
    return EXIT_OK if outcome.all_screened else EXIT_INVALID


def summary(outcome, args, resumed: int = 0) -> list[str]:
    """What the run did, for the person who ran it: counts with thousands separators, then where to look."""
    bands = ", ".join(f"{count:,} {band}" for band, count in outcome.bands.items())
    lines = [
        f"screened {outcome.screened:,} runners ({bands}); {outcome.urgent:,} urgent referrals, "
        f"{outcome.soon:,} soon, {outcome.routine:,} routine",
        f"the report: {outcome.files['report.html']} (open it in a browser; every file is in {args.out})",
    ]
    if outcome.stored is not None:
        team = f" under team {args.team}" if args.team else ""
        lines.append(f"stored {outcome.stored:,} screenings in the runner history{team}")
        if resumed:
            lines.append(f"resumed: {resumed:,} screenings of this run were stored before (not stored again)")
    if outcome.need_history:
        lines.append(
            f"not assessed for any runner, as this run kept no history: {'; '.join(outcome.need_history)} "
            "(they compare a runner with their own earlier stored screenings: run with --store)"
        )
    if outcome.repeated_ids:
        ids = "1 runner id is" if outcome.repeated_ids == 1 else f"{outcome.repeated_ids:,} runner ids are"
        lines.append(f"{ids} on more than one row: see {outcome.files['report.html']}#repeated")
    if outcome.invalid:
        lines.append(f"{outcome.invalid:,} rows could not be screened: see {outcome.files['errors.csv']}")
    return lines


def _open_store(args):
    """The run's RosterStore, or the exit status when --store cannot be used (the message printed)."""
    from sqlalchemy.exc import SQLAlchemyError

    from api.commands.target_database import database_url
    from api.operations.store_binding import open_store
    from screening.history.failures import failure_reason
    from screening.history.migrate import SchemaBehind
    from screening.roster.storing import RosterStore

    if args.dask:
        print(
            "soleus-screen: --store screens on this machine (--workers), not on a Dask cluster, whose workers "
            "may not reach the database: leave out --dask",
            file=sys.stderr,
        )
        return EXIT_UNUSABLE
    url = database_url()
    try:
        return RosterStore(open_store(url), url, args.team or "")
    except SchemaBehind as error:
        print(f"soleus-screen: {error}", file=sys.stderr)
        return EXIT_UNUSABLE
    except SQLAlchemyError as error:
        print(
            f"soleus-screen: the history store cannot be used, nothing was screened: {failure_reason(error)}",
            file=sys.stderr,
        )
        return EXIT_UNAVAILABLE


def _stored_so_far(stored: int, through: int | None) -> str:
    if not stored:
        return "no screening of this run was stored"
    return f"{stored} screenings of this run were stored (every screened row up to roster row {through})"


def _store_failure(error, screened_at: str | None = None) -> str:
    from screening.history.store import ResumeMismatch

    why = str(error)
    if isinstance(error.__cause__, ResumeMismatch):
        why = f"{error.__cause__}; give another --screened-at to store it as a new run"
    not_stored = f"; rows from roster row {error.failed_from} on were not stored" if error.stored else ""
    again = (
        f"; run it again with --screened-at {screened_at} to resume (what is stored is kept, not stored twice)"
        if screened_at and not isinstance(error.__cause__, ResumeMismatch)
        else ""
    )
    return (
        f"the history store failed ({why}): {_stored_so_far(error.stored, error.through)}{not_stored} "
        f"(each batch is stored whole or not at all); no result files were written{again}"
    )


def add_roster(subparsers) -> None:
    parser = add_command(
        subparsers,
        "roster",
        summary="screen a club roster (CSV or JSON array) into a folder of results and a report",
        description="Screen every runner of a club roster (CSV with the contract's dotted column names, a JSON "
        "array of intakes, a folder of CSV parts, or Parquet) into DIR: report.html (open it in a browser), "
        "results.csv, errors.csv, results.parquet (a folder of zstd Parquet parts: the results.csv columns plus "
        f"each full result as JSON) and, for rosters of at most {JSONL_MAX_ROWS:,} rows or with --jsonl, "
        "results.jsonl. At a terminal it shows its progress in runners with the time left; at the end a summary "
        "on stderr.",
        examples=(
            ("soleus-screen roster examples/roster.csv --out club", "screen the example roster into club/"),
            (
                "soleus-screen roster club.csv --out club --store --team harriers",
                "also store each screening in the runner history, under team harriers",
            ),
        ),
        exit_statuses=EXIT_STATUSES,
    )
    parser.add_argument(
        "roster",
        help="roster: CSV with the contract's dotted column names, a JSON array, a folder of CSV parts "
        "(rows numbered on through the parts in name order), or a Parquet file or folder (cells read as text)",
    )
    parser.add_argument("--out", required=True, metavar="DIR", help="folder for the results (created if missing)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--workers",
        type=_positive,
        default=default_workers(),
        metavar="N",
        help="worker processes (default: the number of CPU cores, %(default)s here); 1 screens in this process",
    )
    where.add_argument(
        "--dask",
        type=_cluster,
        metavar="CLUSTER",
        help="screen on a Dask cluster: local[:N] starts N worker processes here (default N: the cores), "
        "tcp://HOST:PORT uses a running scheduler whose workers have soleus-screen installed",
    )
    parser.add_argument(
        "--screened-at",
        type=_screened_at,
        metavar="TIME",
        help="the run's time, ISO 8601 UTC (e.g. 2026-12-01T08:00:00Z; default: now); screening ids derive from "
        "it, the roster's name and the row, so two runs with one TIME write identical files",
    )
    parser.add_argument(
        "--jsonl",
        action="store_true",
        help=f"write results.jsonl whatever the roster's size (by default only up to {JSONL_MAX_ROWS:,} rows)",
    )
    parser.add_argument(
        "--store",
        action="store_true",
        help="store every screened row in the runner history (SOLEUS_DATABASE_URL, default the service's embedded "
        "SQLite file), each screened with the runner's earlier stored screenings (history rules, a `history` "
        'section, "stored": true); committed a partition (1,000 rows) at a time, all of it or none; '
        "works with --workers, not with --dask",
    )
    parser.add_argument(
        "--team",
        type=_team,
        metavar="KEY",
        help="with --store: the club or clinic key the runners are stored under (default: none)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar and no summary on stderr")
    parser.set_defaults(handler=run_roster)
