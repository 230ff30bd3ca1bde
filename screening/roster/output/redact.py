"""Take an erased runner out of roster run folders: `soleus-screen erase RUNNER --runs DIR...`.

    done = redact_run(Path("out/"), "club-0042")
    done.removed        {"results.csv": 2, "results.jsonl": 2, "results.parquet/part-00000.parquet": 2, ...}
    done.not_covered    files that still name the runner and are not rewritten (report.html)

A run folder's results.csv, errors.csv, results.jsonl and results.parquet
parts are rewritten without the runner's rows (each file written beside the
old one and renamed over it: a file is whole before or after). report.html
is a rendered page: it is not edited, and named as not covered when it holds
the runner's id (delete it, or screen the roster again). A run folder has no
team: every row with that runner id is removed, whichever team it was for.
"""

import csv
import io
import os
from dataclasses import dataclass, field
from pathlib import Path

import orjson
import pyarrow.compute as pc
import pyarrow.parquet as pq

from screening.roster.output.folder import ERRORS_CSV, REPORT_HTML, RESULTS_CSV, RESULTS_JSONL
from screening.roster.worker.parquet_part import COMPRESSION, PARQUET_DIR


@dataclass
class Redaction:
    folder: Path
    removed: dict[str, int] = field(default_factory=dict)  # file (relative) -> rows removed
    not_covered: list[str] = field(default_factory=list)  # files that still name the runner


def _replace(path: Path, data: bytes) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(data)
    os.replace(partial, path)


def _csv(path: Path, runner_id: str) -> int:
    text = path.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows or "runner_id" not in rows[0]:
        return 0
    column = rows[0].index("runner_id")
    # A cell a spreadsheet would read as a formula is written with a leading apostrophe (worker/csv_cells.py).
    kept = [row for row in rows[1:] if len(row) <= column or row[column].removeprefix("'") != runner_id]
    if len(kept) == len(rows) - 1:
        return 0
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows([rows[0], *kept])
    _replace(path, out.getvalue().encode("utf-8-sig"))
    return len(rows) - 1 - len(kept)


def _jsonl(path: Path, runner_id: str) -> int:
    lines = path.read_bytes().splitlines(keepends=True)
    kept = [line for line in lines if not line.strip() or orjson.loads(line).get("runner_id") != runner_id]
    if len(kept) != len(lines):
        _replace(path, b"".join(kept))
    return len(lines) - len(kept)


def _parquet(path: Path, runner_id: str) -> int:
    table = pq.read_table(path)
    kept = table.filter(pc.not_equal(table["runner_id"], runner_id))
    if kept.num_rows == table.num_rows:
        return 0
    sink = io.BytesIO()
    pq.write_table(kept, sink, compression=COMPRESSION)
    _replace(path, sink.getvalue())
    return table.num_rows - kept.num_rows


def redact_run(folder: Path, runner_id: str) -> Redaction:
    """Remove the runner's rows from one run folder's result files; say what was removed and what was not."""
    done = Redaction(folder)
    for name, redact in ((RESULTS_CSV, _csv), (ERRORS_CSV, _csv), (RESULTS_JSONL, _jsonl)):
        if (folder / name).is_file() and (count := redact(folder / name, runner_id)):
            done.removed[name] = count
    for part in sorted((folder / PARQUET_DIR).glob("*.parquet")):
        if count := _parquet(part, runner_id):
            done.removed[f"{PARQUET_DIR}/{part.name}"] = count
    if (folder / REPORT_HTML).is_file() and runner_id.encode() in (folder / REPORT_HTML).read_bytes():
        done.not_covered.append(REPORT_HTML)
    return done
