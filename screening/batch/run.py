"""Screen a whole roster file into DIR: stream, screen in parallel, write, report, then publish.

    outcome = screen_roster("roster.csv", "out/", workers=2)

Memory stays flat: rows are read in chunks, at most a few chunks are in flight,
outputs are written as they come back (in roster order) and the report keeps
only bounded detail. The files appear in DIR only once the whole roster has
been read and written (see `outputs`).

With more than one worker the chunks are screened in `spawn`ed processes, so a
script that calls `screen_roster` must do so under `if __name__ == "__main__":`
(as for any multiprocessing code); the `soleus-screen` command already does.
With `dask` the same chunks are screened on a Dask cluster (see distributed);
the files written are the same, byte for byte, given one `screened_at`.
"""

import contextlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from screening.batch import JSONL_MAX_ROWS
from screening.batch.outputs import OutputFiles, refuse_overwriting
from screening.batch.parallel import default_workers, ordered_map
from screening.batch.partitions import open_roster
from screening.batch.parts import PartTask, screen_part
from screening.batch.pipeline import start_worker
from screening.batch.report import RosterReport
from screening.batch.rows import Tally
from screening.batch.stamp import RunStamp
from screening.batch.storing import RosterStore, screen_stored_part
from screening.service import default_screener

CHUNK_ROWS = 1000  # rows a partition: one task, one Parquet part


@dataclass(frozen=True)
class RosterOutcome:
    """What a run did: counts and where its files are."""

    screened: int
    invalid: int
    urgent: int
    bands: dict
    files: dict
    repeated_ids: int = 0  # runner ids on more than one screened row
    stored: int | None = None  # rows committed to the history store (None: the run did not store)
    soon: int = 0
    routine: int = 0
    need_history: tuple[str, ...] = ()  # titles of the rules no runner could be assessed for without a store

    @classmethod
    def of(
        cls, tally: Tally, files: dict, stored: int | None = None, need_history: tuple[str, ...] = ()
    ) -> "RosterOutcome":
        """The outcome of a run whose rows `tally` counted and whose files are `files`."""
        return cls(
            tally.screened,
            tally.invalid,
            tally.referrals["urgent"],
            dict(tally.bands),
            files,
            tally.repeated_ids.total,
            stored,
            tally.referrals["soon"],
            tally.referrals["routine"],
            need_history,
        )

    @property
    def all_screened(self) -> bool:
        return self.invalid == 0


Progress = Callable[[int, int, int], None]  # (bytes read so far, runners screened, invalid rows)


def screen_roster(
    path,
    out_dir,
    *,
    workers: int | None = None,
    chunk_rows: int = CHUNK_ROWS,
    progress: Progress | None = None,
    report_caps: dict | None = None,
    screened_at: str | None = None,
    jsonl: bool | None = None,
    dask: str | None = None,
    storing: RosterStore | None = None,
) -> RosterOutcome:
    """Screen every row of the roster at `path` and write results, errors and report into `out_dir`.

    `screened_at` (ISO 8601) is the run's time, by default now; `jsonl` True
    always writes results.jsonl, False never, None only for rosters of at most
    JSONL_MAX_ROWS rows; `dask` names a cluster ("local:N", "tcp://HOST:PORT")
    to screen on instead of `workers` processes of this machine. With `storing`
    every screened row is stored in the runner history, a partition a
    transaction (see storing; not with `dask`).
    Raises UnusableRoster (nothing written) when the file or DIR cannot be used,
    distributed.ClusterError (nothing written) when the cluster fails.
    """
    workers = workers or default_workers()
    if storing is not None and dask:
        raise ValueError("a run that stores screens on this machine's processes, not on a Dask cluster")
    refuse_overwriting(path, out_dir)
    ruleset = default_screener().ruleset
    stamp = RunStamp.start(Path(path).name, ruleset, screened_at)
    with open_roster(path) as roster:
        outputs = OutputFiles(out_dir, keep_jsonl=jsonl is not False)
        try:
            caps = report_caps or {}
            report = RosterReport(
                ruleset, Path(path).name, generated_at=stamp.report_time, stored=storing is not None, **caps
            )
            positions: deque[int] = deque()  # bytes read when each chunk in flight was cut
            rows = 0

            def tasks():
                nonlocal rows
                for index, chunk in enumerate(roster.chunks(chunk_rows)):
                    positions.append(roster.position())
                    rows += len(chunk.items)
                    task = PartTask(chunk, stamp, _jsonl_wanted(jsonl, rows), index)
                    yield task if storing is None else storing.task(task)

            function = screen_part if storing is None else screen_stored_part
            with _mapping(workers, dask) as mapping:
                for part in mapping(function, tasks()):
                    if storing is not None:
                        part = storing.commit(part)
                    if not _jsonl_wanted(jsonl, rows):
                        outputs.drop_jsonl()
                    outputs.write(part)
                    report.add(part)
                    position = positions.popleft()
                    if progress:
                        progress(position, report.screened, report.invalid_rows)
            report.full_results = outputs.full_results
            report.render(outputs.report_path)
        except BaseException:
            outputs.abort()
            raise
        files = outputs.commit()
    stored = storing.stored if storing is not None else None
    return RosterOutcome.of(report.tally, files, stored, tuple(report.need_history()))


def _jsonl_wanted(jsonl: bool | None, rows: int) -> bool:
    return jsonl if jsonl is not None else rows <= JSONL_MAX_ROWS


def _mapping(workers: int, dask: str | None):
    """A context giving `mapping(function, items)`: on the Dask cluster, or this machine's processes."""
    if dask:
        from screening.batch.distributed import cluster_map

        return cluster_map(dask)
    return contextlib.nullcontext(
        lambda function, items: ordered_map(function, items, workers=workers, initializer=start_worker)
    )
