"""A 5,000-row roster report in headless Chromium: every runner reachable, sorted, filtered, searched, linked."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from screening.ruleset.model import REFERRAL_ORDER
from tests.support.rosters import screened_synthetic

ROWS = 5000


@pytest.fixture(scope="module")
def roster(tmp_path_factory):
    """A 5,000-row synthetic roster screened into a report, with its results as the truth to check against."""
    folder = tmp_path_factory.mktemp("roster5k")
    return screened_synthetic(folder, ROWS, seed=11, invalid_rate=0.01)


@pytest.fixture
def report(browser, roster):
    path, _ = roster
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    context.set_default_timeout(15_000)
    tab = context.new_page()
    tab.requested = []
    tab.on("request", lambda request: tab.requested.append(request.url))
    tab.goto(path.as_uri())
    yield tab
    context.close()


def _rows_shown(page) -> list[int]:
    return page.eval_on_selector_all("#list details.runner", "els => els.map(e => +e.id.slice(7))")


def _row_results(page, results) -> dict[int, dict]:
    rows = page.evaluate("JSON.parse(document.getElementById('roster-data').textContent).map(r => r[0])")
    assert len(rows) == len(results)
    return dict(zip(rows, results, strict=True))


def _show_everything(page) -> None:
    """Press "Show more runners" until it goes (in the page: scrolling also draws more, which moves the button)."""
    page.evaluate("() => { const more = document.getElementById('more'); while (!more.hidden) more.click(); }")


def test_every_screened_runner_can_be_reached_in_the_list(report, roster):
    _, results = roster
    assert len(results) > ROWS * 0.95
    _show_everything(report)
    ids = report.eval_on_selector_all("#list details.runner .id", "els => els.map(e => e.textContent)")
    assert sorted(ids) == sorted(result["runner_id"] for result in results)
    assert report.requested == [report.url]


def test_the_default_order_is_urgency_then_score(report, roster):
    _, results = roster
    by_row = _row_results(report, results)
    rank = REFERRAL_ORDER.index
    keys = [
        (rank(by_row[row]["referral"]["urgency"] or "none"), by_row[row]["risk"]["score"])
        for row in _rows_shown(report)
    ]
    assert len(keys) == 100
    assert keys == sorted(keys, reverse=True)
    top = max((rank(r["referral"]["urgency"] or "none"), r["risk"]["score"]) for r in results)
    assert keys[0] == top


def test_sorting_by_score_lowest_first_reorders_the_list(report, roster):
    _, results = roster
    by_row = _row_results(report, results)
    report.select_option("#sort", "score-asc")
    scores = [by_row[row]["risk"]["score"] for row in _rows_shown(report)]
    assert scores == sorted(scores)
    assert scores[0] == min(result["risk"]["score"] for result in results)


def _stage(result: dict) -> str:
    programme = result["programme"]
    return "withheld" if programme["status"] == "withheld" else f"stage {programme['stage']['number']}"


@pytest.mark.parametrize("stage", ["stage 1", "stage 2", "stage 3", "stage 4", "withheld"])
def test_the_programme_filter_shows_exactly_the_runners_of_that_stage_for_a_group_session(report, roster, stage):
    _, results = roster
    by_row = _row_results(report, results)
    report.select_option("#stage", label=stage)
    _show_everything(report)
    expected = {row for row, r in by_row.items() if _stage(r) == stage}
    assert set(_rows_shown(report)) == expected and expected
    first = report.locator("#list details.runner summary .programme").first
    assert first.text_content() == f"programme: {stage}"
    report.locator("#reset").click()
    link = report.locator("#programme-stages").get_by_role("link", name=re.compile(f"runners at {stage}:"))
    assert link.text_content() == f"{len(expected):,}"
    link.click()
    report.wait_for_function("() => document.getElementById('stage').value !== ''")  # followed on hashchange
    _show_everything(report)
    assert set(_rows_shown(report)) == expected


def test_filters_by_band_rule_referral_and_not_assessed_show_exactly_the_matching_runners(report, roster):
    _, results = roster
    by_row = _row_results(report, results)
    report.select_option("#band", label="high")
    report.select_option("#urgency", label="soon")
    expected = {row for row, r in by_row.items() if r["risk"]["band"] == "high" and r["referral"]["urgency"] == "soon"}
    _show_everything(report)
    assert set(_rows_shown(report)) == expected and expected

    report.locator("#reset").click()
    report.select_option("#rule", label="Latest run more than twice the longest run of the past 30 days")
    _show_everything(report)
    expected = {
        row for row, r in by_row.items() if any(e["rule"] == "load.single_run_spike_extreme" for e in r["explanation"])
    }
    assert set(_rows_shown(report)) == expected and expected
    assert f"{len(expected):,} of {len(results):,} runners match" in report.locator("#status").text_content()

    report.locator("#reset").click()
    report.select_option("#na", "some")
    _show_everything(report)
    expected = {row for row, r in by_row.items() if r["not_assessed"]}
    assert set(_rows_shown(report)) == expected and expected


def test_searching_a_runner_id_finds_that_runner(report, roster):
    _, results = roster
    wanted = results[len(results) // 2]["runner_id"]
    report.fill("#q", wanted)
    shown = report.eval_on_selector_all("#list details.runner .id", "els => els.map(e => e.textContent)")
    assert shown == [r["runner_id"] for r in results if wanted in r["runner_id"]]


def test_an_urgent_runners_link_opens_that_runner_with_its_red_flag(report, roster):
    _, results = roster
    link = report.locator("#urgent table a").last
    row = int(link.get_attribute("href").removeprefix("#runner-"))
    link.click()
    runner = report.locator(f"#runner-{row}")
    assert runner.get_attribute("open") is not None
    assert runner.locator("table.rules").is_visible()
    assert runner.locator("summary .badge.urgent").is_visible()
    assert report.evaluate(f"document.getElementById('runner-{row}').getBoundingClientRect().top") < 900


def test_a_factor_count_links_to_the_runners_with_that_factor(report, roster):
    _, results = roster
    link = report.locator("#factors table a").first
    count = int(link.text_content().replace(",", ""))
    link.click()
    report.wait_for_function("() => document.getElementById('rule').value !== ''")  # followed on hashchange
    _show_everything(report)
    assert len(_rows_shown(report)) == count


def test_a_runner_far_down_the_list_opens_from_its_address(report, roster):
    _, results = roster
    by_row = _row_results(report, results)
    last = max(by_row)
    report.evaluate(f"location.hash = 'runner-{last}'")
    report.wait_for_selector(f"#runner-{last}[open] table.rules, #runner-{last}[open] .body p")
    assert report.locator(f"#runner-{last} .id").text_content() == by_row[last]["runner_id"]


def test_expand_all_opens_every_runner_drawn_and_print_shows_every_matching_runner(report, roster, artifacts):
    _, results = roster
    report.select_option("#band", label="high")
    report.locator("#expand").click()
    assert report.locator("#list details.runner:not([open])").count() == 0
    high = sum(r["risk"]["band"] == "high" for r in results)
    report.emulate_media(media="print")
    report.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert report.locator("#list details.runner").count() == high
    assert report.locator("#print-note").is_visible()
    assert not report.locator("#controls").is_visible()
    report.pdf(path=str(artifacts / "roster-report-print.pdf"), format="A4")


def test_the_report_fits_a_phone_screen_without_sideways_scrolling(report, artifacts):
    report.set_viewport_size({"width": 390, "height": 844})
    report.locator("#list details.runner summary").first.click()
    report.locator("#urgent").scroll_into_view_if_needed()
    assert report.evaluate("document.documentElement.scrollWidth") <= 390
    report.screenshot(path=str(artifacts / "roster-report-phone.png"), full_page=False)


def test_the_report_passes_the_axe_core_accessibility_rules(report, artifacts):
    report.locator("#list details.runner summary").first.click()
    report.screenshot(path=str(artifacts / "roster-report.png"), full_page=False)
    results = Axe().run(report)
    assert results.violations_count == 0, results.generate_report()
