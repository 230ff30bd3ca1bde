"""Validate and screen numbered roster rows, the one way both faces of a roster screen a row.

Both faces of a roster go through here: `POST /v1/screenings/batch` (api/batch.py)
with a request body, and `soleus-screen roster` (`run`, via `worker.lines` in worker
processes) with a file. So whichever face read a roster, a row keeps the same
number, gets the same result or the same errors by field path, and the summary
counts the same. Rows are numbered from 1: array items in order, CSV data rows
as a spreadsheet counts them below the header (a blank line is no runner but
keeps its number).
"""

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import NamedTuple

from screening.errors import IntakeError
from screening.intake.flat import validate_flat
from screening.over_time.series import RunnerHistory
from screening.roster.chunk import Chunk, RepeatedKeys
from screening.roster.stamp import RunStamp
from screening.roster.summary import SummaryCounts
from screening.service import Screener, visit_time

MAX_ID_SHOWN = 64


class ScreenedRow(NamedTuple):
    row: int
    result: dict
    group: str = ""  # the runner's group (squad) as the intake gave it ("" without one): the report filters on it


class InvalidRow(NamedTuple):
    """A row that was not screened: its errors by field path, and the runner id as written (shown, never trusted)."""

    row: int
    runner_id: str
    errors: dict[str, list[str]]


def screen_rows(
    screener: Screener,
    chunk: Chunk,
    stamp: RunStamp | None = None,
    *,
    history_of: Callable[[str, datetime | None], RunnerHistory] | None = None,
    keep: Callable[[dict, dict], None] | None = None,
) -> Iterator[ScreenedRow | InvalidRow]:
    """Validate and screen every row of `chunk` in order; a row's errors never stop the others.

    With a roster run's `stamp`, each runner gets the run's time and an id derived from the run and
    the row, so two runs of one roster give the same files (see stamp); without, a new id and now. A
    row that says when its visit happened (`screened_at`) keeps that time either way.
    `history_of(runner_id, visit)` gives a runner's earlier stored screenings, those before the row's
    own visit time when it has one (a roster run with --store): the history rules then read them and
    the result has its `history` section. `keep(intake, result)` is called with every screened row
    before it is yielded (to store it).
    """
    for row, payload in chunk.rows():
        try:
            if isinstance(payload, RepeatedKeys):  # a JSON key given twice: never guess which one was meant
                raise IntakeError(payload.errors)
            intake = validate_flat(screener, payload) if chunk.kind == "csv" else screener.validate(payload)
        except IntakeError as error:
            yield InvalidRow(row, _raw_runner_id(chunk.kind, payload), error.errors)
            continue
        visit = visit_time(intake)
        history = history_of(intake["runner"]["id"], visit) if history_of is not None else None
        if stamp is None:
            result = screener.screen_valid(intake, history=history)
        else:
            screening_id = stamp.screening_id(row, intake["runner"]["id"])
            result = screener.screen_valid(
                intake,
                screening_id=screening_id,
                screened_at=None if visit else stamp.screened_at,
                history=history,
            )
        if keep is not None:
            keep(intake, result)
        yield ScreenedRow(row, result, intake["runner"].get("group") or "")


def _raw_runner_id(kind: str, payload) -> str:
    if kind == "csv":
        value = payload.get("runner.id", "")
    else:
        runner = payload.get("runner") if isinstance(payload, dict) else None
        value = runner.get("id", "") if isinstance(runner, dict) else ""
    return value.strip()[:MAX_ID_SHOWN] if isinstance(value, str) else ""


def screen_batch(screener: Screener, chunk: Chunk) -> dict:
    """Screen a whole roster held in memory: every row in exactly one of `results` and `errors`, and a summary."""
    counts = SummaryCounts()
    results, errors = [], []
    for outcome in screen_rows(screener, chunk):
        if isinstance(outcome, InvalidRow):
            counts.count_invalid()
            errors.append({"row": outcome.row, "errors": outcome.errors})
        else:
            counts.count_result(outcome.row, outcome.result)
            results.append({"row": outcome.row, "result": outcome.result})
    return {"ruleset": screener.ruleset.ref, "summary": counts.summary(), "results": results, "errors": errors}
