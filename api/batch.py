"""Screen a roster row by row: each row its own result or its own errors, then a summary.

Rows are numbered from 1 (array items in order; CSV data rows as a
spreadsheet counts them below the header). The whole request fails only when
the body itself cannot be read (400: not JSON, or a malformed CSV, naming the
row) or holds more than BATCH_MAX_ROWS rows (413, before any row is screened).
"""

from functools import partial

from flask import current_app, request
from marshmallow import Schema, fields

from api.body import binary_chunks, json_body, uploaded_csv
from api.openapi import JSON, MULTIPART
from api.problems import Problem
from screening import IntakeError
from screening.batch.repeated_ids import ROWS_SHOWN, RepeatedIds
from screening.intake.csv_reader import CsvError, read_rows, text_lines
from screening.intake.flat import validate_flat
from screening.result.schema import BANDS, URGENCIES, ResultSchema, RulesetRef


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


def _too_many(limit: int):
    return Problem(
        413,
        f"The roster has more than {limit} rows, the most one request may hold: split it into several requests.",
        limit=limit,
    )


def json_rows(payload) -> list[tuple[int, object]]:
    if not isinstance(payload, list):
        raise Problem(
            422,
            "Expected a JSON array of intakes (for one intake, POST /v1/screenings).",
            errors={"_schema": ["Expected a JSON array of intakes."]},
        )
    limit = current_app.config["BATCH_MAX_ROWS"]
    if len(payload) > limit:
        raise _too_many(limit)
    return list(enumerate(payload, start=1))


def csv_rows(kind: str) -> list[tuple[int, dict]]:
    """Read the whole CSV first, so a malformed file is refused before any row is screened."""
    stream = uploaded_csv() if kind == MULTIPART else request.stream
    limit = current_app.config["BATCH_MAX_ROWS"]
    rows = []
    try:
        for number, cells in read_rows(text_lines(binary_chunks(stream))):
            if len(rows) == limit:
                raise _too_many(limit)
            rows.append((number, cells))
    except CsvError as error:
        raise Problem(400, f"The CSV cannot be read as a roster: {error}.", row=error.row) from None
    return rows


def read(kind: str, core) -> tuple[list, object]:
    """Return (rows, validate): the numbered rows of the body and the core's validator for them."""
    if kind == JSON:
        return json_rows(json_body()), core.validate
    return csv_rows(kind), partial(validate_flat, core)


def screen_rows(core, rows: list, validate) -> dict:
    """Validate and screen every row; a row's errors never stop the others."""
    results, errors = [], []
    bands = dict.fromkeys(BANDS, 0)
    referrals = dict.fromkeys(("total", *URGENCIES), 0)
    repeated = RepeatedIds()
    for number, payload in rows:
        try:
            intake = validate(payload)
        except IntakeError as error:
            errors.append({"row": number, "errors": error.errors})
            continue
        result = core.screen_valid(intake)
        results.append({"row": number, "result": result})
        repeated.add(result["runner_id"], number)
        bands[result["risk"]["band"]] += 1
        if result["referral"]["required"]:
            referrals["total"] += 1
            referrals[result["referral"]["urgency"]] += 1
    summary = {
        "rows": len(rows),
        "screened": len(results),
        "invalid": len(errors),
        "bands": bands,
        "referrals": referrals,
        "repeated_runner_ids": repeated.repeated,
    }
    ruleset = core.ruleset
    return {
        "ruleset": {"name": ruleset.name, "version": ruleset.version},
        "summary": summary,
        "results": results,
        "errors": errors,
    }
