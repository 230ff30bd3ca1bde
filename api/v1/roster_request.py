"""Screen a roster sent in one request: read the body, document the answer.

The rows are screened and counted by `screening.roster.rows`, as the
`soleus-screen roster` command screens them, so both number rows alike (from 1: array
items in order, CSV data rows as a spreadsheet counts them below the header)
and give the same results, errors and counts. The whole request fails only when
the body itself cannot be read (400: not JSON, or a malformed CSV, naming the
row) or holds more than BATCH_MAX_ROWS rows (413, before any row is screened).
"""

from flask import current_app, request
from marshmallow import Schema, fields

from api.access import guard
from api.operations.store_binding import database
from api.plumbing.body import binary_chunks, json_body
from api.plumbing.openapi import JSON
from api.plumbing.problems import Problem
from screening import Screener
from screening.intake.csv_reader import CsvError, read_rows, text_lines
from screening.result.schema import BANDS, URGENCIES, ResultSchema, RulesetRef
from screening.roster.chunk import Chunk
from screening.roster.repeated_ids import ROWS_SHOWN
from screening.roster.rows import screen_batch


class RowResultSchema(Schema):
    row = fields.Integer(required=True, metadata={"description": "1-based row number"})
    result = fields.Nested(ResultSchema, required=True)


class RowErrorsSchema(Schema):
    row = fields.Integer(required=True, metadata={"description": "1-based row number"})
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        required=True,
        metadata={"description": "Messages by field path, as in a 422 for one intake"},
    )


BandCountsSchema = Schema.from_dict({band: fields.Integer(required=True) for band in BANDS}, name="BandCountsSchema")
ReferralCountsSchema = Schema.from_dict(
    {key: fields.Integer(required=True) for key in ("total", *URGENCIES)}, name="ReferralCountsSchema"
)


class RepeatedIdSchema(Schema):
    runner_id = fields.String(required=True)
    count = fields.Integer(required=True, metadata={"description": "Screened rows with this id"})
    rows = fields.List(
        fields.Integer(), required=True, metadata={"description": f"Their 1-based row numbers (the first {ROWS_SHOWN})"}
    )


class SummarySchema(Schema):
    rows = fields.Integer(required=True, metadata={"description": "Rows read (blank CSV lines are not rows)"})
    screened = fields.Integer(required=True)
    invalid = fields.Integer(required=True, metadata={"description": "Rows with errors, not screened"})
    bands = fields.Nested(BandCountsSchema, required=True, metadata={"description": "Screened rows by risk band"})
    referrals = fields.Nested(
        ReferralCountsSchema, required=True, metadata={"description": "Screened rows referred, in total and by urgency"}
    )
    repeated_runner_ids = fields.List(
        fields.Nested(RepeatedIdSchema),
        required=True,
        metadata={
            "description": "Runner ids on more than one screened row: the same runner entered twice (counted twice "
            "above) or two runners sharing a pseudonym, whose results cannot be told apart. Each row "
            "is still screened."
        },
    )


class BatchSchema(Schema):
    """A roster's results: every row is in exactly one of `results` and `errors`."""

    ruleset = fields.Nested(RulesetRef, required=True)
    summary = fields.Nested(SummarySchema, required=True)
    results = fields.List(fields.Nested(RowResultSchema), required=True)
    errors = fields.List(fields.Nested(RowErrorsSchema), required=True)


def _too_many(limit: int) -> Problem:
    return Problem(
        413,
        f"The roster has more than {limit} rows, the most one request may hold: split it into several requests.",
        limit=limit,
    )


def json_rows(payload) -> Chunk:
    if not isinstance(payload, list):
        raise Problem(
            422,
            "Expected a JSON array of intakes (for one intake, POST /v1/screenings).",
            errors={"_schema": ["Expected a JSON array of intakes."]},
        )
    limit = current_app.config["BATCH_MAX_ROWS"]
    if len(payload) > limit:
        raise _too_many(limit)
    return Chunk.of_json(list(enumerate(payload, start=1)))


def csv_rows() -> Chunk:
    """Read the whole CSV body first, so a malformed file is refused before any row is screened."""
    stream = request.stream
    limit = current_app.config["BATCH_MAX_ROWS"]
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for number, cells in read_rows(text_lines(binary_chunks(stream))):
            if len(rows) == limit:
                raise _too_many(limit)
            rows.append((number, cells))
    except CsvError as error:
        raise Problem(400, f"The CSV cannot be read as a roster: {error}.", row=error.row) from None
    return Chunk.of_csv(rows)


def read(kind: str) -> Chunk:
    """The body's numbered rows, as the roster command reads a file's."""
    return json_rows(json_body()) if kind == JSON else csv_rows()


def screen(core: Screener, kind: str) -> dict:
    """Screen the body's roster as the roster command screens its rows (`screening.roster.rows`)."""
    return screen_batch(core, read(kind))


def audit_rows(answer: dict, team: str) -> None:
    """Record each screened runner of the batch in the audit trail (one transaction), before the answer."""
    trail = database()
    if trail is None:
        return
    entries = [
        guard.entry(
            "screen_batch",
            "ok",
            200,
            team=team,
            runner_id=row["result"]["runner_id"],
            screening_id=row["result"]["screening_id"],
        )
        for row in answer["results"]
    ]
    if not entries:
        entries = [guard.entry("screen_batch", "ok", 200, team=team)]
    trail.record_many(entries)
    guard.audited()
