"""Cells a spreadsheet would run as formulas are written as text in results.csv and errors.csv."""

import csv
import json
from pathlib import Path

import pytest

from screening.roster.run import screen_roster
from screening.roster.worker.csv_cells import spreadsheet_safe
from tests.support.paths import ROOT, TESTS

FIXTURE = TESTS / "fixtures" / "roster" / "formula_cells.csv"


@pytest.mark.parametrize(
    "value, expected",
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-club-0001", "'-club-0001"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("\n=1+1", "'\n=1+1"),
        ("   =1+1", "'   =1+1"),
        ("\n\n  @SUM(A1)", "'\n\n  @SUM(A1)"),
        ("\u00a0=1", "'\u00a0=1"),
        ("\uff1d1+1", "'\uff1d1+1"),
        ("club-0001", "club-0001"),
        ("a=1", "a=1"),  # only the first character makes a formula
        ("", ""),
        (-5, -5),  # numbers stay numbers
        (12.5, 12.5),
        (None, None),
    ],
)
def test_text_starting_like_a_formula_gets_a_leading_apostrophe(value, expected):
    assert spreadsheet_safe(value) == expected


def _read(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))[1:]


def _input_ids() -> dict[int, str]:
    with open(FIXTURE, encoding="utf-8", newline="") as handle:
        return {number: row["runner.id"] for number, row in enumerate(csv.DictReader(handle), 1)}


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    out = tmp_path_factory.mktemp("guard")
    screen_roster(FIXTURE, out, workers=1)
    return out


def test_no_cell_of_either_csv_starts_with_a_formula_character(out):
    for name in ("results.csv", "errors.csv"):
        for row in _read(out / name):
            assert not [cell for cell in row if cell.lstrip()[:1] in ("=", "+", "-", "@") or cell[:1].isspace()]


def test_a_formula_runner_id_in_an_invalid_row_is_kept_as_text_after_the_apostrophe(out):
    ids = _input_ids()
    errors = {int(row[0]): row for row in _read(out / "errors.csv")}
    formula_rows = [number for number, runner_id in ids.items() if runner_id[0] in "=+@-" and number in errors]
    assert len(formula_rows) == 4
    for number in formula_rows:
        assert errors[number][1] == "'" + ids[number]
        assert errors[number][2] == "runner.id"


def test_a_valid_id_starting_with_a_minus_is_guarded_and_numbers_stay_numbers(out):
    ids = _input_ids()
    [result] = _read(out / "results.csv")
    assert ids[int(result[0])] == "-club-0001"
    assert result[1] == "'-club-0001"
    assert result[2].isdigit()  # the score is written as a number, not as guarded text


def test_a_formula_in_a_value_is_quoted_only_inside_the_message(out):
    errors = {int(row[0]): row for row in _read(out / "errors.csv")}
    assert errors[6][2:] == ["runner.age", "Expected a number, got '=1+1'."]


@pytest.mark.parametrize("field", ["\n=cmd|' /C calc'!A0", "   =1+1", "\r\n@SUM(A1)"])
def test_a_json_field_with_a_formula_after_line_breaks_or_spaces_is_guarded_in_errors_csv(tmp_path, field):
    intake = json.loads((ROOT / "examples" / "intake.json").read_text())
    intake[field] = 1
    roster = tmp_path / "roster.json"
    roster.write_text(json.dumps([intake]))
    screen_roster(roster, tmp_path / "out", workers=1)
    [error] = _read(tmp_path / "out" / "errors.csv")
    assert error[2] == "'" + field


def test_an_unknown_json_field_named_like_a_formula_is_guarded_in_errors_csv(tmp_path):
    intake = json.loads((ROOT / "examples" / "intake.json").read_text())
    intake["=cmd|' /C calc'!A0"] = 1
    roster = tmp_path / "roster.json"
    roster.write_text(json.dumps([intake]))
    outcome = screen_roster(roster, tmp_path / "out", workers=1)
    assert outcome.invalid == 1
    [error] = _read(tmp_path / "out" / "errors.csv")
    assert error[2] == "'=cmd|' /C calc'!A0"
