"""The printable programme page of a stored screening: for the signed-in person of its team or a key with
history:read, never another team's, every read audited; the note links to it and draws the heel-raise trend."""

import pytest
from bs4 import BeautifulSoup

from api.operations.store_binding import database_of
from screening.history import audit_trail
from tests.api.access.test_access_signin import sign_in
from tests.support.credentials import access_app, account, bearer, key
from tests.support.intakes import healthy


def _stored(client, token: str, runner_id: str, **heel) -> dict:
    intake = healthy(runner_id)
    intake["heel_raise"] = heel or {"left": 14, "right": 28}
    response = client.post("/v1/screenings", json=intake, headers=bearer(token))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


@pytest.fixture
def world(tmp_path):
    app = access_app(tmp_path)
    client = app.test_client()
    a_key, b_key = key(app, "club-a", "screen,history:read"), key(app, "club-b", "screen,history:read")
    account(app, "coach@club-a.example", "coach", "club-a")
    return {
        "app": app,
        "client": client,
        "a": _stored(client, a_key, "a-runner"),
        "b": _stored(client, b_key, "b-runner-secret"),
        "a_key": a_key,
    }


def _page(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def test_the_signed_in_coach_of_the_team_gets_the_page_with_every_exercises_drawing(world):
    client = world["client"]
    sign_in(client, "coach@club-a.example")
    response = client.get(f"/screenings/{world['a']['screening_id']}/programme")
    assert response.status_code == 200
    page = _page(response)
    programme = world["a"]["programme"]
    assert page.find(id="programme-why").get_text(strip=True) == programme["reason"]
    figures = page.select("figure.exercise")
    assert [f["id"] for f in figures] == [f"exercise-{r['id']}" for r in programme["exercises"] if r["legs"] == "both"]
    for figure in figures:
        svg = figure.find("svg")
        assert svg is not None and svg["role"] == "img" and svg["aria-label"]
    assert len(page.select("table.dose tbody tr")) == len(programme["exercises"])
    assert len(page.select("table.log tbody tr")) == 4  # a 4-week tick-box log
    assert "default-src" in response.headers["Content-Security-Policy"]


def test_another_teams_screening_is_not_found_and_says_nothing_of_it(world):
    client = world["client"]
    sign_in(client, "coach@club-a.example")
    response = client.get(f"/screenings/{world['b']['screening_id']}/programme")
    assert response.status_code == 404
    assert "b-runner-secret" not in response.get_data(as_text=True)


def test_nobody_signed_in_is_sent_to_sign_in(world):
    response = world["client"].get(f"/screenings/{world['a']['screening_id']}/programme")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")


def test_a_key_with_history_read_gets_the_same_page_and_each_read_is_audited(world):
    client = world["client"]
    response = client.get(f"/v1/screenings/{world['a']['screening_id']}/programme", headers=bearer(world["a_key"]))
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert _page(response).find(id="programme-why").get_text(strip=True) == world["a"]["programme"]["reason"]
    sign_in(client, "coach@club-a.example")
    client.get(f"/screenings/{world['a']['screening_id']}/programme")
    with world["app"].app_context():
        found = list(audit_trail.every(database_of(world["app"]).engine, audit_trail.Filters(action="read_screening")))
    reads = [e for e in found if e.action == "read_screening" and e.screening_id == world["a"]["screening_id"]]
    assert [(e.outcome, e.runner_id) for e in reads] == [("ok", "a-runner"), ("ok", "a-runner")]
