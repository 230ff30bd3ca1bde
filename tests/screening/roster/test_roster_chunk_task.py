"""One chunk's work: its Parquet part always, its JSON lines only when asked, never with another ruleset."""

import dataclasses
import io
import json
from collections import Counter

import pyarrow.parquet as pq
import pytest

from screening.errors import EngineError
from screening.roster.chunk import Chunk
from screening.roster.stamp import RunStamp
from screening.roster.worker.task import ChunkTask, screen_chunk
from screening.service import default_screener

AT = "2026-12-01T08:00:00Z"
HEADER = (
    "runner.id",
    "runner.age",
    "training.weekly_distance",
    "wellness.fatigue",
    "wellness.soreness",
    "heel_raise.left",
    "heel_raise.right",
)
CHUNK = Chunk(
    "csv",
    HEADER,
    [
        (1, ("club-1", "34", "30;31;33;35", "3", "0", "25", "25")),
        (2, ("club-2", "9", "30", "3", "0", "25", "25")),
        (3, ("club-3", "51", "20;22;40", "6", "4", "12", "24")),
    ],
)


def _stamp() -> RunStamp:
    return RunStamp.start("roster.csv", default_screener().ruleset, AT)


@pytest.mark.parametrize("keep_jsonl", [True, False])
def test_a_chunk_always_brings_its_parquet_part_and_its_json_lines_only_when_asked(keep_jsonl):
    part = screen_chunk(ChunkTask(CHUNK, _stamp(), keep_jsonl))
    table = pq.read_table(io.BytesIO(part.parquet))
    assert table.column("row").to_pylist() == [1, 3]  # row 2 (age 9) is invalid: in errors, not results
    results = [json.loads(text) for text in table.column("result").to_pylist()]
    assert [result["runner_id"] for result in results] == ["club-1", "club-3"]
    assert all(result["screened_at"] == AT for result in results)
    if keep_jsonl:
        assert [json.loads(line) for line in part.jsonl.splitlines()] == results
    else:
        assert part.jsonl == b""
    assert [invalid.row for invalid in part.invalid] == [2]
    records = json.loads(b"[" + part.records.records + b"]")  # the report's records, one a screened row
    assert [record[0] for record in records] == [1, 3] and {record[11] for record in records} == {0}
    assert json.loads(part.ids.text) == [[1, 3], ["club-1", "club-3"]] and part.ids.screened == 2
    assert part.urgent == [runner for runner in part.urgent if runner.urgency == "urgent"]
    counted = part.counts  # the report's counts, made where the rows were screened
    assert counted.screened == 2 and sum(counted.bands.values()) == sum(counted.bins.values()) == 2
    fired = Counter(entry["rule"] for result in results for entry in result["explanation"])
    assert counted.rule_counts == dict(fired)


def test_a_worker_with_another_ruleset_refuses_the_chunk():
    stamp = dataclasses.replace(_stamp(), ruleset=("soleus", "0.0.1"))
    with pytest.raises(EngineError, match="install the same soleus-screen on every worker"):
        screen_chunk(ChunkTask(CHUNK, stamp, True))


def test_screening_ids_depend_on_the_run_and_the_row_only():
    stamp = _stamp()
    assert stamp.screening_id(7, "club-7") == _stamp().screening_id(7, "club-7")
    others = {
        stamp.screening_id(8, "club-7"),
        stamp.screening_id(7, "club-8"),
        RunStamp.start("other.csv", default_screener().ruleset, AT).screening_id(7, "club-7"),
    }
    assert stamp.screening_id(7, "club-7") not in others and len(others) == 3
