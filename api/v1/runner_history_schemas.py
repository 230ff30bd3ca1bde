"""The runner history endpoints' parameters and answer shapes (api/v1/runner_history.py serves them).

Each is in the OpenAPI spec as written here: the path and query parameters
(runner id, screening id, cursor, limit, reason) and the marshmallow schemas
of a page, a trend, an erasure and a deletion.
"""

from marshmallow import Schema, fields, validate
from werkzeug.routing import BaseConverter

from screening.history.erasure import ERASED, PENDING, UNVERIFIED
from screening.intake.schema import RUNNER_ID_PATTERN
from screening.result.schema import BANDS, URGENCIES

SCREENING_ID_PATTERN = r"^[0-9a-f]{32}$"
RUNNER_PARAMETER = {
    "in": "path",
    "name": "runner_id",
    "required": True,
    "description": "The pseudonymous runner id the intakes gave",
    "schema": {"type": "string", "pattern": RUNNER_ID_PATTERN},
}
PAGE_LIMIT, PAGE_LIMIT_MAX = 20, 100
TREND_LIMIT, TREND_LIMIT_MAX = 100, 1000


def limit_parameter(default: int, maximum: int, what: str) -> dict:
    return {
        "in": "query",
        "name": "limit",
        "required": False,
        "description": f"How many {what} (default {default})",
        "schema": {"type": "integer", "minimum": 1, "maximum": maximum},
    }


SCREENING_PARAMETER = {
    "in": "path",
    "name": "screening_id",
    "required": True,
    "description": "The result's screening_id",
    "schema": {"type": "string", "pattern": SCREENING_ID_PATTERN},
}
CURSOR_PARAMETER = {
    "in": "query",
    "name": "cursor",
    "required": False,
    "description": "The previous page's `next_cursor`: the page starts after that screening",
    "schema": {"type": "string", "pattern": SCREENING_ID_PATTERN},
}


class ScreeningIdConverter(BaseConverter):
    """A screening id in a path: only what the service hands out, so /v1/screenings/batch stays POST only."""

    regex = SCREENING_ID_PATTERN[1:-1]


class ScreeningSummaryOut(Schema):
    screening_id = fields.String(required=True)
    screened_at = fields.String(required=True, metadata={"description": "UTC, ISO 8601"})
    ruleset_version = fields.String(required=True)
    score = fields.Integer(required=True)
    band = fields.String(required=True, metadata={"enum": list(BANDS)})
    urgency = fields.String(required=True, allow_none=True, metadata={"enum": list(URGENCIES)})
    fired = fields.List(fields.String(), required=True, metadata={"description": "Ids of the rules that fired"})


class ScreeningPageOut(Schema):
    runner_id = fields.String(required=True)
    team = fields.String(required=True, allow_none=True)
    screenings = fields.List(fields.Nested(ScreeningSummaryOut), required=True)
    next_cursor = fields.String(
        required=True, allow_none=True, metadata={"description": "Pass as `cursor` for the next page; null: last page"}
    )


class TrendPointOut(Schema):
    screening_id = fields.String(required=True)
    screened_at = fields.String(required=True, metadata={"description": "UTC, ISO 8601"})
    score = fields.Integer(required=True)
    band = fields.String(required=True, metadata={"enum": list(BANDS)})
    urgency = fields.String(required=True, allow_none=True, metadata={"enum": list(URGENCIES)})
    fatigue = fields.Integer(required=True, allow_none=True, metadata={"description": "0-10"})
    soreness = fields.Integer(required=True, allow_none=True, metadata={"description": "0-10"})
    weekly_km = fields.Float(required=True, allow_none=True, metadata={"description": "The latest week's km"})
    ostrc_o2_severity = fields.Integer(
        required=True, allow_none=True, metadata={"description": "0-100; null when the section was not given"}
    )


class TrendOut(Schema):
    runner_id = fields.String(required=True)
    team = fields.String(required=True, allow_none=True)
    points = fields.List(fields.Nested(TrendPointOut), required=True, metadata={"description": "Oldest first"})


def on_disk_field() -> fields.String:
    """Whether an erasure's bytes are off the disk too (Store.on_disk)."""
    return fields.String(
        validate=validate.OneOf((ERASED, PENDING, UNVERIFIED)),
        metadata={
            "description": "Optional (added by issue 23): whether the deleted bytes are off the disk too. `erased`: "
            "a SQLite store's pages are overwritten and its write-ahead log truncated; `pending`: a reader "
            "elsewhere (a report, a backup, a sqlite3 shell) still holds the old pages, and the service "
            "finishes it in the background once the reader is done; `unverified`: PostgreSQL keeps dead row "
            "versions in its files until VACUUM reuses the space, and backups keep them (docs/operating.md)"
        },
    )


class DeletedOut(Schema):
    screening_id = fields.String(required=True)
    runner_id = fields.String(required=True, metadata={"description": "The runner the screening was of"})
    team = fields.String(required=True, allow_none=True)
    deleted = fields.Boolean(required=True, metadata={"description": "Always true: the row is gone"})
    reason = fields.String(required=True, metadata={"description": "The reason given"})
    on_disk = on_disk_field()


REASON_MAX = 200
REASON_PARAMETER = {
    "in": "query",
    "name": "reason",
    "required": True,
    "description": f"Why this screening is removed, 1-{REASON_MAX} characters (e.g. 'entered for the wrong runner'), "
    "for the audit trail; it is answered back, not logged.",
    "schema": {"type": "string", "minLength": 1, "maxLength": REASON_MAX},
}


# What an erasure through the API does not reach: said in every answer, so no one takes it for more.
NOT_COVERED = [
    "roster run folders (results.csv, errors.csv, results.jsonl, results.parquet, report.html): "
    "soleus-screen erase RUNNER --team TEAM --runs DIR... redacts the folders it is given",
    "backups of the database (soleus-screen db backup files, pg_dump archives) until they expire",
    "copies already handed out: printed notes, downloaded JSON, FHIR resources and CDS cards sent to other systems",
]


class ErasedOut(Schema):
    runner_id = fields.String(required=True)
    team = fields.String(required=True, allow_none=True)
    erased = fields.Integer(required=True, metadata={"description": "How many screenings were deleted"})
    on_disk = on_disk_field()
    not_covered = fields.List(
        fields.String(),
        metadata={
            "description": "Optional (added by issue 23): what this erasure does not reach, each with what to do "
            "about it (roster run folders, backups, copies already handed out)"
        },
    )
