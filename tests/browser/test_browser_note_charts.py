"""The note's drawings in headless Chromium: the risk scale's labels and the dated trend, on a phone and in print."""

import pytest
from axe_playwright_python.sync_playwright import Axe
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


@pytest.mark.parametrize("earlier", [1, 3])
def test_the_trend_has_labelled_axes_dates_and_this_screening_marked_on_a_phone_and_in_print(page, artifacts, earlier):
    dates = ["2026-05-04T09:00", "2026-06-01T09:00", "2026-06-29T10:30", "2026-07-20T10:30"][-(earlier + 1) :]
    _screen(page, f"trend-{earlier}", dates)
    trend = page.locator("svg#trend")
    expect(trend.locator("#trend-score-axis")).to_contain_text("Score")
    expect(trend.locator("#trend-soreness-axis")).to_have_text("Calf soreness (0-10)")
    expect(trend.locator("#trend-date-axis")).to_have_text("Date of screening")
    expect(trend.locator("#trend-today")).to_have_count(1)
    expect(trend.locator(".current-label")).to_have_text("this screening")
    expect(trend.locator(".date-label.current")).to_have_text("2026-07-20")
    expect(trend.locator("circle.score-point")).to_have_count(earlier + 1)
    expect(trend.locator("text.band-name")).to_contain_text(["low", "moderate", "high"])
    expect(page.locator(".previous-table tbody tr")).to_have_count(earlier + 1)
    for media in ("phone", "print"):
        if media == "phone":
            page.set_viewport_size(PHONE)
        else:
            page.set_viewport_size({"width": 1366, "height": 900})
            page.emulate_media(media="print")
        expect(trend).to_be_visible()
        sizes = page.evaluate(RENDERED_SIZES, "svg#trend")
        small = [size for size in sizes if size["px"] < (SEVEN_PT if media == "print" else 11)]
        assert not small, (media, small)
        # No two date labels overlap and none is cut at the edge: dates do not wrap, they are thinned.
        boxes = page.evaluate(
            "() => { const svg = document.querySelector('svg#trend').getBoundingClientRect();"
            " return [...document.querySelectorAll('svg#trend .date-label')].map(t => {"
            " const b = t.getBoundingClientRect();"
            " return [b.left - svg.left, b.right - svg.left, b.height, svg.width]; }) }"
        )
        assert all(0 <= left and right <= width + 0.5 for left, right, _, width in boxes), boxes
        assert all(a[1] <= b[0] for a, b in zip(boxes, boxes[1:], strict=False)), boxes
        page.locator("section[aria-labelledby=h-previous]").screenshot(
            path=artifacts / f"note-trend-{earlier}-{media}.png"
        )
        if media == "phone":
            assert _overflow(page) <= 0
            results = Axe().run(page)
            assert results.violations_count == 0, results.generate_report()
