"""Screen one chunk of roster rows (with `rows`, as the HTTP face does) and render every output line for it.

This runs in the worker (see `task`). Each worker has its own screener (the
durable_rules engine belongs to one process) and returns text that is ready to
write (JSON lines, CSV rows) plus a small summary per runner for the report:
sending rendered text back costs a fraction of pickling the result dicts, and
the parent then only writes and counts.
"""

import csv
import io
from typing import NamedTuple

import orjson

from screening.roster.chunk import Chunk
from screening.roster.rows import InvalidRow, screen_rows
from screening.roster.stamp import RunStamp
from screening.roster.worker.csv_cells import csv_cells, error_rows, summary_values
from screening.service import default_screener

__all__ = ["ChunkLines", "InvalidRow", "RunnerSummary", "screen_lines"]


class RunnerSummary(NamedTuple):
    """What the report needs of one screened runner; `line` slices its JSON line in the chunk."""

    row: int
    runner_id: str
    score: int
    band: str
    urgency: str | None
    fired: tuple[str, ...]
    not_assessed: tuple[str, ...]
    line: tuple[int, int]
    missing: tuple[tuple[str, str], ...] = ()  # (rule id, input) for each input a rule not assessed lacked
    stage: str = ""  # the programme's stage cell: "stage 2", "withheld" ("" without a programme)
    group: str = ""  # the runner's group (squad), "" without one


class ChunkLines(NamedTuple):
    """A screened chunk: results.jsonl bytes, results.csv and errors.csv text, summaries.

    `values` holds each runner's results.csv columns as plain values (see
    csv_cells.summary_values), for the Parquet part built from them.
    """

    jsonl: bytes
    results_csv: str
    errors_csv: str
    runners: list[RunnerSummary]
    invalid: list[InvalidRow]
    values: list[list]


def screen_lines(chunk: Chunk, stamp: RunStamp | None = None, **history) -> ChunkLines:
    """Validate and screen every row of a chunk (with `rows`); invalid rows become error rows.

    With a `stamp`, every runner gets the run's time and an id derived from the
    run and the row (see stamp); without, a random id and the current time.
    `history` (history_of=, keep=) goes to `rows.screen_rows`, for a run that stores.
    """
    screener = default_screener()
    jsonl = bytearray()
    results, errors = io.StringIO(), io.StringIO()
    results_writer, errors_writer = csv.writer(results), csv.writer(errors)
    runners: list[RunnerSummary] = []
    invalid: list[InvalidRow] = []
    values: list[list] = []
    for outcome in screen_rows(screener, chunk, stamp, **history):
        if isinstance(outcome, InvalidRow):
            errors_writer.writerows(error_rows(*outcome))
            invalid.append(outcome)
            continue
        row, result, group = outcome
        start = len(jsonl)
        jsonl += orjson.dumps(result, option=orjson.OPT_APPEND_NEWLINE)
        values.append(summary_values(row, result, screener.ruleset))
        results_writer.writerow(csv_cells(values[-1]))
        runners.append(
            RunnerSummary(
                row,
                result["runner_id"],
                result["risk"]["score"],
                result["risk"]["band"],
                result["referral"]["urgency"],
                tuple(entry["rule"] for entry in result["explanation"]),
                tuple(result["not_assessed"]),
                (start, len(jsonl)),
                tuple((entry["rule"], name) for entry in result["not_assessed_detail"] for name in entry["missing"]),
                values[-1][-1],  # the programme_stage column (csv_cells.summary_values)
                group,
            )
        )
    return ChunkLines(bytes(jsonl), results.getvalue(), errors.getvalue(), runners, invalid, values)
