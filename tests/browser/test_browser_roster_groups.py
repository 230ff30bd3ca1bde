"""A roster with a `group` column: the report shows each runner's group, filters by it, and its download says it."""

import csv

import pytest
from axe_playwright_python.sync_playwright import Axe

from screening.roster.run import screen_roster
from tests.support.paths import ROOT

GROUPS = ("juniors", "masters", "elite")


@pytest.fixture(scope="module")
def grouped(tmp_path_factory):
    """The example roster with a group column (juniors, masters, elite in turn) screened into a report."""
    folder = tmp_path_factory.mktemp("grouped")
    with open(ROOT / "examples" / "roster.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    with open(folder / "roster.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, [*rows[0], "group"])
        writer.writeheader()
        for number, row in enumerate(rows):
            writer.writerow({**row, "group": GROUPS[number % 3]})
    screen_roster(folder / "roster.csv", folder / "out", workers=1)
    with open(folder / "out" / "results.csv", encoding="utf-8", newline="") as handle:
        screened = {row["runner_id"] for row in csv.DictReader(handle)}  # invalid rows are not in the list
    given = {row["runner.id"]: GROUPS[n % 3] for n, row in enumerate(rows)}
    return folder / "out" / "report.html", {rid: group for rid, group in given.items() if rid in screened}


@pytest.fixture
def report(browser, grouped):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, accept_downloads=True)
    tab = context.new_page()
    tab.goto(grouped[0].as_uri())
    tab.wait_for_selector("#list details.runner")
    yield tab
    context.close()


def _shown_ids(page) -> list[str]:
    page.evaluate("() => { const more = document.getElementById('more'); while (!more.hidden) more.click(); }")
    return page.locator("#list details.runner .id").all_inner_texts()


def test_the_group_filter_shows_the_runners_of_that_group_alone_each_with_its_group(report, grouped):
    _, groups = grouped
    assert report.locator("#group option").all_inner_texts() == ["any", *sorted(GROUPS)]
    report.select_option("#group", "masters")
    shown = _shown_ids(report)
    assert shown and sorted(shown) == sorted(rid for rid, group in groups.items() if group == "masters")
    assert set(report.locator("#list details.runner .group").all_inner_texts()) == {"masters"}


def test_download_these_runners_has_the_group_column_of_the_filtered_runners(report, grouped):
    _, groups = grouped
    report.select_option("#group", "elite")
    with report.expect_download() as info:
        report.locator("#download").click()
    with open(info.value.path(), encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and {row["group"] for row in rows} == {"elite"}
    assert sorted(row["runner id"] for row in rows) == sorted(rid for rid, g in groups.items() if g == "elite")
    assert "group elite" in report.locator("#download-note").text_content()


def test_the_grouped_report_passes_axe_core(report):
    report.select_option("#group", "juniors")
    results = Axe().run(report)
    assert results.violations_count == 0, results.generate_report()


def test_a_roster_without_groups_has_no_group_filter(browser, tmp_path):
    screen_roster(ROOT / "examples" / "roster.csv", tmp_path / "out", workers=1)
    context = browser.new_context()
    tab = context.new_page()
    tab.goto((tmp_path / "out" / "report.html").as_uri())
    tab.wait_for_selector("#list details.runner")
    assert tab.locator("#group").count() == 0 and tab.locator("#list .group").count() == 0
    context.close()
