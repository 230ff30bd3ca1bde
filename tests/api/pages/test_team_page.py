"""The team page /teams/<team> and its CSV export (in process, access control on): summary first, each count a
link that filters, the rows in words, the baseline alerts, and only for the people signed in to that team."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from bs4 import BeautifulSoup

from api.operations.store_binding import store
from tests.api.access.test_access_signin import sign_in
from tests.support.credentials import access_app, account
from tests.support.intakes import healthy
from tests.support.team_rows import club, screen_and_store


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@pytest.fixture
def app(tmp_path):
    made = access_app(tmp_path)
    account(made, "cole@club.example", "coach", "club-a")
    now = _now()
    with made.app_context():
        club(store(), now)
        for days in (25, 20, 15, 10, 5):  # a baseline of fatigue 2, then 9: well above it
            screen_and_store(store(), healthy("tired-1"), "club-a", now - timedelta(days=days))
        tired = healthy("tired-1")
        tired["wellness"]["fatigue"] = 9
        screen_and_store(store(), tired, "club-a", now - timedelta(hours=1))
    return made


@pytest.fixture
def coach(app):
    client = app.test_client()
    assert sign_in(client, "cole@club.example", "correct horse battery").status_code == 302
    return client


def page(client, url: str, status: int = 200) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def shown(soup: BeautifulSoup) -> list[str]:
    return [row["data-runner"] for row in soup.select("#team-table tbody tr")]


def test_a_coach_lands_on_their_teams_page_and_sees_the_summary_before_the_runners(coach):
    assert coach.get("/teams").headers["Location"] == "/teams/club-a"
    soup = page(coach, "/teams/club-a")
    headings = [h2.get_text() for h2 in soup.find_all("h2")]
    assert headings.index("Summary") < headings.index("Runners")
    assert soup.select_one("#count-band-high .count").get_text() == "1"
    assert soup.select_one("#count-referral-urgent .count").get_text() == "1"
    assert soup.select_one("#summary-changes").get_text(" ", strip=True).startswith("1 runner up a band and 1 new")
    assert soup.select_one("#count-stale").get_text() == "1 runner not screened for more than 4 weeks"
    assert shown(soup) == ["down-1", "same-1", "stale-1", "tired-1", "up-1", "urgent-1"]


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        ("#count-band-high", ["up-1"]),
        ("#count-band-symptomatic", ["urgent-1"]),
        ("#count-referral-routine", ["up-1"]),
        ("#count-referral-none", ["down-1", "same-1", "stale-1", "tired-1"]),
        ("#count-up", ["up-1"]),
        ("#count-new-referrals", ["up-1"]),
        ("#count-stale", ["stale-1"]),
    ],
)
def test_each_summary_count_is_a_link_to_the_runners_it_counts(coach, count, expected):
    link = page(coach, "/teams/club-a").select_one(count)
    filtered = page(coach, link["href"])
    assert shown(filtered) == expected
    assert filtered.select_one("#shown-count").get_text().startswith(f"Showing 1–{len(expected)} of {len(expected)}")


def test_a_row_says_the_change_and_referral_in_words_with_an_arrow(coach):
    soup = page(coach, "/teams/club-a?q=up-1")
    row = soup.select_one("tr[data-runner='up-1']")
    assert "▲ up a band (was low), new routine referral (+55 points)" in row.get_text(" ", strip=True)
    assert row.select_one(".referral-routine").get_text() == "routine referral"


def test_a_fatigue_well_above_the_runners_baseline_is_an_up_arrow_with_its_number_on_focus(coach):
    row = page(coach, "/teams/club-a?q=tired").select_one("tr[data-runner='tired-1']")
    fatigue = row.select_one("td[data-label='Fatigue'] .z")
    assert "z-up" in fatigue["class"] and fatigue["tabindex"] == "0"
    assert fatigue.get_text(" ", strip=True).startswith("▲ well above")
    tip = fatigue.select_one(".z-tip").get_text()
    assert tip.startswith("fatigue: z +") and "SD above their own baseline" in tip
    assert "not assessed" in page(coach, "/teams/club-a?q=stale").select_one("td[data-label='Fatigue']").get_text()


def test_the_csv_export_holds_the_runners_shown_in_words(coach):
    soup = page(coach, "/teams/club-a?referral=any")
    response = coach.get(soup.select_one("#download-csv")["href"])
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="team-club-a-runners.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [row["runner"] for row in rows] == shown(soup) == ["up-1", "urgent-1"]
    assert {row["referral"] for row in rows} == {"routine referral", "urgent referral"}
    assert rows[1]["change since previous"] == "first screening"


def test_a_filter_it_cannot_take_is_said_on_the_page_naming_it(coach):
    soup = page(coach, "/teams/club-a?band=red", status=422)
    assert "band" in soup.select_one("#error-summary").get_text() and "Expected one of" in soup.get_text()


def test_another_teams_page_is_refused_and_audited(coach):
    soup = page(coach, "/teams/club-b", status=403)
    assert soup.select_one("#team-message").get_text() == "You can read the teams club-a only."
    assert coach.get("/teams/club-b/runners.csv").status_code == 403


def test_the_page_needs_a_sign_in(app):
    response = app.test_client().get("/teams/club-a")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_the_page_and_its_csv_say_each_runners_programme_stage_as_the_programme_says_it(coach):
    soup = page(coach, "/teams/club-a")
    cells = {
        row["data-runner"]: row.select_one("td[data-label='Programme stage']").get_text(strip=True)
        for row in soup.select("#team-table tbody tr")
    }
    # urgent-1's swollen calf refers urgently: withheld; the others' latest screening prescribes a stage.
    assert cells["urgent-1"] == "withheld"
    assert all(
        cells[runner].startswith("stage ") and "_" not in cells[runner] for runner in cells if runner != "urgent-1"
    )
    rows = list(csv.DictReader(io.StringIO(coach.get("/teams/club-a/runners.csv").get_data(as_text=True))))
    stage_column = [name for name in rows[0] if "stage" in name]
    assert stage_column and {row["runner"]: row[stage_column[0]] for row in rows} == cells
