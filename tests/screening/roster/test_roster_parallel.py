"""Worker processes give the same results as one process, in roster order, with bounded work in flight."""

import csv
import json
import math
import os
from pathlib import Path

import pytest

from screening.roster.executors.processes import IN_FLIGHT_PER_WORKER, ordered_map
from screening.roster.run import screen_roster
from tests.support import rosters


class Counted:
    """An iterator that records how many items were taken from it."""

    def __init__(self, items):
        self._items = iter(items)
        self.taken = 0

    def __iter__(self):
        return self

    def __next__(self):
        item = next(self._items)
        self.taken += 1
        return item


def test_results_come_back_in_input_order_from_every_worker():
    # Factorials of mixed sizes finish out of order; the map must not.
    sizes = [20000 if index % 3 == 0 else 10 for index in range(40)]
    assert list(ordered_map(math.factorial, sizes, workers=2)) == [math.factorial(size) for size in sizes]


@pytest.mark.parametrize("workers", [1, 2])
def test_no_more_chunks_are_read_than_the_workers_can_hold(workers):
    chunks = Counted(range(60))
    ahead = []
    for done, _ in enumerate(ordered_map(abs, chunks, workers=workers), 1):
        ahead.append(chunks.taken - done)
    limit = workers * IN_FLIGHT_PER_WORKER if workers > 1 else 1  # in-process: the one peeked ahead
    assert max(ahead) <= limit
    assert chunks.taken == 60


def test_a_single_chunk_is_worked_in_this_process():
    assert list(ordered_map(lambda chunk: os.getpid(), ["only"], workers=4)) == [os.getpid()]


def _without_run_values(path: Path) -> list:
    """Results minus what differs between two runs by design (screening id and time)."""
    if path.suffix == ".jsonl":
        return [
            {key: value for key, value in json.loads(line).items() if key not in ("screening_id", "screened_at")}
            for line in path.read_text(encoding="utf-8").splitlines()
        ]
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    if path.name != "results.csv":
        return rows
    at = rows[0].index("screening_id")
    return [row[:at] + row[at + 1 :] for row in rows]


def test_two_workers_and_small_chunks_write_what_one_process_writes(tmp_path):
    make_roster = rosters.make_roster
    roster = tmp_path / "roster.csv"
    with open(roster, "w", encoding="utf-8", newline="") as handle:
        make_roster.write_roster(handle, 300, seed=11, invalid_rate=0.05)
    one = screen_roster(roster, tmp_path / "one", workers=1)
    two = screen_roster(roster, tmp_path / "two", workers=2, chunk_rows=17)
    assert (one.screened, one.invalid, one.bands) == (two.screened, two.invalid, two.bands)
    assert one.screened + one.invalid == 300 and one.invalid > 0
    for name in ("results.jsonl", "results.csv", "errors.csv"):
        assert _without_run_values(tmp_path / "one" / name) == _without_run_values(tmp_path / "two" / name), name
