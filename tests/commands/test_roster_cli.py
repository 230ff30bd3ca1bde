"""`soleus-screen roster`: exit statuses, JSON array input, progress only on a terminal."""

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from api.commands import build_parser, main
from api.commands.exits import EXIT_INVALID, EXIT_OK
from screening.intake.flat import unflatten
from tests.support.paths import ROOT

EXAMPLE = ROOT / "examples" / "roster.csv"


def _example_rows() -> list[dict]:
    with open(EXAMPLE, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _results(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]


def _valid_only(tmp_path) -> Path:
    """The example roster without the rows whose text is not an intake (as screened by a first run)."""
    main(["roster", str(EXAMPLE), "--out", str(tmp_path / "first"), "--quiet", "--workers", "1"])
    with open(tmp_path / "first" / "errors.csv", encoding="utf-8-sig", newline="") as handle:
        bad = {int(row["row"]) for row in csv.DictReader(handle)}
    rows = [row for number, row in enumerate(_example_rows(), 1) if number not in bad]
    path = tmp_path / "valid.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_the_real_command_reports_a_summary_and_no_progress_bar_when_not_on_a_terminal(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "api.commands", "roster", str(EXAMPLE), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode == EXIT_INVALID
    assert done.stdout == ""
    assert "screened 28 runners" in done.stderr and "4 urgent referrals" in done.stderr
    assert "3 rows could not be screened" in done.stderr and "errors.csv" in done.stderr
    assert "\r" not in done.stderr and "%|" not in done.stderr


def test_a_roster_whose_rows_are_all_valid_exits_zero_with_an_empty_errors_file(tmp_path, capsys):
    assert main(["roster", str(_valid_only(tmp_path)), "--out", str(tmp_path / "out"), "--quiet"]) == EXIT_OK
    assert capsys.readouterr().err == ""
    assert (tmp_path / "out" / "errors.csv").read_text(encoding="utf-8-sig").splitlines() == [
        "row,runner_id,field,message"
    ]


def test_a_json_array_roster_gives_the_same_results_as_the_same_rows_in_csv(tmp_path):
    valid = _valid_only(tmp_path)
    with open(valid, encoding="utf-8", newline="") as handle:
        payloads = [unflatten(row)[0] for row in csv.DictReader(handle)]
    payloads.insert(1, "not an intake")
    roster = tmp_path / "roster.json"
    roster.write_text(json.dumps(payloads, indent=1))
    assert main(["roster", str(valid), "--out", str(tmp_path / "csv"), "--quiet"]) == EXIT_OK
    assert main(["roster", str(roster), "--out", str(tmp_path / "json"), "--quiet"]) == EXIT_INVALID

    def key(result):
        return result["runner_id"], result["risk"], result["referral"], result["not_assessed"]

    assert [key(r) for r in _results(tmp_path / "json")] == [key(r) for r in _results(tmp_path / "csv")]
    with open(tmp_path / "json" / "errors.csv", encoding="utf-8-sig", newline="") as handle:
        assert [(row["row"], row["field"]) for row in csv.DictReader(handle)] == [("2", "_schema")]


def test_workers_default_to_the_number_of_cores_and_must_be_positive(capsys):
    args = build_parser().parse_args(["roster", "r.csv", "--out", "out"])
    assert args.workers == os.cpu_count()
    with pytest.raises(SystemExit) as raised:
        build_parser().parse_args(["roster", "r.csv", "--out", "out", "--workers", "0"])
    assert raised.value.code == 2
    assert "at least 1" in capsys.readouterr().err


@pytest.mark.parametrize("quiet", [False, True])
def test_the_progress_bar_shows_on_a_terminal_unless_quiet(tmp_path, capsys, monkeypatch, quiet):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    main(["roster", str(EXAMPLE), "--out", str(tmp_path), "--workers", "1"] + (["--quiet"] if quiet else []))
    err = capsys.readouterr().err
    assert ("31 / 31 runners (3 invalid)" in err) is not quiet  # the last redraw: every row read
    assert ("screened 28 runners" in err) is not quiet


def test_progress_counts_runners_with_thousands_separators_and_the_time_left():
    from api.commands.progress import progress_line

    assert progress_line(420, 1000, 42_000, 0, 42.0) == "42,000 / about 100,000 runners, 58 s left"
    assert progress_line(250, 1000, 25_000, 12, 60.0) == "25,000 / about 100,000 runners, 3 min left (12 invalid)"
    assert progress_line(1000, 1000, 100_000, 0, 100.0) == "100,000 / 100,000 runners"
    assert progress_line(1, 1000, 10, 0, 10.0).endswith("2 h 46 min left")


def test_the_summary_names_the_report_the_referrals_by_urgency_and_what_needs_the_history(tmp_path, capsys):
    out = tmp_path / "out"
    main(["roster", str(EXAMPLE), "--out", str(out), "--workers", "1"])
    err = capsys.readouterr().err
    assert f"the report: {out / 'report.html'}" in err
    assert "urgent referrals, " in err and " soon, " in err and " routine" in err
    history = [line for line in err.splitlines() if "kept no history" in line]
    assert len(history) == 1 and "own baseline" in history[0] and "--store" in history[0]


def test_a_stored_run_says_nothing_of_rules_needing_the_history(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SOLEUS_DATABASE_URL", f"sqlite:///{tmp_path / 'history.sqlite3'}")
    main(["roster", str(EXAMPLE), "--out", str(tmp_path / "out"), "--workers", "1", "--store"])
    err = capsys.readouterr().err
    assert "stored 28 screenings" in err and "kept no history" not in err


@pytest.mark.parametrize("quiet", [[], ["--quiet"]], ids=["plain", "quiet"])
def test_a_roster_with_only_a_header_warns_that_nothing_was_screened(tmp_path, capsys, quiet):
    roster = tmp_path / "empty.csv"
    roster.write_text(EXAMPLE.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    status = main(["roster", str(roster), "--out", str(tmp_path / "out"), "--workers", "1", *quiet])
    assert status == EXIT_OK
    assert "header but no runner rows" in capsys.readouterr().err
