"""The printed note read back from its PDF (Playwright's page.pdf, boxes by pdfminer.six): the running header
on every page stands clear of the page's text, on the 2- and 3-page notes."""

import re

import pytest
from pdfminer.high_level import extract_pages
from pdfminer.layout import LTTextLine

from tests.browser.test_browser_form import EXAMPLE, HEALTHY, fill_intake, submit

HEAD = re.compile(r"^Runner \S+ · soleus strain screening · .+$")


def _text_lines(item) -> list[tuple[tuple[float, float, float, float], str]]:
    """The text lines in a pdfminer layout item: (x0, y0, x1, y1) in PDF points, and the line's text."""
    if isinstance(item, LTTextLine):
        return [(item.bbox, item.get_text().strip())]
    if hasattr(item, "__iter__"):
        return [line for child in item for line in _text_lines(child)]
    return []


def _lines(pdf) -> list[list[tuple[tuple[float, float, float, float], str]]]:
    """Every page's text lines."""
    return [_text_lines(page) for page in extract_pages(pdf)]


def _intersect(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.parametrize(
    ("name", "screenings", "pages"),
    [
        ("two-pages", [HEALTHY, {**HEALTHY, "soreness": "5", "fatigue": "7"}], 2),
        ("three-pages", [HEALTHY, HEALTHY, EXAMPLE], 3),
    ],
)
def test_the_printed_running_header_never_overlaps_a_pages_text(page, artifacts, tmp_path, name, screenings, pages):
    for index, runner in enumerate(screenings):
        fill_intake(page, {**runner, "runner_id": f"print-{name}"})
        page.locator("#f-screened-at").fill(f"2026-0{index + 5}-04T09:00")
        submit(page)
    page.emulate_media(media="print")
    path = artifacts / f"note-print-{name}.pdf"
    page.pdf(path=path, format="A4", print_background=True)
    read = _lines(str(path))
    assert len(read) == pages
    for number, lines in enumerate(read, start=1):
        heads = [box for box, text in lines if HEAD.match(text)]
        assert len(heads) == 1, (number, [text for _, text in lines[:5]])
        clashes = [text for box, text in lines if box != heads[0] and _intersect(box, heads[0])]
        assert not clashes, f"page {number}: the header overlaps {clashes}"
