"""Helpers the history tests share: screening rows built by the real screener."""

import json
import uuid
from datetime import datetime

import orjson
from sqlalchemy import text

from screening import default_screener
from screening.history.screening_row import ScreeningRow
from screening.timestamps import format_time
from tests.support.paths import ROOT

EXAMPLE = json.loads((ROOT / "examples" / "intake.json").read_text())


def screening_row(payload: dict, *, team: str | None = None, at: datetime | None = None) -> ScreeningRow:
    """The row the service would store for this intake, screened by the real screener."""
    core = default_screener()
    intake = core.validate(payload)
    result = core.screen_valid(intake, screening_id=uuid.uuid4().hex, screened_at=format_time(at) if at else None)
    result["stored"] = True
    return ScreeningRow.of(intake, orjson.dumps(intake).decode(), result, orjson.dumps(result).decode(), team)


def insert_as_before(connection, row: dict, left_out) -> None:
    """Insert `row` into screenings as an earlier schema held it: without the columns `left_out` (a later
    migration's), written with plain SQL (the store's statements name every column of today's table)."""
    old = {key: value for key, value in row.items() if key not in left_out}
    names = ", ".join(old)
    connection.execute(
        text(f"INSERT INTO screenings ({names}) VALUES ({', '.join(':' + key for key in old)})"),
        {**old, "fired": json.dumps(old["fired"])},
    )
