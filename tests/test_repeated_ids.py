"""RepeatedIds: which runner ids a roster holds on more than one row, within bounded listing."""

from screening.batch.repeated_ids import ROWS_SHOWN, RepeatedIds


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
