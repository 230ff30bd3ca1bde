"""The clinic form stores its screenings in the runner's history, and can start from the last one."""

import json
from urllib.parse import unquote

from bs4 import BeautifulSoup
from sqlalchemy.exc import OperationalError

from api import create_app
from screening.history.store import Store
from tests.api.pages.test_form_views import HEALTHY, page, post

# A runner with every kind of input the form has: miles, a decimal week, one leg not tested, red
# flags ticked and unticked, the OSTRC answers, yes/no choices, an optional scale left unrecorded.
VARIED = {
    "runner.id": "clinic-0077",
    "runner.age": "51",
    "runner.sex": "female",
    "runner.prior_calf_strain_weeks_ago": "30",
    "runner.previous_running_injury_12m": "yes",
    "training.unit": "mi",
    "training.weekly_distance": ["20", "21.5", "0", "24", "26"] + [""] * 7,
    "training.longest_run_30d": "9.25",
    "training.latest_run": "11",
    "training.strength_sessions_per_week": "1",
    "wellness.fatigue": "6",
    "wellness.soreness": "3",
    "wellness.soreness_days": "4",
    "wellness.exertional_pain_settles_with_rest": "no",
    "ostrc_o2.participation": "1",
    "ostrc_o2.training_modification": "2",
    "ostrc_o2.performance": "1",
    "ostrc_o2.pain": "2",
    "heel_raise.left": "18",
    "not_tested.right": "yes",
    "red_flags.long_travel_past_8_weeks": "true",
}


def download(soup) -> dict:
    """The result page's JSON download (the result as stored, with the intake under "intake")."""
    href = soup.find(id="download-json")["href"]
    return json.loads(unquote(href.split(",", 1)[1]))


def screened(client, data: dict) -> BeautifulSoup:
    response = post(client, data)
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    return page(response)


def form_fields(soup) -> dict:
    """What a browser posts for the intake form as the page fills it in (no one typing anything)."""
    fields: dict = {}
    form = soup.find(id="intake-form")
    for element in form.find_all(["input", "select"]):
        name = element.get("name")
        if not name or name == "csrf_token":
            continue
        if element.name == "select":
            chosen = element.find("option", selected=True) or element.find("option")
            fields[name] = chosen["value"]
        elif element.get("type") in ("radio", "checkbox"):
            if element.has_attr("checked"):
                fields[name] = element["value"]
        elif name == "training.weekly_distance":
            fields.setdefault(name, []).append(element.get("value", ""))
        else:
            fields[name] = element.get("value", "")
    return fields


def test_a_second_form_screening_of_a_runner_shows_the_first_as_previous_and_says_it_was_stored(client):
    first = download(screened(client, HEALTHY))
    second_page = screened(client, {**HEALTHY, "wellness.fatigue": "8"})
    second = download(second_page)
    assert first["stored"] is True and second["stored"] is True
    assert second["history"]["previous"]["screening_id"] == first["screening_id"]
    assert second["history"]["score_change"] == second["risk"]["score"] - first["risk"]["score"]
    assert "Stored in the runner's history" in second_page.find(id="stored-status").get_text()
    change = second_page.find(id="history-change").get_text(" ", strip=True)
    assert f"Since the previous screening ({first['screened_at'][:10]}, score {first['risk']['score']}" in change
    # Stored exactly as shown: the API gives the stored result back byte for byte.
    stored = client.get(f"/v1/screenings/{second['screening_id']}").get_json()
    assert stored == {key: value for key, value in second.items() if key != "intake"}


def test_a_form_screening_is_stored_under_its_team_and_kept_apart_from_the_same_id_without_one(client):
    team_result = download(screened(client, {**HEALTHY, "team": "clinic-a"}))
    listed = client.get(f"/v1/runners/{HEALTHY['runner.id']}/screenings?team=clinic-a").get_json()
    assert [item["screening_id"] for item in listed["screenings"]] == [team_result["screening_id"]]
    untagged = download(screened(client, HEALTHY))
    assert untagged["history"]["previous"] is None
    assert "(team clinic-a)" in screened(client, {**HEALTHY, "team": "clinic-a"}).find(id="stored-status").get_text()


def test_an_invalid_team_is_an_error_beside_its_input_and_nothing_is_screened(client):
    response = post(client, {**HEALTHY, "team": "a team with spaces"})
    assert response.status_code == 422
    soup = page(response)
    assert "club or clinic key" in soup.find(id="f-team-error").get_text()
    assert soup.find(id="f-team")["value"] == "a team with spaces"
    assert client.get(f"/v1/runners/{HEALTHY['runner.id']}/screenings").get_json()["screenings"] == []


def test_a_failed_store_write_shows_the_form_again_with_503_and_no_result(client, monkeypatch):
    def fail(self, screening, audit=None):
        raise OperationalError("INSERT INTO screenings", {}, Exception("disk I/O error"))

    monkeypatch.setattr(Store, "add", fail)
    response = post(client, HEALTHY)
    assert response.status_code == 503
    soup = page(response)
    assert "was not stored and no result is shown" in soup.find(id="error-summary").get_text()
    assert soup.find(id="download-json") is None and soup.find(id="stored-status") is None
    assert soup.find(id="f-runner-id")["value"] == HEALTHY["runner.id"]


def test_with_the_store_off_the_form_screens_as_before_and_says_nothing_was_stored():
    client = create_app({"TESTING": True, "STORE": "off"}).test_client()
    soup = screened(client, HEALTHY)
    assert "stored" not in download(soup) and "history" not in download(soup)
    assert "Not stored" in soup.find(id="stored-status").get_text()
    assert page(client.get("/")).find(id="lookup-form") is None


def test_the_form_filled_in_from_the_last_screening_posts_back_the_same_intake(client):
    screened(client, {**VARIED, "wellness.fatigue": "2"})  # an older screening: the newest one must be chosen
    last = download(screened(client, {**VARIED, "team": ""}))
    filled = page(client.get(f"/?runner_id={VARIED['runner.id']}"))
    assert "Filled in from the last stored screening" in filled.find(id="lookup-message").get_text()
    # The calf strain is on record as a date: the field is left empty, with the date beside it, not "30 weeks ago".
    assert filled.find(id="f-runner-prior-calf-strain-weeks-ago")["value"] == ""
    record = filled.find(id="f-runner-prior-calf-strain-weeks-ago-record").get_text()
    assert "On record: a calf strain on " in record and "30 weeks ago today" in record
    again = download(screened(client, form_fields(filled)))
    carried = {**last["intake"], "runner": {**last["intake"]["runner"], "prior_calf_strain_weeks_ago": None}}
    assert again["intake"] == carried
    assert again["history"]["previous"]["screening_id"] == last["screening_id"]
    # ... and the rules still read the strain, from its recorded date.
    strain = again["history"]["on_record"]["calf_strain"]
    assert strain is not None and strain["weeks_ago"] == 30 and strain["recorded_at"] == last["screened_at"]
    assert "history.calf_strain_earlier" in [entry["rule"] for entry in again["explanation"]]


def test_the_form_is_filled_in_from_the_runners_screening_in_the_team_asked_for(client):
    screened(client, {**HEALTHY, "team": "club-b", "runner.age": "61"})
    screened(client, {**HEALTHY, "runner.age": "25"})
    filled = page(client.get(f"/?runner_id={HEALTHY['runner.id']}&team=club-b"))
    assert filled.find(id="f-runner-age")["value"] == "61"
    assert filled.find(id="f-team")["value"] == "club-b"
    fields = form_fields(filled)
    assert download(screened(client, fields))["history"]["previous"] is not None


def test_an_unknown_runner_gives_the_empty_form_with_a_message(client):
    soup = page(client.get("/?runner_id=never-screened"))
    assert "No stored screening of runner never-screened" in soup.find(id="lookup-message").get_text()
    assert soup.find(id="f-runner-id")["value"] == ""
    assert soup.find(id="lookup-runner-id")["value"] == "never-screened"
    assert [box["value"] for box in soup.find_all("input", {"name": "training.weekly_distance"})] == [""] * 12


def test_a_previous_dvt_on_record_is_shown_dated_beside_its_box_and_left_unticked(client):
    screened(client, {**HEALTHY, "red_flags.previous_dvt": "true"})
    filled = page(client.get(f"/?runner_id={HEALTHY['runner.id']}"))
    box = filled.find(id="f-red-flags-previous-dvt")
    assert not box.has_attr("checked")  # unticked, yet on record: it is not restated as new
    record = filled.find(id="f-red-flags-previous-dvt-record").get_text()
    assert record.startswith("On record since ") and "entered in error" in record
    # Posting the form as filled in keeps the DVT on record: the rule still fires.
    again = download(screened(client, form_fields(filled)))
    assert "red_flags.previous_dvt" in [entry["rule"] for entry in again["explanation"]]
    assert again["history"]["on_record"]["previous_dvt"]["corrected"] is False


def test_what_changed_since_the_previous_screening_stands_beside_the_band_at_the_top(client):
    first = download(screened(client, HEALTHY))
    swollen = {**HEALTHY, "red_flags.calf_swelling": "true"}
    second_page = screened(client, swollen)
    box = second_page.find(id="since-last")
    assert box is not None and box.find_parent("section")["class"] == ["summary"]
    assert box.find("h3").get_text() == f"What changed since {first['screened_at'][:10]}"
    assert "new urgent referral" in box.get_text(" ", strip=True)
    assert box.find_next("h2", string="What was entered") is not None  # before what was entered
