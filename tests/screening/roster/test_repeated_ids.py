"""RepeatedIds: which runner ids a roster holds on more than one row, within bounded listing.

SpooledRepeatedIds (a roster run's, fed a partition at a time) must answer exactly as RepeatedIds.
"""

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from screening.roster import repeated_ids
from screening.roster.repeated_ids import ROWS_SHOWN, ChunkIds, RepeatedIds, SpooledRepeatedIds


def test_ids_on_one_row_each_are_not_repeated():
    ids = RepeatedIds()
    for row, runner_id in enumerate(["a", "b", "c"], start=1):
        ids.add(runner_id, row)
    assert (ids.repeated, ids.total) == ([], 0)


def test_repeated_ids_are_listed_by_their_first_row_with_every_row_counted():
    ids = RepeatedIds()
    for row, runner_id in enumerate(["a", "b", "b", "a", "a"], start=1):
        ids.add(runner_id, row)
    assert ids.repeated == [
        {"runner_id": "a", "count": 3, "rows": [1, 4, 5]},
        {"runner_id": "b", "count": 2, "rows": [2, 3]},
    ]
    assert ids.total == 2


def test_listing_is_capped_but_the_total_still_counts_every_repeated_id():
    ids = RepeatedIds(cap=2)
    for row in range(1, 3 * (ROWS_SHOWN + 5) + 1):
        ids.add(f"id-{row % 3}", row)
    assert ids.total == 3
    assert [entry["runner_id"] for entry in ids.repeated] == ["id-1", "id-2"]
    assert all(len(entry["rows"]) == ROWS_SHOWN and entry["count"] == ROWS_SHOWN + 5 for entry in ids.repeated)


def _spooled(pairs: list[tuple[str, int]], cuts: list[int], cap: int | None) -> SpooledRepeatedIds:
    """`pairs` added as partitions cut at `cuts`, as a roster run adds them."""
    ids = SpooledRepeatedIds(cap=cap)
    bounds = [0, *sorted(cut % (len(pairs) + 1) for cut in cuts), len(pairs)]
    for start, end in itertools.pairwise(bounds):
        part = pairs[start:end]
        ids.add_chunk(ChunkIds.of([row for _, row in part], [runner_id for runner_id, _ in part]))
    return ids


@given(
    st.lists(st.sampled_from(["a", "b", "c", "d", "e", "f", "é", "club-7"]), max_size=80),
    st.lists(st.integers(min_value=0), max_size=6),
    st.one_of(st.none(), st.integers(min_value=0, max_value=4)),
)
def test_spooled_ids_answer_exactly_as_ids_added_one_at_a_time(runner_ids, cuts, cap):
    pairs = [(runner_id, row) for row, runner_id in enumerate(runner_ids, start=1)]
    one_at_a_time = RepeatedIds(cap=cap)
    for runner_id, row in pairs:
        one_at_a_time.add(runner_id, row)
    spooled = _spooled(pairs, cuts, cap)
    assert (spooled.repeated, spooled.total) == (one_at_a_time.repeated, one_at_a_time.total)


def test_ids_that_share_a_digest_are_told_apart_by_the_ids_themselves(monkeypatch):
    monkeypatch.setattr(repeated_ids, "_digest", lambda runner_id: b"\0" * repeated_ids.DIGEST_BYTES)
    spooled = _spooled([("a", 1), ("b", 2), ("c", 3), ("b", 5)], [2], None)
    assert spooled.repeated == [{"runner_id": "b", "count": 2, "rows": [2, 5]}] and spooled.total == 1


def test_spooled_ids_keep_a_digest_per_row_not_the_ids():
    spooled = _spooled([(f"club-{row:07d}", row) for row in range(1, 5001)], [1000, 2500], None)
    assert len(spooled._digests) == 5000 * repeated_ids.DIGEST_BYTES
    assert (spooled.repeated, spooled.total) == ([], 0)
    with pytest.raises(RuntimeError, match="already read"):
        spooled.add_chunk(ChunkIds.of([5001], ["club-5001"]))
