"""A roster that cannot be read whole is refused with a clear message, and nothing is written."""

import io
import json
from pathlib import Path

import pytest

from api.commands import main
from api.commands.exits import EXIT_OK, EXIT_UNUSABLE
from screening.intake.flat import FIELD_KINDS
from screening.roster.chunk import CHUNK_ROWS
from tests.support import rosters
from tests.support.paths import ROOT

GOOD_ROWS = 2 * CHUNK_ROWS + 10  # enough that chunks were screened before the bad row is read


def _make_roster():
    module = rosters.make_roster
    return module


def _roster_text(rows: int) -> str:
    buffer = io.StringIO()
    _make_roster().write_roster(buffer, rows, seed=3)
    return buffer.getvalue()


def _with_bad_row(tmp_path, bad_line: bytes) -> Path:
    """GOOD_ROWS valid rows, then `bad_line`, then two more valid rows."""
    lines = _roster_text(GOOD_ROWS + 2).encode().splitlines(keepends=True)
    path = tmp_path / "roster.csv"
    path.write_bytes(b"".join(lines[: GOOD_ROWS + 1]) + bad_line + b"".join(lines[GOOD_ROWS + 1 :]))
    return path


CELLS = len(FIELD_KINDS)  # the synthetic roster has every contract column
BAD_ROWS = [
    # (what is wrong, the bad line, words the message must contain)
    (
        "unbalanced quote",
        b'club-9999,30,"10;20' + b",1" * (CELLS - 3) + b"\n",
        [f"row {GOOD_ROWS + 1}", "unbalanced quote"],
    ),
    ("wrong column count", b"club-9999,30\n", [f"row {GOOD_ROWS + 1}", "has 2 cells", f"{CELLS} columns"]),
    (
        "not UTF-8",
        b"club-\xff9999" + b",1" * (CELLS - 1) + b"\n",
        [f"near line {GOOD_ROWS + 2}", "not UTF-8", "CSV UTF-8"],
    ),  # line 1 is the header
]


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("problem, bad_line, words", BAD_ROWS, ids=[case[0] for case in BAD_ROWS])
def test_a_malformed_row_stops_the_run_naming_the_row_and_writes_nothing(
    tmp_path, capsys, problem, bad_line, words, workers
):
    roster = _with_bad_row(tmp_path, bad_line)
    out = tmp_path / "out"
    assert main(["roster", str(roster), "--out", str(out), "--workers", str(workers)]) == EXIT_UNUSABLE
    error = capsys.readouterr().err
    for word in words:
        assert word in error
    assert "nothing was written" in error
    assert not out.exists()  # the folder this run created is gone again, with its staging files


def _files(folder: Path) -> dict:
    """Every file under `folder` (results.parquet is a folder of parts) and its bytes."""
    return {str(path.relative_to(folder)): path.read_bytes() for path in folder.rglob("*") if path.is_file()}


def test_a_failed_run_leaves_the_previous_results_in_the_folder_untouched(tmp_path):
    out = tmp_path / "out"
    good = tmp_path / "good.csv"
    good.write_text(_roster_text(20))
    assert main(["roster", str(good), "--out", str(out), "--quiet"]) == EXIT_OK
    before = _files(out)
    roster = _with_bad_row(tmp_path, b"club-9999,30\n")
    assert main(["roster", str(roster), "--out", str(out), "--quiet"]) == EXIT_UNUSABLE
    assert _files(out) == before


HEADER = (
    "runner.id,runner.age,training.weekly_distance,wellness.fatigue,wellness.soreness,"
    "heel_raise.left,heel_raise.right\n"
)


@pytest.mark.parametrize(
    "name, content, words",
    [
        ("missing.csv", None, ["missing.csv", "cannot read"]),
        ("empty.csv", b"", ["empty"]),
        ("names.csv", b"runner.id,runner.name\nclub-1,Jane\n", ["unknown column", "runner.name"]),
        ("short.csv", b"runner.id,runner.age\nclub-1,30\n", ["missing required column", "heel_raise.left"]),
        (
            "truncated.json",
            json.dumps([json.loads((ROOT / "examples" / "intake.json").read_text())] * 2)[:-30].encode(),
            ["not a valid JSON array after item 1"],
        ),
        ("trailing.json", b"[] []", ["not a valid JSON array", "trailing garbage"]),
        ("bad.json", b'[{"runner": \xff}]', ["not a valid JSON array after item 0"]),
    ],
)
def test_unusable_input_exits_with_its_own_status_and_a_clear_message(tmp_path, capsys, name, content, words):
    roster = tmp_path / name
    if content is not None:
        roster.write_bytes(content)
    out = tmp_path / "out"
    assert main(["roster", str(roster), "--out", str(out)]) == EXIT_UNUSABLE
    error = capsys.readouterr().err
    for word in words:
        assert word in error
    assert not out.exists()


def test_an_output_path_that_is_a_file_is_unusable(tmp_path, capsys):
    roster = tmp_path / "roster.csv"
    roster.write_text(HEADER + "club-1,30,20,3,1,25,26\n")
    (tmp_path / "out").write_text("not a folder")
    assert main(["roster", str(roster), "--out", str(tmp_path / "out")]) == EXIT_UNUSABLE
    assert "cannot write the results here" in capsys.readouterr().err


def test_the_json_error_message_does_not_echo_the_roster_text(tmp_path, capsys):
    roster = tmp_path / "roster.json"
    roster.write_bytes(b'[{"runner": {"id": "secret-value-123"}} oops]')
    assert main(["roster", str(roster), "--out", str(tmp_path / "out")]) == EXIT_UNUSABLE
    assert "secret-value-123" not in capsys.readouterr().err
