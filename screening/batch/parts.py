"""The work of one partition, the same in this process, a local worker process or a Dask worker.

`screen_part` screens the partition's rows (pipeline.screen_chunk), builds its
Parquet part, counts its runners for the report (tally) and makes each runner's
record for the report's page (report.runner_records) there, and sends back only
what the writer still needs: the results.jsonl bytes only when results.jsonl is
being written, never the plain values the part was built from, so the report is
built from the partitions' summaries without reading any result back. A worker whose ruleset differs from the run's
(a cluster machine with another version installed) refuses the partition, so
one run never mixes two rulesets.
"""

from typing import NamedTuple

from screening.batch.parquet import part_bytes
from screening.batch.pipeline import ChunkOutput, screen_chunk
from screening.batch.report import runner_records
from screening.batch.source import Chunk
from screening.batch.stamp import RunStamp
from screening.batch.tally import Tally, bin_count, tally
from screening.errors import EngineError
from screening.service import default_screener


class PartTask(NamedTuple):
    chunk: Chunk
    stamp: RunStamp
    keep_jsonl: bool  # send the JSON lines back (for results.jsonl); the report gets `records`


class PartOutput(NamedTuple):
    output: ChunkOutput
    parquet: bytes
    tally: Tally  # the report's counts of these runners
    records: list  # each runner as the report's page reads it (report.runner_records)


def screen_part(task: PartTask, **history) -> PartOutput:
    """Screen one partition; `history` (history_of=, keep=) is for a run that stores (see storing)."""
    ruleset = default_screener().ruleset
    if (ruleset.name, ruleset.version) != task.stamp.ruleset:
        raise EngineError(
            f"this worker screens with ruleset {ruleset.name} {ruleset.version}, the run with "
            f"{' '.join(task.stamp.ruleset)}: install the same soleus-screen on every worker"
        )
    output = screen_chunk(task.chunk, task.stamp, **history)
    parquet = part_bytes(output)
    counted = tally(output.runners, bin_count(ruleset.score_max))
    records = runner_records(output, ruleset)
    kept = output._replace(values=[], jsonl=output.jsonl if task.keep_jsonl else b"")
    return PartOutput(kept, parquet, counted, records)
