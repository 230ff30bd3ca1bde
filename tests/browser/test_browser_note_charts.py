"""The note's drawings in headless Chromium: the risk scale's labels and the dated trend, on a phone and in print."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_browser_form import EXAMPLE, HEALTHY, fill_intake, submit

PHONE = {"width": 390, "height": 844}
SEVEN_PT = 7 * 96 / 72  # CSS px

# The rendered size of every text of a drawing: its computed font size times the SVG's scale on the page.
RENDERED_SIZES = """(selector) => [...document.querySelectorAll(selector + ' text')].map(t => ({
    text: t.textContent, px: parseFloat(getComputedStyle(t).fontSize) * t.ownerSVGElement.getScreenCTM().a,
    visible: t.getBoundingClientRect().width > 0}))"""


def _screen(page, runner_id: str, dates: list[str], last: dict = EXAMPLE) -> None:
    for index, when in enumerate(dates):
        runner = {**(last if index == len(dates) - 1 else HEALTHY), "runner_id": runner_id}
        fill_intake(page, runner)
        page.locator("#f-screened-at").fill(when)
        submit(page)


def _overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


@pytest.mark.parametrize("media", ["phone", "print"])
def test_the_scale_labels_are_at_least_7_pt_in_print_and_on_a_phone_with_band_names_on_the_segments(
    page, artifacts, media
):
    _screen(page, f"scale-{media}", ["2026-07-01T10:30"])
    if media == "phone":
        page.set_viewport_size(PHONE)
    else:
        page.emulate_media(media="print")
    sizes = page.evaluate(RENDERED_SIZES, "#risk-scale svg")
    assert sizes and all(size["visible"] for size in sizes)
    small = [size for size in sizes if size["px"] < (SEVEN_PT if media == "print" else 11)]
    assert not small, small
    names = page.locator("#risk-scale svg text.band-name")
    expect(names).to_have_text(["low", "moderate", "high"])
    page.locator("#risk-scale").screenshot(path=artifacts / f"note-scale-{media}.png")
    assert _overflow(page) <= 0
