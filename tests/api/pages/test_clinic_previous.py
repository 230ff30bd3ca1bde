"""The clinic result page shows the runner's previous stored screenings and their trend (inline SVG)."""

import copy

from bs4 import BeautifulSoup

from api import create_app
from screening.history import migrate
from screening.history.database import make_engine
from tests.api.pages.test_form_views import HEALTHY, post
from tests.support.history_rows import EXAMPLE


def test_the_result_page_lists_the_runners_stored_screenings_and_this_one_with_a_trend(database_url):
    migrate.upgrade(make_engine(database_url))
    client = create_app({"TESTING": True, "DATABASE_URL": database_url}).test_client()
    stored = []
    for soreness in (1, 6):
        intake = copy.deepcopy(EXAMPLE)
        intake["runner"]["id"] = HEALTHY["runner.id"]
        intake["wellness"]["soreness"] = soreness
        stored.append(client.post("/v1/screenings", json=intake).get_json())
    page = BeautifulSoup(post(client, HEALTHY).get_data(as_text=True), "html.parser")
    section = page.find("section", {"aria-labelledby": "h-previous"})
    rows = [[cell.get_text() for cell in row.find_all("td")] for row in section.find("tbody").find_all("tr")]
    assert rows[:2] == [
        [s["screened_at"][:10], str(s["risk"]["score"]), s["risk"]["band"], s["referral"]["urgency"] or "none", str(n)]
        for s, n in zip(stored, (1, 6), strict=True)
    ]
    assert rows[2][0].endswith("(this screening)") and len(rows) == 3
    lines = section.find("svg").find_all("polyline")
    assert [len(line["points"].split()) for line in lines] == [3, 3]  # score, soreness: two earlier and this one
    assert section.find("svg").select("#trend-today")
    assert f"score {stored[0]['risk']['score']}" in section.find("svg").find("title").get_text()


def test_a_runner_with_nothing_stored_is_said_to_have_no_earlier_screening(client):
    intake = {**HEALTHY, "runner.id": "clinic-never-stored"}
    section = BeautifulSoup(post(client, intake).get_data(as_text=True), "html.parser").find(
        "section", {"aria-labelledby": "h-previous"}
    )
    assert "No earlier screening of clinic-never-stored is stored." in section.get_text()
