"""The clinic form end to end in headless Chromium: fill, submit, read the result, print, download."""

import json
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from screening import default_screener
from tests.support.paths import ROOT

HEALTHY = {
    "runner_id": "clinic-0001",
    "age": "30",
    "sex": "male",
    "weeks": ["30", "32", "31", "33"],
    "longest": "14",
    "latest": "13",
    "strength": "2",
    "fatigue": "2",
    "soreness": "1",
    "left": "32",
    "right": "33",
}
# The contract's example runner (examples/intake.json): many rules fire, the longest note.
EXAMPLE = {
    "runner_id": "club-0042",
    "age": "44",
    "sex": "female",
    "prior": "10",
    "weeks": ["38", "40", "41", "55"],
    "longest": "18",
    "latest": "24",
    "strength": "0",
    "fatigue": "7",
    "soreness": "5",
    "soreness_days": "4",
    "pain": "3",
    "left": "14",
    "right": "26",
}
EXAMPLE_FILE = ROOT / "examples" / "intake.json"


def fill_intake(page, runner: dict, flags=()):
    """Fill the form the way a clinician would: by the labels on screen."""
    page.goto("/")
    page.get_by_label("Runner id").fill(runner["runner_id"])
    page.get_by_label(re.compile(r"^Age")).fill(runner["age"])
    page.get_by_label("Sex (for the reference norms)").select_option(runner["sex"])
    if "prior" in runner:
        page.get_by_label("Weeks since the last calf strain").fill(runner["prior"])
    for index, distance in enumerate(runner["weeks"]):
        page.locator(f"#f-training-weekly-distance-{index}").fill(distance)
    page.get_by_label("Longest single run").fill(runner["longest"])
    page.get_by_label("Latest (or next planned) single run").fill(runner["latest"])
    page.get_by_label("Strength sessions per week").fill(runner["strength"])
    choose(page, "Fatigue", runner["fatigue"])
    choose(page, "Calf soreness", runner["soreness"])
    if "pain" in runner:
        page.get_by_label("Days the calf soreness has lasted").fill(runner["soreness_days"])
        choose(page, "Pain while running", runner["pain"])
    page.get_by_label("Left leg: bent-knee heel raises").fill(runner["left"])
    page.get_by_label("Right leg: bent-knee heel raises").fill(runner["right"])
    for flag in flags:
        page.get_by_label(flag).check()


def choose(page, scale: str, number: str):
    """Tick a 0-10 scale's option, named by its number and any anchor word ("5 moderate")."""
    page.get_by_role("group", name=scale).get_by_label(re.compile(rf"^{number}( |$)")).check()


def submit(page):
    page.get_by_role("button", name="Screen this runner").click()
    page.wait_for_load_state()


def only_local_requests(page, base_url: str) -> list[str]:
    return [url for url in page.requested if not url.startswith((base_url, "data:"))]


def test_healthy_runner_gets_a_low_band(page, base_url, artifacts):
    fill_intake(page, HEALTHY)
    submit(page)
    band = page.locator("#risk-band")
    expect(band.locator(".band-word")).to_have_text("LOW")
    expect(band).to_have_css("background-color", "rgb(0, 112, 60)")  # green, beside the word
    expect(page.locator("#urgent-banner")).to_have_count(0)
    expect(page.locator("#referral")).to_contain_text("No referral needed")
    page.screenshot(path=artifacts / "result-low.png", full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the result as JSON").first.click()  # the top one (the end has one too)
    result = json.loads(download.value.path().read_text(encoding="utf-8"))
    assert (result["runner_id"], result["risk"]["band"]) == ("clinic-0001", "low")
    assert result["screening_id"] in page.locator(".meta").inner_text()
    assert only_local_requests(page, base_url) == []


def test_red_flag_runner_sees_the_urgent_banner_and_prints_at_most_three_pages(page, artifacts):
    fill_intake(page, EXAMPLE, flags=["Calf swelling", "Has had a blood clot in a leg"])
    submit(page)
    banner = page.get_by_role("alert")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("URGENT same-day medical referral: physician")
    expect(banner).to_contain_text("Calf swelling (possible deep vein thrombosis)")
    assert banner.bounding_box()["y"] < page.locator("#risk-band").bounding_box()["y"]
    intake = json.loads(EXAMPLE_FILE.read_text(encoding="utf-8"))
    intake["red_flags"].update(calf_swelling=True, previous_dvt=True)
    expected = default_screener().screen(intake)  # the same runner as JSON: the page must agree
    rows = page.locator("table.explanation tbody tr")
    expect(rows).to_have_count(len(expected["explanation"]))
    expect(page.locator(".band-word")).to_have_text(expected["risk"]["band"].upper())
    page.screenshot(path=artifacts / "result-urgent.png", full_page=True)

    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    for actions in page.locator(".result-actions").all():  # at the top and at the end
        expect(actions).to_be_hidden()
    expect(banner).to_be_visible()
    pdf = page.pdf(path=artifacts / "result-urgent.pdf", format="A4", print_background=True)
    pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))
    # Three pages at most: every rule with its points, the caps and the score, the rules without points
    # apart, what was entered and the runner's previous screenings.
    assert 1 <= pages <= 3, f"the printed note is {pages} pages"


def test_invalid_value_is_shown_beside_its_field_with_every_other_value_kept(page, artifacts):
    fill_intake(page, {**HEALTHY, "age": "7"}, flags=["Calf pain at rest or at night"])
    submit(page)
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()  # errors are announced: role=alert, and focus lands on them
    expect(summary).to_have_attribute("role", "alert")
    age = page.locator("#f-runner-age")
    field = page.locator(".field", has=age)
    expect(field.locator(".error-message")).to_contain_text("Enter a number from 12 to 100")
    expect(age).to_have_attribute("aria-invalid", "true")
    expect(age).to_have_value("7")
    expect(page.locator("#f-runner-id")).to_have_value("clinic-0001")
    expect(page.locator("#f-runner-sex")).to_have_value("male")
    for index, distance in enumerate(HEALTHY["weeks"]):
        expect(page.locator(f"#f-training-weekly-distance-{index}")).to_have_value(distance)
    expect(page.locator("#f-training-longest-run-30d")).to_have_value("14")
    expect(page.locator("#f-wellness-fatigue-2")).to_be_checked()
    expect(page.locator("#f-wellness-soreness-1")).to_be_checked()
    expect(page.locator("#f-heel-raise-right")).to_have_value("33")
    expect(page.get_by_label("Calf pain at rest or at night")).to_be_checked()
    page.screenshot(path=artifacts / "form-error.png", full_page=True)

    # Keyboard only: from the summary to the field, correct it, submit with Enter.
    page.keyboard.press("Tab")
    expect(summary.get_by_role("link")).to_be_focused()
    page.keyboard.press("Enter")
    expect(age).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("31")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.locator("#urgent-banner")).to_contain_text("Calf pain at rest or at night")


def test_choosing_miles_relabels_every_distance(page):
    page.goto("/")
    expect(page.locator("[data-unit]").first).to_have_text("km")
    page.get_by_label("Miles (mi)").check()
    for label in page.locator("[data-unit]").all():
        expect(label).to_have_text("mi")


@pytest.mark.parametrize("state", ["empty form", "form with errors", "urgent result"])
def test_pages_pass_the_axe_core_accessibility_rules(page, state):
    if state == "empty form":
        page.goto("/")
    else:
        runner = {**HEALTHY, "age": "7"} if state == "form with errors" else EXAMPLE
        fill_intake(page, runner, flags=["Calf swelling"])
        submit(page)
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
