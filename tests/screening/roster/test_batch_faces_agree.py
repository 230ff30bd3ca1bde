"""The batch endpoint and the roster command are one pipeline: same rows, results, errors and counts."""

import csv
import json
from pathlib import Path

import pytest

from screening.roster.run import screen_roster
from tests.support.paths import ROOT

EXAMPLE_ROSTER = ROOT / "examples" / "roster.csv"
HEADER = (
    "runner.id,runner.age,runner.sex,training.weekly_distance,wellness.fatigue,wellness.soreness,"
    "heel_raise.left,heel_raise.right,red_flags.calf_swelling"
)
# A roster with every kind of row: screened, invalid in several fields, a blank line (no runner,
# but it keeps its number), a red flag, a runner id on two rows, and an id that is no pseudonym.
MIXED_CSV = (
    "\n".join(
        [
            HEADER,
            "club-1,44,female,38;40;41;55,7,5,14,26,false",
            "club-2,thirty,male,30;30;x;30,2,11,30,31,no",
            "",
            "club-3,30,male,30;31;30;32,2,1,32,33,no",
            "club-4,52,female,20;20;20;20,3,2,,,yes",
            "club-1,45,female,38;40;41;45,3,1,30,30,maybe",
            "Jane Doe,30,,30,2,1,30,30,no",
            "club-3,31,male,30;31;30;32,2,1,32,33,no",
        ]
    )
    + "\n"
)
MIXED_JSON = [
    {
        "runner": {"id": "club-1", "age": 44},
        "training": {"weekly_distance": [38, 40, 41, 55]},
        "wellness": {"fatigue": 7, "soreness": 5},
        "heel_raise": {"left": 14, "right": 26},
    },
    "not an intake",
    {"runner": {"id": "club-2", "age": True}, "training": {}, "wellness": {"fatigue": 2, "soreness": 1}},
    {
        "runner": {"id": "club-3", "age": 52},
        "training": {"weekly_distance": [20, 20, 20, 20]},
        "wellness": {"fatigue": 3, "soreness": 2},
        "heel_raise": {"left": None, "right": None},
        "red_flags": {"calf_swelling": True},
    },
    {
        "runner": {"id": "club-1", "age": 44},
        "training": {"weekly_distance": [38]},
        "wellness": {"fatigue": 1, "soreness": 0},
        "heel_raise": {"left": 30, "right": 30},
        "extra": 1,
    },
]


def _stable(result: dict) -> dict:
    """A result without what differs between two screenings of one intake."""
    return {key: value for key, value in result.items() if key not in ("screening_id", "screened_at")}


def _roster_files(out: Path) -> tuple[list[dict], list[int], dict[int, dict[str, list[str]]]]:
    """(results.jsonl results, results.csv row numbers, errors.csv messages by row and field)."""
    results = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    with open(out / "results.csv", encoding="utf-8-sig", newline="") as handle:
        rows = [int(record["row"]) for record in csv.DictReader(handle)]
    errors: dict[int, dict[str, list[str]]] = {}
    with open(out / "errors.csv", encoding="utf-8-sig", newline="") as handle:
        for record in csv.DictReader(handle):
            errors.setdefault(int(record["row"]), {}).setdefault(record["field"], []).append(record["message"])
    return results, rows, errors


def _both_faces(client, tmp_path: Path, body: bytes, content_type: str, suffix: str, workers: int):
    roster = tmp_path / f"roster.{suffix}"
    roster.write_bytes(body)
    outcome = screen_roster(roster, tmp_path / "out", workers=workers, chunk_rows=2)
    response = client.post("/v1/screenings/batch", data=body, content_type=content_type)
    assert response.status_code == 200
    return outcome, _roster_files(tmp_path / "out"), response.get_json()


CASES = {
    "mixed csv": (MIXED_CSV.encode(), "text/csv", "csv"),
    "mixed json": (json.dumps(MIXED_JSON).encode(), "application/json", "json"),
    "example roster": (EXAMPLE_ROSTER.read_bytes(), "text/csv", "csv"),
}


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("case", list(CASES))
def test_endpoint_and_roster_command_give_the_same_rows_results_and_errors(client, tmp_path, case, workers):
    body, content_type, suffix = CASES[case]
    outcome, (results, rows, errors), answer = _both_faces(client, tmp_path, body, content_type, suffix, workers)

    assert [entry["row"] for entry in answer["results"]] == rows
    assert [_stable(entry["result"]) for entry in answer["results"]] == [_stable(result) for result in results]
    assert {entry["row"]: entry["errors"] for entry in answer["errors"]} == errors
    # Every row is in exactly one of the two lists, numbered as read.
    assert sorted(rows + list(errors)) == sorted({*rows, *errors})


@pytest.mark.parametrize("case", list(CASES))
def test_endpoint_and_roster_command_count_the_same_summary(client, tmp_path, case):
    body, content_type, suffix = CASES[case]
    outcome, _, answer = _both_faces(client, tmp_path, body, content_type, suffix, workers=1)
    summary = answer["summary"]

    assert (summary["screened"], summary["invalid"]) == (outcome.screened, outcome.invalid)
    assert summary["rows"] == outcome.screened + outcome.invalid
    assert summary["bands"] == outcome.bands
    assert summary["referrals"]["urgent"] == outcome.urgent
    assert len(summary["repeated_runner_ids"]) == outcome.repeated_ids


def test_mixed_csv_roster_numbers_rows_as_a_spreadsheet_does_and_keeps_every_error(client):
    answer = client.post("/v1/screenings/batch", data=MIXED_CSV.encode(), content_type="text/csv").get_json()

    # The blank line is row 3: no runner, but the rows after it keep their spreadsheet numbers.
    assert [entry["row"] for entry in answer["results"]] == [1, 4, 5, 8]
    errors = {entry["row"]: entry["errors"] for entry in answer["errors"]}
    assert sorted(errors) == [2, 6, 7]
    assert set(errors[2]) == {"runner.age", "training.weekly_distance.2", "wellness.soreness"}
    assert set(errors[6]) == {"red_flags.calf_swelling"}
    assert set(errors[7]) == {"runner.id"}
    summary = answer["summary"]
    assert (summary["rows"], summary["screened"], summary["invalid"]) == (7, 4, 3)
    # club-1's second row was invalid, so only club-3 is screened on two rows.
    assert summary["repeated_runner_ids"] == [{"runner_id": "club-3", "rows": [4, 8], "count": 2}]
    assert summary["referrals"]["urgent"] == 1
