"""The work of one partition, the same in this process, a local worker process or a Dask worker.

`screen_part` screens the partition's rows (pipeline.screen_chunk), builds its
Parquet part, counts its runners for the report (tally), makes each runner's
record for the report's page (report.runner_records) and its rows' id digests
(repeated_ids.PartIds) there, and sends back only what the writer still needs:
text ready to write, counts, the urgent runners (the report's table of them),
the invalid rows, and no object per runner otherwise. The results.jsonl bytes
travel only when results.jsonl is being written. So the process that writes the
files does a few appends per partition, whatever its size, and the report is
built from the partitions' summaries without reading any result back. A worker
whose ruleset differs from the run's (a cluster machine with another version
installed) refuses the partition, so one run never mixes two rulesets.
"""

from typing import NamedTuple

from screening.batch.parquet import part_bytes
from screening.batch.pipeline import InvalidRow, RunnerSummary, screen_chunk
from screening.batch.repeated_ids import PartIds
from screening.batch.report import PageRecords, runner_records
from screening.batch.source import Chunk
from screening.batch.stamp import RunStamp
from screening.batch.tally import Tally, bin_count, needs_history, tally
from screening.errors import EngineError
from screening.service import default_screener


class PartTask(NamedTuple):
    chunk: Chunk
    stamp: RunStamp
    keep_jsonl: bool  # send the JSON lines back (for results.jsonl); the report gets `records`
    number: int = 0  # the partition's place in the roster, from 0


class PartOutput(NamedTuple):
    jsonl: bytes  # results.jsonl's lines, or b"" when it is not written
    results_csv: str
    errors_csv: str
    parquet: bytes  # the Parquet part (written only if some row was screened)
    tally: Tally  # the report's counts of these runners
    urgent: list[RunnerSummary]  # the runners referred urgently, in row order
    invalid: list[InvalidRow]
    records: PageRecords  # the runners as the report's page reads them (report.runner_records)
    ids: PartIds  # the screened rows' runner ids, for the repeated ids
    number: int  # the task's


def screen_part(task: PartTask, **history) -> PartOutput:
    """Screen one partition; `history` (history_of=, keep=) is for a run that stores (see storing)."""
    ruleset = default_screener().ruleset
    if (ruleset.name, ruleset.version) != task.stamp.ruleset:
        raise EngineError(
            f"this worker screens with ruleset {ruleset.name} {ruleset.version}, the run with "
            f"{' '.join(task.stamp.ruleset)}: install the same soleus-screen on every worker"
        )
    output = screen_chunk(task.chunk, task.stamp, **history)
    runners = output.runners
    return PartOutput(
        output.jsonl if task.keep_jsonl else b"",
        output.results_csv,
        output.errors_csv,
        part_bytes(output),
        tally(runners, bin_count(ruleset.score_max), frozenset() if history else needs_history(ruleset)),
        [runner for runner in runners if runner.urgency == "urgent"],
        output.invalid,
        runner_records(output, ruleset, task.number),
        PartIds.of([runner.row for runner in runners], [runner.runner_id for runner in runners]),
        task.number,
    )
