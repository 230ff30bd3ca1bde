"""The roster report opens on its summary: band counts, referrals, the search on the first screen; each count a link."""

import csv

import pytest

from tests.screening.roster.test_roster_report_history import stored_report  # noqa: F401 (a stored run's report)
from tests.support.rosters import screened_synthetic

ROWS = 3000
FIRST_SCREEN = {"width": 1366, "height": 768}


@pytest.fixture(scope="module")
def roster(tmp_path_factory):
    """A 3,000-row synthetic roster (many urgent referrals) screened into a report, with its results."""
    folder = tmp_path_factory.mktemp("roster3k")
    return screened_synthetic(folder, ROWS, seed=5, invalid_rate=0.01)


@pytest.fixture
def report(browser, roster):
    path, _ = roster
    context = browser.new_context(viewport=FIRST_SCREEN)
    context.set_default_timeout(15_000)
    tab = context.new_page()
    tab.goto(path.as_uri())
    tab.wait_for_selector("#list details.runner")
    yield tab
    context.close()


def _followed(page, select: str) -> None:
    """Wait until the link's filter is set: the page follows a link's #filter-... on hashchange, a task of its own."""
    page.wait_for_function(f"() => document.getElementById({select!r}).value !== ''")


def _matching(page) -> int:
    page.evaluate("() => { const more = document.getElementById('more'); while (!more.hidden) more.click(); }")
    return page.locator("#list details.runner").count()


def test_the_first_screen_shows_the_title_band_counts_referrals_and_the_search(report, roster, artifacts):
    _, results = roster
    assert sum(r["referral"]["urgency"] == "urgent" for r in results) > 20  # a long urgent table, below
    boxes = {
        name: report.locator(selector).bounding_box()
        for name, selector in {
            "title": "h1",
            "bands": "#bands .cards",
            "referrals": "#referrals",
            "search": "#find-q",
            "urgent": "#urgent h2",
        }.items()
    }
    for name in ("title", "bands", "referrals", "search"):
        assert boxes[name]["y"] + boxes[name]["height"] <= FIRST_SCREEN["height"], name
    assert boxes["title"]["y"] < boxes["bands"]["y"] < boxes["urgent"]["y"]
    assert boxes["search"]["y"] < boxes["urgent"]["y"]
    report.screenshot(path=str(artifacts / "roster-report-summary-1366.png"))


def test_the_search_in_the_summary_finds_a_runner_in_the_list(report, roster):
    _, results = roster
    wanted = results[len(results) // 3]["runner_id"]
    report.fill("#find-q", wanted)
    report.press("#find-q", "Enter")
    shown = report.eval_on_selector_all("#list details.runner .id", "els => els.map(e => e.textContent)")
    assert shown == [r["runner_id"] for r in results if wanted in r["runner_id"]]
    assert report.locator("#q").input_value() == wanted


@pytest.mark.parametrize("band", ["low", "moderate", "high", "symptomatic"])
def test_a_band_card_links_to_the_runners_of_that_band(report, roster, band):
    _, results = roster
    expected = sum(r["risk"]["band"] == band for r in results)
    link = report.locator(f"#bands .card.{band} a")
    assert link.text_content() == f"{expected:,}"
    link.click()
    _followed(report, "band")
    assert _matching(report) == expected
    assert report.locator("#band option:checked").text_content() == band


@pytest.mark.parametrize("urgency", ["urgent", "soon", "routine", None])
def test_a_referral_count_links_to_the_runners_of_that_urgency(report, roster, urgency):
    _, results = roster
    expected = sum(r["referral"]["urgency"] == urgency for r in results)
    row = report.locator("#referrals tbody tr").nth(["urgent", "soon", "routine", None].index(urgency))
    row.get_by_role("link").click()
    _followed(report, "urgency")
    assert _matching(report) == expected


def test_a_histogram_bar_links_to_the_runners_of_that_score_range(report, roster):
    _, results = roster
    bar = report.locator("#distribution svg a").first
    low, high = map(int, bar.get_attribute("href").removeprefix("#filter-score-").split("-"))
    bar.click()
    _followed(report, "score")
    assert _matching(report) == sum(low <= r["risk"]["score"] <= high for r in results) > 0


def test_the_jump_links_lead_to_each_part(report):
    targets = report.eval_on_selector_all("nav.jump a", "els => els.map(e => e.getAttribute('href'))")
    assert {"#bands", "#urgent", "#runners", "#find"} <= set(targets)
    for target in targets:
        assert report.locator(target).count() == 1


def test_a_stored_runs_summary_says_how_many_changed_and_links_to_them(browser, stored_report):  # noqa: F811
    page = browser.new_page()
    page.goto(stored_report.as_uri())
    line = page.locator("#changes")
    assert "1 up a band" in line.inner_text() and "1 down a band" in line.inner_text()
    assert "1 with a new referral" in line.inner_text()
    line.get_by_role("link", name="1 up a band: show them").click()
    _followed(page, "change")
    assert page.eval_on_selector_all("#list details.runner .id", "els => els.map(e => e.textContent)") == ["rises"]
    page.close()


def test_the_summary_passes_the_axe_core_rules(report):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(report)
    assert results.violations_count == 0, results.generate_report()


def _download(page) -> list[dict]:
    with page.expect_download() as info:
        page.locator("#download").click()
    assert info.value.suggested_filename == "runners.csv"
    with open(info.value.path(), encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_download_these_runners_gives_the_filtered_runners_in_words(report, roster):
    _, results = roster
    report.select_option("#band", label="high")
    report.select_option("#urgency", label="soon")
    expected = {
        r["runner_id"]: r for r in results if r["risk"]["band"] == "high" and r["referral"]["urgency"] == "soon"
    }
    rows = _download(report)
    assert expected and sorted(row["runner id"] for row in rows) == sorted(expected)
    for row in rows:
        result = expected[row["runner id"]]
        assert row["band"] == "high" and row["referral"] == "soon" and row["refer to"] == result["referral"]["to"]
        assert int(row["score"]) == result["risk"]["score"]
        assert "." not in row["why (rules that raised concern)"].split(";")[0][-1:]  # titles, not rule ids
        assert not any(entry["rule"] in row["why (rules that raised concern)"] for entry in result["explanation"])
    assert "2 of" not in report.locator("#download-note").text_content()
    assert f"{len(rows):,} runner" in report.locator("#download-note").text_content()
    assert "band high; referral soon" in report.locator("#download-note").text_content()


def test_download_says_what_was_not_assessed_in_words(report, roster):
    _, results = roster
    report.select_option("#na", "some")
    rows = _download(report)
    assert len(rows) == sum(bool(r["not_assessed"]) for r in results) > 0
    assert all(": needs " in row["not assessed (missing data)"] for row in rows)


def _pretend_to_print(page) -> None:
    page.evaluate("() => { window.printed = 0; window.print = () => { window.printed += 1; }; }")


def test_print_these_runners_prints_the_filtered_list_alone_every_one_drawn(report, roster):
    _, results = roster
    _pretend_to_print(report)
    report.select_option("#band", label="moderate")
    expected = sum(r["risk"]["band"] == "moderate" for r in results)
    assert expected > 100  # more than one drawn page
    report.locator("#print-these").click()
    assert report.evaluate("window.printed") == 1
    report.emulate_media(media="print")
    assert report.locator("#list details.runner").count() == expected
    for hidden in ("#bands", "#urgent", "#distribution", "#factors", "#invalid", "#controls", "nav.jump"):
        assert not report.locator(hidden).is_visible(), hidden
    assert report.locator("#runners h2").is_visible()
    note = report.locator("#print-note")
    assert note.is_visible() and note.text_content() == f"Printed: the {expected:,} runners that match (band moderate)."


def test_print_these_runners_says_first_how_many_will_print_when_more_match_than_a_print_draws(report, roster):
    _, results = roster
    _pretend_to_print(report)
    report.evaluate("document.getElementById('runners').setAttribute('data-print-max', '250')")
    asked = []

    def answer(dialog):
        asked.append(dialog.message)
        dialog.accept()

    report.on("dialog", answer)
    report.locator("#print-these").click()
    assert asked == [
        f"{len(results):,} runners match; 250 will print (runners 1-250). Narrow the filters to print the rest. Print?"
    ]
    assert report.evaluate("window.printed") == 1
    assert report.locator("#list details.runner").count() == 250
    assert report.locator("#print-note").text_content().startswith(f"Printed: runners 1-250 of the {len(results):,}")


def test_print_these_runners_prints_nothing_when_the_question_is_declined(report):
    _pretend_to_print(report)
    report.evaluate("document.getElementById('runners').setAttribute('data-print-max', '250')")
    report.on("dialog", lambda dialog: dialog.dismiss())
    report.locator("#print-these").click()
    assert report.evaluate("window.printed") == 0
