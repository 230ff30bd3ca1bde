"""The example club roster: every valid row screened in order, bad rows reported, urgent runners first."""

import csv
import html
import json
from pathlib import Path

import pytest

from api.commands import main
from api.commands.exits import EXIT_INVALID
from screening.result.field_words import field_words
from screening.ruleset.model import BANDS
from screening.service import default_screener
from tests.support.paths import ROOT

ROSTER = ROOT / "examples" / "roster.csv"

# The rows of examples/roster.csv that were written with an entry error:
# (row, column, its cell, the field path reported, part of the message).
INVALID = [
    (9, "heel_raise.left", "14.5", "heel_raise.left", "whole number"),  # a fractional rep count
    (14, "runner.age", "9", "runner.age", "greater than or equal to 12"),  # a junior below the contract's 12
    (
        21,
        "training.weekly_distance",
        "40;4O;42",
        "training.weekly_distance.1",  # letter O for zero, 2nd week
        "Expected a number, got '4O'",
    ),
]


def _input_rows() -> list[tuple[int, dict]]:
    with open(ROSTER, encoding="utf-8", newline="") as handle:
        return list(enumerate(csv.DictReader(handle), 1))


def _read_csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def screened(tmp_path_factory):
    out = tmp_path_factory.mktemp("roster") / "out"
    status = main(["roster", str(ROSTER), "--out", str(out), "--workers", "1", "--quiet"])
    return status, out


def test_the_example_has_invalid_rows_so_the_run_exits_with_the_invalid_status(screened):
    status, out = screened
    assert status == EXIT_INVALID
    assert sorted(path.name for path in out.iterdir()) == [
        "errors.csv",
        "report.html",
        "results.csv",
        "results.jsonl",
        "results.parquet",
    ]


def test_every_valid_row_is_screened_in_roster_order(screened):
    _, out = screened
    bad_rows = {row for row, *_ in INVALID}
    expected = [(number, row["runner.id"]) for number, row in _input_rows() if number not in bad_rows]
    results = _read_csv(out / "results.csv")
    assert [(int(row["row"]), row["runner_id"]) for row in results] == expected
    lines = (out / "results.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["runner_id"] for line in lines] == [runner_id for _, runner_id in expected]


def test_results_csv_agrees_with_the_full_results(screened):
    _, out = screened
    results = _read_csv(out / "results.csv")
    full = [json.loads(line) for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    for row, result in zip(results, full, strict=True):
        assert int(row["score"]) == result["risk"]["score"]
        assert row["band"] == result["risk"]["band"]
        assert row["referral"] == ("yes" if result["referral"]["required"] else "no")
        assert row["urgency"] == (result["referral"]["urgency"] or "")
        assert row["screening_id"] == result["screening_id"]
        programme = result["programme"]
        assert row["programme_stage"] == (
            "withheld" if programme["status"] == "withheld" else f"stage {programme['stage']['number']}"
        )
        reasons = row["top_reasons"].split("; ") if row["top_reasons"] else []
        assert set(reasons) <= {entry["rule"] for entry in result["explanation"]}


def test_results_csv_says_the_reasons_and_what_was_not_assessed_in_words_beside_the_codes(screened):
    _, out = screened
    with open(out / "results.csv", encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    assert header.index("top_reasons_text") == header.index("top_reasons") + 1
    assert header.index("not_assessed_text") == header.index("not_assessed") + 1
    ruleset = default_screener().ruleset
    said = 0
    for row in _read_csv(out / "results.csv"):
        reasons = row["top_reasons"].split("; ") if row["top_reasons"] else []
        assert row["top_reasons_text"] == "; ".join(ruleset.rule(rule_id).title for rule_id in reasons)
        missing = row["not_assessed"].split("; ") if row["not_assessed"] else []
        texts = row["not_assessed_text"].split("; ") if row["not_assessed_text"] else []
        assert [text.split(": needs ")[0] for text in texts] == [ruleset.rule(rule_id).title for rule_id in missing]
        said += len(texts)
        for text in texts:
            assert "_" not in text.split(": needs ")[1].split(" (column")[0], text
    assert said
    strength = next(row for row in _read_csv(out / "results.csv") if "strength.no_heel_raise" in row["not_assessed"])
    assert (
        "A leg manages no single-leg heel raise: needs left or right heel raise tested" in strength["not_assessed_text"]
    )


@pytest.mark.parametrize("row, column, cell, field, message", INVALID)
def test_each_invalid_row_is_reported_with_its_row_number_and_field(screened, row, column, cell, field, message):
    _, out = screened
    _, given = _input_rows()[row - 1]
    assert given[column] == cell
    errors = [error for error in _read_csv(out / "errors.csv") if int(error["row"]) == row]
    assert [(error["runner_id"], error["field"]) for error in errors] == [(given["runner.id"], field)]
    assert message in errors[0]["message"]


def test_runners_without_a_heel_raise_test_are_screened_with_strength_not_assessed(screened):
    _, out = screened
    untested = {row["runner.id"] for _, row in _input_rows() if row["heel_raise.left"] == row["heel_raise.right"] == ""}
    assert len(untested) >= 3
    for row in _read_csv(out / "results.csv"):
        assert ("strength.below_norm" in row["not_assessed"]) == (row["runner_id"] in untested)


def _embedded(page: str) -> tuple[dict, list]:
    """The report's rule tables and runner records, as its script reads them."""

    def script(element_id: str):
        start = page.index(f'<script type="application/json" id="{element_id}">')
        start = page.index(">", start) + 1
        return json.loads(page[start : page.index("</script>", start)])

    return script("roster-tables"), script("roster-data")


def _section(page: str, section_id: str) -> str:
    start = page.index(f'<section id="{section_id}">')
    return page[start : page.index("</section>", start)]


def test_the_report_lists_every_runner_with_a_red_flag_as_an_urgent_referral_right_after_the_summary(screened):
    _, out = screened
    page = (out / "report.html").read_text(encoding="utf-8")
    flagged = [
        row["runner.id"]
        for _, row in _input_rows()
        if any(value == "yes" for name, value in row.items() if name.startswith("red_flags."))
    ]
    assert len(flagged) == 4
    urgent = _section(page, "urgent")
    assert f"Urgent referrals ({len(flagged)})" in urgent
    for runner_id in flagged:
        assert f">{runner_id}<" in urgent
    assert page.index('<section id="bands">') < page.index('<section id="urgent">') < page.index('id="distribution"')
    others = [row["runner.id"] for _, row in _input_rows() if row["runner.id"] not in flagged]
    assert not any(f">{runner_id}<" in urgent for runner_id in others)


def test_the_report_counts_bands_and_lists_invalid_rows(screened):
    _, out = screened
    page = html.unescape((out / "report.html").read_text(encoding="utf-8"))
    results = _read_csv(out / "results.csv")
    for band in ("low", "moderate", "high"):
        count = sum(row["band"] == band for row in results)
        runners = "runner" if count == 1 else "runners"
        assert (
            f'<a href="#filter-band-{BANDS.index(band)}" aria-label="{count} {runners} at {band} risk: show them">'
            f"{count}</a></span>{band} risk" in page
        )
    invalid = _section(page, "invalid")
    for row, _, _, field, _ in INVALID:
        assert f'data-label="Row">{row}</td>' in invalid and f'data-label="Field">{field_words(field)}' in invalid
    # Counted from 1, as the form counts weeks; in words, the column beside; not the schema library's words.
    week = 'data-label="Field">week 2 of the weekly distances<br>column <code>training.weekly_distance</code>'
    assert week in invalid
    assert "Enter a number from 12 to 100." in invalid and "greater than or equal" not in invalid


def test_every_screened_runner_has_an_expandable_explanation_naming_its_fired_rules(screened):
    _, out = screened
    page = (out / "report.html").read_text(encoding="utf-8")
    tables, runners = _embedded(page)
    results = [json.loads(line) for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [runner[1] for runner in runners] == [result["runner_id"] for result in results]
    for runner, result in zip(runners, results, strict=True):
        assert [tables["rules"][index]["id"] for index in runner[6]] == [e["rule"] for e in result["explanation"]]
        assert len(runner[7]) == len(result["explanation"])  # each rule's condition with the runner's values
