"""The work of one chunk, the same in this process, a local worker process or a Dask worker.

`screen_chunk` screens the chunk's rows (lines.screen_lines), builds its
Parquet part (parquet_part), counts its runners for the report (counts), makes
each runner's record for the report's page (records.runner_records) and its
rows' id digests (repeated_ids.ChunkIds) there, and sends back only what the
writer still needs: text ready to write, counts, the urgent runners (the
report's table of them), the invalid rows, and no object per runner otherwise. The results.jsonl bytes
travel only when results.jsonl is being written. So the process that writes the
files does a few appends per chunk, whatever its size, and the report is
built from the chunks' summaries without reading any result back. A worker
whose ruleset differs from the run's (a cluster machine with another version
installed) refuses the chunk, so one run never mixes two rulesets.
`start_worker` builds a worker process's screener before its first chunk.
"""

from typing import NamedTuple

from screening.errors import EngineError
from screening.roster.chunk import Chunk
from screening.roster.repeated_ids import ChunkIds
from screening.roster.rows import InvalidRow
from screening.roster.stamp import RunStamp
from screening.roster.worker.counts import ChunkCounts, bin_count, count_chunk, needs_history
from screening.roster.worker.lines import RunnerSummary, screen_lines
from screening.roster.worker.parquet_part import part_bytes
from screening.roster.worker.records import PageRecords, runner_records
from screening.service import default_screener


class ChunkTask(NamedTuple):
    chunk: Chunk
    stamp: RunStamp
    keep_jsonl: bool  # send the JSON lines back (for results.jsonl); the report gets `records`
    number: int = 0  # the chunk's place in the roster, from 0


class ChunkOutput(NamedTuple):
    jsonl: bytes  # results.jsonl's lines, or b"" when it is not written
    results_csv: str
    errors_csv: str
    parquet: bytes  # the Parquet part (written only if some row was screened)
    counts: ChunkCounts  # the report's counts of these runners
    urgent: list[RunnerSummary]  # the runners referred urgently, in row order
    invalid: list[InvalidRow]
    records: PageRecords  # the runners as the report's page reads them (records.runner_records)
    ids: ChunkIds  # the screened rows' runner ids, for the repeated ids
    number: int  # the task's


def start_worker() -> None:
    """Build this process's screener before the first chunk arrives."""
    default_screener()


def screen_chunk(task: ChunkTask, **history) -> ChunkOutput:
    """Screen one chunk; `history` (history_of=, keep=) is for a run that stores (see storing)."""
    ruleset = default_screener().ruleset
    if (ruleset.name, ruleset.version) != task.stamp.ruleset:
        raise EngineError(
            f"this worker screens with ruleset {ruleset.name} {ruleset.version}, the run with "
            f"{' '.join(task.stamp.ruleset)}: install the same soleus-screen on every worker"
        )
    output = screen_lines(task.chunk, task.stamp, **history)
    runners = output.runners
    return ChunkOutput(
        output.jsonl if task.keep_jsonl else b"",
        output.results_csv,
        output.errors_csv,
        part_bytes(output),
        count_chunk(runners, bin_count(ruleset.score_max), frozenset() if history else needs_history(ruleset)),
        [runner for runner in runners if runner.urgency == "urgent"],
        output.invalid,
        runner_records(output, ruleset, task.number),
        ChunkIds.of([runner.row for runner in runners], [runner.runner_id for runner in runners]),
        task.number,
    )
