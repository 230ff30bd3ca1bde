"""The clinical note and the rulebook in headless Chromium: Back keeps values, phones, print, axe-core."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.test_browser_form import EXAMPLE, fill_intake, submit


def test_back_from_the_result_keeps_every_value_typed(page):
    fill_intake(page, EXAMPLE, flags=["Calf swelling"])
    page.get_by_label("Miles (mi)").check()
    page.get_by_label(re.compile("^Screened by")).fill("Physio A")
    submit(page)
    expect(page.locator("#risk-band")).to_be_visible()
    page.go_back()
    page.wait_for_load_state()
    expect(page.locator("#f-runner-id")).to_have_value(EXAMPLE["runner_id"])
    expect(page.locator("#f-runner-age")).to_have_value(EXAMPLE["age"])
    expect(page.locator("#f-runner-sex")).to_have_value(EXAMPLE["sex"])
    for index, distance in enumerate(EXAMPLE["weeks"]):
        expect(page.locator(f"#f-training-weekly-distance-{index}")).to_have_value(distance)
    expect(page.get_by_label("Miles (mi)")).to_be_checked()
    expect(page.locator("[data-unit]").first).to_have_text("mi")
    expect(page.locator(f"#f-wellness-fatigue-{EXAMPLE['fatigue']}")).to_be_checked()
    expect(page.locator(f"#f-wellness-pain-while-running-{EXAMPLE['pain']}")).to_be_checked()
    expect(page.locator("#f-heel-raise-left")).to_have_value(EXAMPLE["left"])
    expect(page.get_by_label("Calf swelling")).to_be_checked()
    expect(page.get_by_label(re.compile("^Screened by"))).to_have_value("Physio A")


def test_screen_another_runner_forgets_the_values_kept_for_back(page):
    fill_intake(page, EXAMPLE)
    submit(page)
    assert page.evaluate("sessionStorage.length") == 1
    page.get_by_role("link", name="Screen another runner").click()
    page.wait_for_load_state()
    expect(page.locator("#f-runner-id")).to_have_value("")
    assert page.evaluate("sessionStorage.length") == 0


def _overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


@pytest.mark.parametrize("where", ["result", "rulebook", "form"])
def test_a_phone_screen_needs_no_sideways_scrolling(page, artifacts, where):
    page.set_viewport_size({"width": 390, "height": 844})
    if where == "result":
        fill_intake(page, EXAMPLE, flags=["Calf swelling"])
        submit(page)
        # Stacked rows: each cell a line, never a word split over lines.
        cell = page.locator("table.explanation tbody tr").first.locator("td").first
        assert cell.bounding_box()["width"] > 300
    elif where == "form":
        page.goto("/")  # the 0-10 scales wrap; their hidden radio inputs must wrap with them
    else:
        page.goto("/rules")
    assert _overflow(page) <= 0
    page.screenshot(path=artifacts / f"{where}-phone.png", full_page=True)


def test_the_note_on_screen_and_in_print_shows_the_runner_on_every_page(page, artifacts):
    fill_intake(page, EXAMPLE)
    page.get_by_label(re.compile("^Screened by")).fill("Physio A")
    submit(page)
    expect(page.locator("section.entered")).to_contain_text("Fatigue (0-10)")
    expect(page.locator(".print-head")).to_be_hidden()
    page.screenshot(path=artifacts / "note-screen.png", full_page=True)
    page.emulate_media(media="print")
    head = page.locator(".print-head")
    expect(head).to_be_visible()
    expect(head).to_contain_text(f"Runner {EXAMPLE['runner_id']}")
    assert page.evaluate("getComputedStyle(document.querySelector('.print-head')).position") == "fixed"
    page.screenshot(path=artifacts / "note-print.png", full_page=True)
    pdf = page.pdf(path=artifacts / "note-print.pdf", format="A4", print_background=True)
    assert 1 <= len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf)) <= 3


def test_each_explanation_entry_links_to_its_rule_in_the_rulebook(page):
    fill_intake(page, EXAMPLE)
    submit(page)
    link = page.locator("table.explanation tbody tr").first.locator("a.rule-id")
    rule_id = link.inner_text()
    link.click()
    page.wait_for_load_state()
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator(".rule-id-line code")).to_have_text(rule_id)


@pytest.mark.parametrize("path", ["/rules", "/rules/load.single_run_spike", "result"])
def test_new_pages_pass_the_axe_core_accessibility_rules(page, artifacts, path):
    if path == "result":
        fill_intake(page, EXAMPLE, flags=["Calf swelling"])
        submit(page)
    else:
        page.goto(path)
        if path == "/rules":
            page.screenshot(path=artifacts / "rulebook.png", full_page=False)
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
