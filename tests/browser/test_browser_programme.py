"""The printable programme page and the note's Programme section in headless Chromium: one A4 page with every
exercise's drawing drawn, a phone at 390 px, axe-core clean; the note's heel-raise trend with a history."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from api import create_app
from tests.browser.test_browser_form import EXAMPLE, fill_intake, submit
from tests.support.intakes import healthy
from tests.support.launch import serving

STAGES = {  # heel raises (left, right) of a woman of 32 (reference 27) and the stage they give
    "stage_1": (10, 12),
    "stage_2": (15, 30),  # marked asymmetry too: the weaker leg's extra set
    "stage_3": (24, 24),
    "stage_4": (30, 30),  # two loaded exercises
}


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A server with a history store (access control off) and one stored screening per stage."""
    folder = tmp_path_factory.mktemp("programme")
    app = create_app({"DATABASE_URL": f"sqlite:///{folder}/history.sqlite3", "AUTH": "off"})
    client = app.test_client()
    stored = {}
    for stage, (left, right) in STAGES.items():
        intake = healthy(f"runner-{stage}")
        intake["heel_raise"] = {"left": left, "right": right}
        result = client.post("/v1/screenings", json=intake).get_json()
        assert result["programme"]["stage"]["id"] == stage
        stored[stage] = result
    with serving(app) as url:
        yield url, stored


@pytest.fixture
def tab(browser, served):
    base_url, _ = served
    context = browser.new_context(base_url=base_url, viewport={"width": 794, "height": 1123})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def _drawings_have_area(page) -> list[dict]:
    boxes = [svg.bounding_box() for svg in page.locator("figure.exercise svg").all()]
    assert boxes and all(box and box["width"] > 20 and box["height"] > 20 for box in boxes), boxes
    return boxes


@pytest.mark.parametrize("stage", list(STAGES))
def test_the_programme_prints_on_one_a4_page_with_every_drawing_drawn(tab, served, artifacts, stage):
    _, stored = served
    result = stored[stage]
    tab.goto(f"/screenings/{result['screening_id']}/programme")
    tab.emulate_media(media="print")
    expect(tab.locator("h1")).to_contain_text(f"stage {result['programme']['stage']['number']} of 4")
    shown = [row for row in result["programme"]["exercises"] if row["legs"] == "both"]
    assert tab.locator("figure.exercise").count() == len(shown)
    _drawings_have_area(tab)
    tab.screenshot(path=artifacts / f"programme-{stage}-print.png", full_page=True)
    pdf = tab.pdf(path=artifacts / f"programme-{stage}.pdf", format="A4", print_background=True)
    assert len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf)) == 1
    results = Axe().run(tab)
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize("stage", ["stage_2", "stage_4"])
def test_on_a_phone_the_programme_needs_no_sideways_scrolling_and_draws_every_exercise(tab, served, artifacts, stage):
    _, stored = served
    tab.set_viewport_size({"width": 390, "height": 844})
    tab.goto(f"/screenings/{stored[stage]['screening_id']}/programme")
    _drawings_have_area(tab)
    assert tab.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    tab.screenshot(path=artifacts / f"programme-{stage}-390.png", full_page=True)
    results = Axe().run(tab)
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize("width", [390, 1280])
def test_the_note_links_the_programme_and_draws_the_heel_raise_trend_with_a_history(tab, artifacts, width):
    tab.set_viewport_size({"width": width, "height": 900})
    runner = {**EXAMPLE, "runner_id": f"trend-{width}", "left": "12", "right": "20"}
    fill_intake(tab, runner)
    submit(tab)
    expect(tab.locator("#h-programme")).to_be_visible()
    expect(tab.locator("#heel-trend")).to_have_count(0)  # the first stored screening: nothing to draw yet
    fill_intake(tab, {**runner, "left": "18", "right": "21"})
    submit(tab)
    expect(tab.locator("#programme-change")).to_contain_text("left 12 -> 18 reps, right 20 -> 21 reps")
    box = tab.locator("#heel-trend").bounding_box()
    assert box and box["width"] > 100 and box["height"] > 50
    assert tab.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    tab.screenshot(path=artifacts / f"note-programme-{width}.png", full_page=True)
    results = Axe().run(tab)
    assert results.violations_count == 0, results.generate_report()
    tab.locator("#programme-link").click()
    tab.wait_for_load_state()
    expect(tab.locator("h1")).to_contain_text("Your calf programme")
    _drawings_have_area(tab)
