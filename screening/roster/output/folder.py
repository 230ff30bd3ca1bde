"""Write a roster run's files into a hidden folder inside DIR, then move them in on success.

Nothing reaches DIR unless the whole roster was read: a file found malformed
half-way (or any failure) removes the hidden folder, leaving DIR as it was,
so no partial results can be mistaken for the roster's. The CSV files carry a
UTF-8 byte order mark so spreadsheets (Excel in particular) read them as UTF-8.
A run killed before it could clean up leaves its hidden folder; the next run
into DIR removes it once it can prove that run is dead (see `staging`). DIR
must not hold the roster itself under an output file's name: it would be
replaced by the results (`refuse_overwriting`).

results.parquet is a folder of parts (see worker.parquet_part); results.jsonl is written
only while `keep_jsonl` (see JSONL_MAX_ROWS in the package), and an earlier run's is
removed when this run writes none, so no file in DIR is from another run.
"""

import csv
import os
import shutil
import tempfile
from pathlib import Path

from screening.errors import UnusableRoster
from screening.roster.output import staging
from screening.roster.worker.csv_cells import ERROR_COLUMNS, RESULT_COLUMNS
from screening.roster.worker.parquet_part import PARQUET_DIR, part_bytes, part_name
from screening.roster.worker.task import ChunkOutput

RESULTS_CSV, RESULTS_JSONL, ERRORS_CSV, REPORT_HTML = "results.csv", "results.jsonl", "errors.csv", "report.html"
OUTPUT_FILES = (RESULTS_CSV, RESULTS_JSONL, ERRORS_CSV, REPORT_HTML, PARQUET_DIR)
BUFFER = 1 << 20


class OutputFiles:
    """The output files of one run, open for writing in a staging folder."""

    def __init__(self, out_dir, *, keep_jsonl: bool = True):
        self.out_dir = Path(out_dir)
        self._created_dir = not self.out_dir.exists()
        try:
            self.out_dir.mkdir(parents=True, exist_ok=True)
            staging.remove_dead(self.out_dir)
            self.staging = Path(tempfile.mkdtemp(prefix=staging.PREFIX, dir=self.out_dir))
            staging.mark(self.staging)
        except OSError as error:
            raise UnusableRoster(f"{out_dir}: cannot write the results here: {error.strerror}") from error
        (self.staging / PARQUET_DIR).mkdir()
        self._parts = 0
        self._jsonl = open(self.staging / RESULTS_JSONL, "wb", buffering=BUFFER) if keep_jsonl else None  # noqa: SIM115
        self._results = open(
            self.staging / RESULTS_CSV,
            "w",
            encoding="utf-8-sig",
            newline="",  # noqa: SIM115
            buffering=BUFFER,
        )
        self._errors = open(self.staging / ERRORS_CSV, "w", encoding="utf-8-sig", newline="")  # noqa: SIM115
        csv.writer(self._results).writerow(RESULT_COLUMNS)
        csv.writer(self._errors).writerow(ERROR_COLUMNS)

    @property
    def report_path(self) -> Path:
        return self.staging / REPORT_HTML

    def write(self, chunk: ChunkOutput) -> None:
        """Write a chunk's lines and its Parquet part (none for a chunk of invalid rows only)."""
        if self._jsonl:
            self._jsonl.write(chunk.jsonl)
        self._results.write(chunk.results_csv)
        self._errors.write(chunk.errors_csv)
        if chunk.counts.screened:
            self._write_part(chunk.parquet)

    def _write_part(self, parquet: bytes) -> None:
        (self.staging / PARQUET_DIR / part_name(self._parts)).write_bytes(parquet)
        self._parts += 1

    @property
    def full_results(self) -> str:
        """The file that holds every runner's full result: results.jsonl while it is written, else the
        Parquet folder (the report's footer names only a file that exists)."""
        return RESULTS_JSONL if self._jsonl else PARQUET_DIR

    def drop_jsonl(self) -> None:
        """Stop writing results.jsonl and remove what was written of it."""
        if self._jsonl:
            self._jsonl.close()
            self._jsonl = None
            (self.staging / RESULTS_JSONL).unlink()

    def _close(self) -> None:
        for handle in (self._jsonl, self._results, self._errors):
            if handle:
                handle.close()

    def commit(self) -> dict[str, Path]:
        """Move every file into DIR (replacing an earlier run's) and remove the staging folder."""
        if not self._parts:
            self._write_part(part_bytes(None))  # so the folder reads as a table with no rows
        self._close()
        placed = {}
        for name in OUTPUT_FILES:
            target = self.out_dir / name
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target)  # a folder cannot be replaced by rename
            if (self.staging / name).exists():
                (self.staging / name).replace(target)
                placed[name] = target
            else:
                target.unlink(missing_ok=True)  # an earlier run's, not this one's
        (self.staging / staging.MARKER).unlink()
        self.staging.rmdir()
        return placed

    def abort(self) -> None:
        """Remove everything this run wrote, and DIR itself if this run created it."""
        self._close()
        shutil.rmtree(self.staging, ignore_errors=True)
        if self._created_dir:
            try:
                self.out_dir.rmdir()
            except OSError:
                pass  # something else was put there meanwhile: leave it


def refuse_overwriting(roster, out_dir) -> None:
    """Raise UnusableRoster if writing into `out_dir` would replace the roster file itself."""
    for name in OUTPUT_FILES:
        target = Path(out_dir) / name
        try:
            same = os.path.samefile(roster, target)
        except OSError:
            continue  # no such output file yet (or no roster): nothing to replace
        if same:
            raise UnusableRoster(
                f"{roster}: the results would overwrite the roster itself ({target}): choose another --out folder"
            )
