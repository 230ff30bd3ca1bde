"""Screen a whole roster file into DIR: stream, screen in parallel, write, report, then publish.

    outcome = screen_roster("roster.csv", "out/", workers=2)

Memory stays flat: rows are read in chunks, at most a few chunks are in flight,
outputs are written as they come back (in roster order) and the report keeps
only bounded detail. The files appear in DIR only once the whole roster has
been read and written (see `outputs`).

With more than one worker the chunks are screened in `spawn`ed processes, so a
script that calls `screen_roster` must do so under `if __name__ == "__main__":`
(as for any multiprocessing code); the `soleus-screen` command already does.
"""

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from screening.batch.outputs import OutputFiles
from screening.batch.parallel import default_workers, ordered_map
from screening.batch.pipeline import screen_chunk, start_worker
from screening.batch.report import RosterReport
from screening.batch.rows import Tally
from screening.batch.source import Roster
from screening.service import default_screener

CHUNK_ROWS = 250


@dataclass(frozen=True)
class RosterOutcome:
    """What a run did: counts and where its files are."""

    screened: int
    invalid: int
    urgent: int
    bands: dict
    files: dict
    repeated_ids: int = 0  # runner ids on more than one screened row

    @classmethod
    def of(cls, tally: Tally, files: dict) -> "RosterOutcome":
        """The outcome of a run whose rows `tally` counted and whose files are `files`."""
        return cls(
            tally.screened, tally.invalid, tally.referrals["urgent"], dict(tally.bands), files, tally.repeated_ids.total
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
) -> RosterOutcome:
    """Screen every row of the roster at `path` and write results, errors and report into `out_dir`.

    Raises UnusableRoster (nothing written) when the file or DIR cannot be used.
    """
    workers = workers or default_workers()
    with Roster(path) as roster:
        outputs = OutputFiles(out_dir)
        try:
            report = RosterReport(default_screener().ruleset, Path(path).name, **(report_caps or {}))
            positions: deque[int] = deque()  # bytes read when each chunk in flight was cut

            def chunks():
                for chunk in roster.chunks(chunk_rows):
                    positions.append(roster.position())
                    yield chunk

            for output in ordered_map(screen_chunk, chunks(), workers=workers, initializer=start_worker):
                outputs.write(output)
                report.add(output)
                position = positions.popleft()
                if progress:
                    progress(position, report.screened, report.invalid_rows)
            report.render(outputs.report_path)
        except BaseException:
            outputs.abort()
            raise
        files = outputs.commit()
    return RosterOutcome.of(report.tally, files)
