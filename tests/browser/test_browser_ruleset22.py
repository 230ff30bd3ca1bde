"""Ruleset 2.2.0's pages in headless Chromium, at 390 px and 1280 px and in print, with axe-core.

The visit's date and time field, the soreness scale labels, the corrections,
a fact on record beside its field, the symptomatic band, the urgent banner's
escalation line and the points-and-caps listing: each must fit a phone
without sideways scrolling, print, and pass axe-core.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.test_browser_form import EXAMPLE, choose, fill_intake, submit

WIDTHS = {"phone": 390, "desktop": 1280}
ESCALATION = "If you become breathless or have chest pain, call the emergency number now."


def _overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def _check(page, artifacts, name: str, width: str) -> None:
    assert _overflow(page) <= 0, f"{name} scrolls sideways at {width}"
    page.screenshot(path=artifacts / f"r22-{name}-{width}.png", full_page=True)
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_form_with_its_visit_time_scales_and_a_fact_on_record(page, artifacts, width):
    page.set_viewport_size({"width": WIDTHS[width], "height": 900})
    fill_intake(page, {**EXAMPLE, "runner_id": f"r22-form-{width}"}, flags=["Has had a blood clot in a leg"])
    submit(page)
    page.goto(f"/?runner_id=r22-form-{width}")
    expect(page.locator("#f-red-flags-previous-dvt-record")).to_contain_text("On record since")
    expect(page.locator("#f-runner-prior-calf-strain-weeks-ago-record")).to_contain_text("On record: a calf strain on")
    expect(page.locator("#f-screened-at")).to_have_attribute("type", "datetime-local")
    soreness = page.get_by_role("group", name="Calf soreness")
    for words in ("mild 1-5", "moderate 6-7", "severe 8-10"):
        expect(soreness).to_contain_text(words)
    expect(page.locator("#s-corrections")).to_be_visible()
    _check(page, artifacts, "form", width)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_urgent_note_says_the_escalation_line_first_and_prints(page, artifacts, width):
    page.set_viewport_size({"width": WIDTHS[width], "height": 900})
    runner = {**EXAMPLE, "runner_id": f"r22-urgent-{width}", "soreness": "1"}
    fill_intake(page, runner, flags=["Has had a blood clot in a leg"])
    page.locator("#f-screened-at").fill("2026-07-01T10:30")
    submit(page)
    banner = page.locator("#urgent-banner")
    expect(banner.locator("#escalation")).to_have_text(ESCALATION)
    first = banner.locator(":scope > *").first
    expect(first).to_have_id("escalation")
    expect(page.locator(".band-word")).to_have_text("SYMPTOMATIC")
    expect(page.locator("#scored-rules .total-row")).to_be_visible()
    _check(page, artifacts, "urgent", width)
    if width == "desktop":
        page.emulate_media(media="print")
        expect(banner.locator("#escalation")).to_be_visible()
        page.screenshot(path=artifacts / "r22-urgent-print.png", full_page=True)
        page.pdf(path=artifacts / "r22-urgent-print.pdf", format="A4", print_background=True)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_symptomatic_note_without_a_red_flag(page, artifacts, width):
    page.set_viewport_size({"width": WIDTHS[width], "height": 900})
    fill_intake(page, {**EXAMPLE, "runner_id": f"r22-symptomatic-{width}", "soreness": "9", "soreness_days": "9"})
    choose(page, "Calf pain while running", "7")
    submit(page)
    expect(page.locator("#urgent-banner")).to_have_count(0)
    band = page.locator("#risk-band")
    expect(band.locator(".band-word")).to_have_text("SYMPTOMATIC")
    expect(band).to_have_css("background-color", "rgb(122, 46, 0)")
    expect(page.locator("#rec\\.stop_running_until_assessed")).to_be_visible()
    _check(page, artifacts, "symptomatic", width)
