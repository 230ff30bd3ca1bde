"""The clinic note records what was entered, who screened, when (local time with its zone) and the scale."""

import json
import re
from urllib.parse import unquote

import pytest
from bs4 import BeautifulSoup

from api import create_app
from screening import default_screener

FULL = {
    "runner.id": "club-0042",
    "runner.age": "44",
    "runner.sex": "female",
    "runner.prior_calf_strain_weeks_ago": "10",
    "training.unit": "mi",
    "training.weekly_distance": ["20", "21", "22", "30"],
    "training.longest_run_30d": "11",
    "training.latest_run": "15",
    "training.strength_sessions_per_week": "3",
    "wellness.fatigue": "6",
    "wellness.soreness": "2",
    "wellness.soreness_days": "9",
    "wellness.pain_while_running": "1",
    "heel_raise.left": "21",
    "heel_raise.right": "24",
    "red_flags.long_travel_past_8_weeks": "true",
}


def _post(client, data):
    token = BeautifulSoup(client.get("/").get_data(as_text=True), "html.parser").find("input", {"name": "csrf_token"})
    response = client.post("/screen", data={**data, "csrf_token": token["value"]})
    assert response.status_code == 200
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


@pytest.fixture
def client():
    return create_app({"TESTING": True, "CLINIC_TIMEZONE": "Europe/Oslo"}).test_client()


def _entered(soup) -> dict[str, str]:
    rows = soup.select("section.entered tr")
    return {row.th.get_text(" ", strip=True): row.td.get_text(" ", strip=True) for row in rows}


def test_what_was_entered_shows_every_value_with_distances_in_the_entered_unit_and_in_km(client):
    entered = _entered(_post(client, FULL))
    assert entered["Runner id"] == "club-0042" and entered["Sex"] == "female" and entered["Age"] == "44 years"
    assert entered["Fatigue (0-10)"] == "6" and entered["Days the soreness has lasted"] == "9 days"
    assert entered["Strength sessions a week"] == "3"
    assert entered["Weeks 1-4, oldest first"] == "20, 21, 22, 30 mi (32.2, 33.8, 35.4, 48.3 km)"
    assert entered["Latest (or next planned) run"] == "15 mi (24.1 km)"
    assert entered["Left leg"] == "21 reps" and entered["Right leg"] == "24 reps"
    assert entered["Another running injury (not the calf strain) in the past 12 months"] == "not given"  # said
    ruleset = default_screener().ruleset
    assert entered[ruleset.inputs["red_flags.long_travel_past_8_weeks"].description] == "yes"


def test_an_untested_leg_is_entered_as_not_tested(client):
    data = {**FULL, "heel_raise.left": "", "not_tested.left": "yes"}
    assert _entered(_post(client, data))["Left leg"] == "not tested"


def test_the_note_names_who_screened_and_the_local_time_with_its_zone(client):
    soup = _post(client, {**FULL, "screened_by": "Physio A. Example"})
    meta = soup.find(class_="meta").get_text(" ", strip=True)
    assert "by Physio A. Example" in meta
    assert re.search(r"\d{1,2} \w+ \d{4}, \d\d:\d\d (CET \(UTC\+01:00\)|CEST \(UTC\+02:00\))", meta)
    assert "Physio A. Example" not in soup.find(id="download-json")["href"]  # not part of the result
    assert " by " not in _post(client, FULL).find(class_="meta").get_text(" ", strip=True)


def test_the_scale_marks_the_score_between_the_band_limits_of_the_result(client):
    soup = _post(client, FULL)
    score = int(re.search(r"score (\d+)", soup.find(id="risk-band").get_text()).group(1))
    svg = soup.select_one("#risk-scale svg")
    segments = svg.select("rect.segment")
    ruleset = default_screener().ruleset
    assert [s["class"][1] for s in segments] == [f"band-fill-{band.band}" for band in ruleset.bands]
    current = [s for s in segments if "current" in s["class"]]
    result = json.loads(unquote(soup.find(id="download-json")["href"].split(",", 1)[1]))
    band = soup.find(class_="band-word").get_text().lower()
    assert band == result["risk"]["band"]
    # The scale marks the score's own band, also for a symptomatic runner (a band the scale has no segment for).
    assert len(current) == 1 and current[0]["class"][1] == f"band-fill-{result['risk']['score_band']}"
    marker = float(svg.find("line", class_="marker")["x1"])
    start, width = float(current[0]["x"]), float(current[0]["width"])
    assert start <= marker <= start + width
    assert abs(marker - float(svg["viewbox"].split()[2]) * score / ruleset.score_max) < 0.1


def test_referral_reasons_and_recommendations_name_rules_by_title(client):
    soup = _post(client, {**FULL, "heel_raise.left": "12", "heel_raise.right": "26"})
    ruleset = default_screener().ruleset
    because = soup.find(id="referral").find(class_="because")
    links = because.find_all("a")
    assert links and all(ruleset.rule(a["href"].removeprefix("#rule-")).title == a.get_text() for a in links)
    for paragraph in soup.select("ol.recommendations .because"):
        for link in paragraph.find_all("a"):
            assert link.get_text() == ruleset.rule(link["href"].removeprefix("#rule-")).title


def test_what_a_rule_read_is_in_the_unit_entered_and_in_km(client):
    soup = _post(client, FULL)  # miles: latest 15, longest 11
    read = soup.find(id="rule-load.single_run_spike_large").find("td").get_text(" ", strip=True)
    assert read.startswith("latest run 15 mi (24.1 km) is more than 1.30 x")
    assert "the longest run of the past 30 days of 11 mi (17.7 km) (136%)" in read


def test_the_risk_multiples_caveat_stands_just_after_the_band_not_only_in_the_rulebook(client):
    soup = _post(
        client,
        {**FULL, "red_flags.long_travel_past_8_weeks": "", "wellness.soreness": "0", "wellness.soreness_days": ""},
    )
    caveat = soup.select_one("#multiple-caveat")
    assert caveat is not None and default_screener().ruleset.independence_note in caveat.get_text(" ", strip=True)
    assert caveat.find_previous("section")["class"] == ["summary"]  # right after the band and referral
    multiple = soup.select_one("#risk-band .band-score").get_text()
    assert caveat.get_text().startswith(f"About the {multiple.split('about ')[1].split('x')[0]}x:")


def test_print_and_the_json_download_are_at_the_top_of_the_note_too(client):
    soup = _post(client, FULL)
    top = soup.select_one(".result-actions-top")
    assert top.find_previous("h1") is not None and top.find_next("section")["class"] == ["summary"]
    assert top.select_one("[data-print]") is not None
    assert soup.select_one("#download-json-top")["href"] == soup.select_one("#download-json")["href"]
