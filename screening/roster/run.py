"""Screen a whole roster file into DIR: stream, screen in parallel, write, report, then publish.

    outcome = screen_roster("roster.csv", "out/", workers=2)

Memory stays flat: rows are read in chunks, at most a few chunks are in flight,
outputs are written as they come back (in roster order) and the report keeps
only bounded detail. The files appear in DIR only once the whole roster has
been read and written (see `output.folder`).

The parent reads (read/), hands each chunk to a worker (worker/, run by
executors/), then writes (output/) and adds up the report (report/).

With more than one worker the chunks are screened in `spawn`ed processes, so a
script that calls `screen_roster` must do so under `if __name__ == "__main__":`
(as for any multiprocessing code); the `soleus-screen` command already does.
With `dask` the same chunks are screened on a Dask cluster (see executors.dask_cluster);
the files written are the same, byte for byte, given one `screened_at`.
"""

import contextlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from screening.roster import JSONL_MAX_ROWS
from screening.roster.chunk import CHUNK_ROWS
from screening.roster.executors.processes import default_workers, ordered_map
from screening.roster.output.folder import OutputFiles, refuse_overwriting
from screening.roster.read.open import open_roster
from screening.roster.report import page
from screening.roster.report.totals import RosterReport
from screening.roster.stamp import RunStamp
from screening.roster.storing import RosterStore, screen_stored_chunk
from screening.roster.summary import SummaryCounts
from screening.roster.worker.task import ChunkTask, screen_chunk, start_worker
from screening.service import default_screener


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
        cls, counts: SummaryCounts, files: dict, stored: int | None = None, need_history: tuple[str, ...] = ()
    ) -> "RosterOutcome":
        """The outcome of a run whose rows `counts` counted and whose files are `files`."""
        return cls(
            counts.screened,
            counts.invalid,
            counts.referrals["urgent"],
            dict(counts.bands),
            files,
            counts.repeated_ids.total,
            stored,
            counts.referrals["soon"],
            counts.referrals["routine"],
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
    every screened row is stored in the runner history, a chunk a
    transaction (see storing; not with `dask`).
    Raises UnusableRoster (nothing written) when the file or DIR cannot be used,
    dask_cluster.ClusterError (nothing written) when the cluster fails.
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
                    task = ChunkTask(chunk, stamp, _jsonl_wanted(jsonl, rows), index)
                    yield task if storing is None else storing.task(task)

            function = screen_chunk if storing is None else screen_stored_chunk
            with _mapping(workers, dask) as mapping:
                for output in mapping(function, tasks()):
                    if storing is not None:
                        output = storing.commit(output)
                    if not _jsonl_wanted(jsonl, rows):
                        outputs.drop_jsonl()
                    outputs.write(output)
                    report.add(output)
                    position = positions.popleft()
                    if progress:
                        progress(position, report.screened, report.invalid_rows)
            report.full_results = outputs.full_results
            page.render(report, outputs.report_path)
        except BaseException:
            outputs.abort()
            raise
        files = outputs.commit()
    stored = storing.stored if storing is not None else None
    return RosterOutcome.of(report.counts, files, stored, tuple(report.need_history()))


def _jsonl_wanted(jsonl: bool | None, rows: int) -> bool:
    return jsonl if jsonl is not None else rows <= JSONL_MAX_ROWS


def _mapping(workers: int, dask: str | None):
    """A context giving `mapping(function, items)`: on the Dask cluster, or this machine's processes."""
    if dask:
        from screening.roster.executors.dask_cluster import cluster_map  # dask loads only for a run on a cluster

        return cluster_map(dask)
    return contextlib.nullcontext(
        lambda function, items: ordered_map(function, items, workers=workers, initializer=start_worker)
    )
