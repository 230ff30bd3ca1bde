"""The roster report of a stored run shows each runner's change since their previous stored screening."""

import csv
import html
import json
import re
from pathlib import Path

import pytest

from screening.history.store import Store
from screening.roster.run import screen_roster
from screening.roster.storing import RosterStore
from tests.screening.roster.test_roster_report_browser import browser  # noqa: F401 (the module's headless Chromium)
from tests.support.intakes import healthy


def _row(intake: dict) -> dict:
    """An intake as a roster CSV row: dotted columns, weeks ';'-separated, not tested as an empty cell."""
    row = {}
    for section, values in intake.items():
        for name, value in values.items():
            if isinstance(value, list):
                value = ";".join(str(item) for item in value)
            row[f"{section}.{name}"] = "" if value is None else str(value).lower() if isinstance(value, bool) else value
    return row


def _worse(runner_id: str) -> dict:
    """The healthy runner after a big single-run spike and with a marked heel-raise asymmetry (referred)."""
    intake = healthy(runner_id)
    intake["training"]["latest_run"] = 30
    intake["heel_raise"] = {"left": 30, "right": 12}
    return intake


def _no_soreness(runner_id: str) -> dict:
    """The healthy runner without calf soreness (soreness on both screenings, 7 days apart, counts as lasting)."""
    intake = healthy(runner_id)
    intake["wellness"]["soreness"] = 0
    return intake


def _roster(path: Path, intakes: list[dict]) -> Path:
    rows = [_row(intake) for intake in intakes]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
def stored_report(tmp_path) -> Path:
    url = f"sqlite:///{tmp_path / 'history.sqlite3'}"
    storing = RosterStore(Store.open(url, upgrade=True), url, "club-a")
    runs = {
        "a": ("2026-12-01T08:00:00Z", [healthy("rises"), _worse("falls"), _no_soreness("steady")]),
        "b": ("2026-12-08T08:00:00Z", [_worse("rises"), healthy("falls"), _no_soreness("steady")]),
    }
    for name, (screened_at, intakes) in runs.items():
        roster = _roster(tmp_path / f"{name}.csv", intakes)
        screen_roster(roster, tmp_path / name, workers=1, screened_at=screened_at, storing=storing)
    return tmp_path / "b" / "report.html"


def _records(report: Path) -> dict:
    page = report.read_text(encoding="utf-8")
    runners = json.loads(re.search(r'id="roster-data"[^>]*>(.*?)</script>', page, re.S).group(1))
    return {record[1]: record for record in runners}


def test_each_runner_of_a_stored_run_has_its_band_change_score_change_and_new_referral(stored_report):
    records = _records(stored_report)
    results = {
        r["runner_id"]: r
        for r in map(json.loads, (stored_report.parent / "results.jsonl").read_text(encoding="utf-8").splitlines())
    }
    change = {runner_id: record[12] for runner_id, record in records.items()}
    assert change["rises"] == ["up", results["rises"]["history"]["score_change"], 1]
    assert change["falls"] == ["down", results["falls"]["history"]["score_change"], 0]
    assert change["steady"] == ["same", 0, 0]
    assert results["rises"]["history"]["score_change"] > 0 > results["falls"]["history"]["score_change"]


def test_the_not_assessed_table_of_a_stored_run_names_only_the_stored_screenings_its_runners_lacked(stored_report):
    # The fatigue-baseline rule also reads wellness.fatigue, which every runner gave: only the
    # stored screenings it lacked are named (as every runner's own not-assessed line names them).
    page = html.unescape(stored_report.read_text(encoding="utf-8"))
    assert 'id="need-history"' not in page
    row = page[page.index("<code>wellness.fatigue_above_baseline</code>") :]
    needs = row[row.index("<td>") + 4 : row.index("</td>", row.index("<td>"))]
    assert needs == "earlier stored screenings on 4 days spanning 14+ days, in the past 56 days"


def test_a_run_that_did_not_store_shows_no_change(tmp_path):
    screen_roster(_roster(tmp_path / "a.csv", [healthy("one")]), tmp_path / "o", workers=1)
    assert _records(tmp_path / "o" / "report.html")["one"][12] is None


@pytest.mark.browser
def test_the_report_page_says_band_up_and_new_referral_beside_the_runner(browser, stored_report):  # noqa: F811
    page = browser.new_page()
    page.goto(stored_report.as_uri())
    rises = page.locator("details.runner", has_text="rises").locator("summary").inner_text()
    falls = page.locator("details.runner", has_text="falls").locator("summary").inner_text()
    assert "band up (score +" in rises and "new referral" in rises
    assert "band down (score -" in falls and "new referral" not in falls
    page.close()
