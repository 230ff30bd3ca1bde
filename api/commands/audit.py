"""`soleus-screen audit`: the audit trail as FHIR, and its retention.

    soleus-screen audit export --since DATE [--until DATE] [--team TEAM] [--out FILE]
    soleus-screen audit prune [--days N]      delete entries older than N days (default SOLEUS_AUDIT_RETENTION_DAYS)

`export` writes a FHIR R4 Bundle (type collection) of AuditEvent resources,
oldest first, to stdout or FILE: every access to a runner's data and every
refusal of one since DATE (a date, or an RFC 3339 time; UTC). The trail's
retention is its own setting, apart from the screenings' (RETENTION_DAYS):
erasing a runner keeps the entries that say it happened.
"""

import json
import os
import sys
from datetime import UTC, datetime

from api.commands.exits import EXIT_OK, EXIT_UNUSABLE
from api.commands.opened import EXIT_STATUSES, add_actions, with_database
from api.commands.usage import add_command


def _moment(text: str) -> datetime:
    import argparse

    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date (2026-12-01) or an RFC 3339 time, got {text!r}") from None
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def run_export(args) -> int:
    from screening.history import audit_trail
    from screening.interop.audit_event import bundle

    def export(engine) -> int:
        filters = audit_trail.Filters(team=args.team, since=args.since, until=args.until)
        stamp = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        document = bundle(audit_trail.every(engine, filters), timestamp=stamp)
        text = json.dumps(document, indent=1, ensure_ascii=False)
        if args.out:
            with open(args.out, "w", encoding="utf-8") as out:
                out.write(text + "\n")
            print(f"wrote {len(document['entry'])} AuditEvents to {args.out}", file=sys.stderr)
        else:
            sys.stdout.write(text + "\n")
        return EXIT_OK

    return with_database(args, export)


def run_prune(args) -> int:
    from screening.history import audit_trail

    days = args.days if args.days is not None else os.environ.get("SOLEUS_AUDIT_RETENTION_DAYS")
    if days is None or not str(days).isdigit():
        print("soleus-screen: give --days N or set SOLEUS_AUDIT_RETENTION_DAYS (whole days)", file=sys.stderr)
        return EXIT_UNUSABLE

    def prune(engine) -> int:
        print(f"deleted {audit_trail.prune(engine, int(days))} audit entries older than {days} days")
        return EXIT_OK

    return with_database(args, prune)


def add_audit(subparsers) -> None:
    parser = add_command(
        subparsers,
        "audit",
        summary="export the audit trail as FHIR AuditEvents, or prune it",
        description="The audit trail: every access to a runner's data and every refusal of one (who, which team, "
        "what, which runner and screening, the outcome; never intake values or results).",
        examples=(
            ("soleus-screen audit export --since 2026-11-01 --out audit.json", "a FHIR R4 Bundle of AuditEvents"),
            ("soleus-screen audit prune --days 2190", "delete entries older than six years"),
        ),
        exit_statuses=EXIT_STATUSES,
    )
    actions = add_actions(
        parser,
        (
            (
                "export",
                run_export,
                "a FHIR R4 Bundle of AuditEvents since a date",
                "soleus-screen audit export --since 2026-11-01 --team club-a",
            ),
            (
                "prune",
                run_prune,
                "delete entries older than the trail's retention period",
                "soleus-screen audit prune",
            ),
        ),
    )
    export = actions["export"]
    export.add_argument("--since", required=True, type=_moment, help="from this date or time on (UTC)")
    export.add_argument("--until", type=_moment, help="before this date or time (default: now)")
    export.add_argument("--team", help="only this team's entries")
    export.add_argument("--out", help="write the Bundle to this file (default: stdout)")
    actions["prune"].add_argument("--days", type=int, help="retention in days (default: SOLEUS_AUDIT_RETENTION_DAYS)")
