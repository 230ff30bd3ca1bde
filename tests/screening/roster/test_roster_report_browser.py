"""The report in headless Chromium: works offline, runners expand, and the printed page fits its width."""

import os
from pathlib import Path

import pytest

from screening.roster.run import screen_roster
from tests.support.paths import ROOT

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
EXAMPLE = ROOT / "examples" / "roster.csv"
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report")
    screen_roster(EXAMPLE, out, workers=1)
    return out / "report.html"


@pytest.fixture(scope="module")
def browser():
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(f"Chromium not found at {CHROMIUM}: run scripts/install-browser", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--headless=new", "--no-sandbox", "--disable-gpu"]
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, report):
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    page.requested = []
    page.on("request", lambda request: page.requested.append(request.url))
    page.goto(report.as_uri())
    yield page
    page.close()


def test_the_report_loads_nothing_but_itself(page, report):
    assert page.requested == [report.as_uri()]


def test_opening_a_runner_shows_the_rules_that_fired(page):
    from playwright.sync_api import expect

    runner = page.locator("details.runner").first
    rules = runner.locator("table.rules")
    assert not rules.is_visible()
    runner.locator("summary").click()
    # Waits for the opened details to be drawn: right after the click, a loaded machine may not have yet
    # (this failed once in a full run with the cores busy).
    expect(rules).to_be_visible(timeout=5000)
    assert rules.locator("tbody tr").count() >= 1


def test_the_printed_report_hides_screen_hints_and_fits_an_a4_page_width(page):
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    page.emulate_media(media="print")
    assert not page.locator("#controls").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    assert page.pdf(format="A4").startswith(b"%PDF")
