"""The team page in Chromium at 10,000 runners: summary links filter, the change filter, the CSV export holds the
runners shown, the baseline number on focus; 390 px and 1366 px, print, and axe-core."""

import csv
from datetime import UTC, datetime

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from api.operations.store_binding import database_of  # noqa: E402
from tests.support.credentials import access_app, account  # noqa: E402
from tests.support.launch import serving
from tests.support.team_rows import stand_in_row  # noqa: E402

PASSWORD = "correct horse battery"
RUNNERS = 10_000


@pytest.fixture(scope="module")
def team_server(tmp_path_factory):
    """The app with access control on, a coach of team `big`, and 10,000 runners of it (2 screenings each)."""
    app = access_app(tmp_path_factory.mktemp("team"), TESTING=False)
    account(app, "cole@club.example", "coach", "big", password=PASSWORD)
    now = datetime.now(UTC).replace(tzinfo=None)
    rows = [stand_in_row("big", runner, week, 2, now) for runner in range(RUNNERS) for week in range(2)]
    database_of(app).add_many(rows)
    with serving(app) as url:
        yield url


@pytest.fixture
def tab(browser, team_server):
    context = browser.new_context(base_url=team_server, accept_downloads=True, viewport={"width": 1366, "height": 900})
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.goto("/login?next=/teams")
    page.get_by_label("Email (or account name)").fill("cole@club.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto("/teams")
    expect(page.locator("h1")).to_have_text("Team big")
    yield page
    context.close()


def count(tab, selector: str) -> int:
    return int(tab.locator(f"{selector} .count").inner_text().replace(",", ""))


def shown_count(tab) -> str:
    return tab.locator("#shown-count").inner_text()


def test_the_page_shows_the_summary_first_and_passes_axe_at_both_widths_and_in_print(tab, artifacts):
    assert tab.locator("#team-meta").inner_text().endswith(f"{RUNNERS:,} runners.")
    summary_top = tab.locator("#summary").bounding_box()["y"]
    assert summary_top < tab.locator("#team-table").bounding_box()["y"]
    assert summary_top + tab.locator("#summary").bounding_box()["height"] < 900  # the summary is on the first screen
    results = Axe().run(tab)
    assert results.violations_count == 0, results.generate_report()
    tab.screenshot(path=artifacts / "team-1366.png")
    tab.set_viewport_size({"width": 390, "height": 844})
    assert tab.evaluate("document.documentElement.scrollWidth") <= 390
    tab.screenshot(path=artifacts / "team-390.png")
    results = Axe().run(tab)
    assert results.violations_count == 0, results.generate_report()
    tab.emulate_media(media="print")
    expect(tab.locator("#team-filters")).to_be_hidden()
    expect(tab.locator("#team-table")).to_be_visible()
    tab.screenshot(path=artifacts / "team-print-390.png")
    tab.set_viewport_size({"width": 1366, "height": 900})
    expect(tab.locator("#team-table thead")).to_be_visible()
    tab.screenshot(path=artifacts / "team-print.png")


@pytest.mark.parametrize(
    ("link", "each_row", "word"),
    [("#count-band-high", ".band-chip", "high"), ("#count-referral-urgent", "td[data-label='Referral']", "urgent")],
)
def test_a_summary_count_is_a_link_to_exactly_the_runners_it_counts(tab, link, each_row, word):
    expected = count(tab, link)
    assert word in tab.locator(link).inner_text().lower()
    tab.locator(link).click()
    expect(tab.locator("#shown-count")).to_contain_text(f"of {expected:,} runners")
    cells = tab.locator(f"#team-table tbody {each_row}").all_inner_texts()
    assert cells and all(word.lower() in cell.lower() for cell in cells), (word, cells[:5])


def test_the_change_filter_keeps_the_runners_up_a_band_the_summary_counted(tab):
    up = int(tab.locator("#count-up").inner_text().split()[0].replace(",", ""))
    tab.get_by_label("Changed since previous").select_option("up")
    tab.get_by_role("button", name="Show these runners").click()
    expect(tab.locator("#shown-count")).to_contain_text(f"of {up:,} runners")
    changes = tab.locator("#team-table tbody td[data-label='Change']").all_inner_texts()
    assert changes and all(change.startswith("▲ up a band") for change in changes)


def test_the_export_holds_the_runners_shown(tab, tmp_path):
    tab.get_by_label("Runner code contains").fill("runner-0012")
    tab.get_by_label("Band", exact=True).select_option("high")
    tab.get_by_role("button", name="Show these runners").click()
    expect(tab.locator("#shown-count")).to_contain_text("Showing 1")
    shown = tab.locator("#team-table tbody tr th").all_inner_texts()
    with tab.expect_download() as download:
        tab.locator("#download-csv").click()
    path = tmp_path / "team.csv"
    download.value.save_as(path)
    with path.open(newline="") as opened:
        rows = list(csv.DictReader(opened))
    assert shown and [row["runner"] for row in rows] == shown
    assert {row["band"] for row in rows} == {"high"} and {row["referral"] for row in rows} == {"routine referral"}


def test_a_baseline_alert_shows_its_number_on_focus(tab):
    alert = tab.locator("#team-table .z-up").first
    tip = alert.locator(".z-tip")
    assert tip.bounding_box()["height"] <= 1
    alert.focus()
    expect(tip).to_contain_text("z +")
    assert tip.bounding_box()["height"] > 10
