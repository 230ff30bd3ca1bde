"""Ruleset 2.2.0 as every face shows it: the JSON API, the clinic form and note, the text note, `screen`,
the roster (results.csv, the report), the batch endpoint, FHIR and the CDS card.

The rules themselves are held by tests/cases (and their FHIR run); these hold
what each face says of them: the escalation line first, the symptomatic band
as such, the points and caps adding up, information rules as information,
words that do not overstate, a visit's own time, in km and in mi where a
distance is involved.
"""

import csv
import json
import re
from urllib.parse import unquote

import pytest
from bs4 import BeautifulSoup

from api import create_app
from api.commands import main
from api.commands.exits import EXIT_OK
from screening import default_screener
from screening.interop.cards import detail, indicator, summary
from screening.result.text_note import render
from screening.roster.run import screen_roster
from tests.support.intakes import healthy, with_changes
from tests.support.paths import ROOT

RULESET = default_screener().ruleset
EXAMPLE = ROOT / "examples" / "intake.json"
ESCALATION = "If you become breathless or have chest pain, call the emergency number now."


def _intake(**changes) -> dict:
    return with_changes(healthy(), {path.replace("__", "."): value for path, value in changes.items()})


DVT_WITH_MILD_SORENESS = _intake(red_flags__previous_dvt=True, wellness__soreness=1, wellness__soreness_days=1)
SYMPTOMATIC = _intake(wellness__soreness=9, wellness__soreness_days=8, training__latest_run=30)


@pytest.fixture
def client():
    return create_app({"TESTING": True, "STORE": "off", "CLINIC_TIMEZONE": "Europe/Oslo"}).test_client()


def _form_data(intake: dict) -> dict:
    data = {}
    for section in ("runner", "training", "wellness", "heel_raise", "red_flags", "ostrc_o2"):
        for name, value in (intake.get(section) or {}).items():
            if value is None:
                continue
            path = f"{section}.{name}"
            if path == "training.weekly_distance":
                data[path] = [str(v) for v in value]
            elif isinstance(value, bool):
                if value:
                    data[path] = "true"
                elif section != "red_flags":
                    data[path] = "no"
            else:
                data[path] = str(value)
    return data


def _note(client, data: dict) -> BeautifulSoup:
    token = BeautifulSoup(client.get("/").get_data(as_text=True), "html.parser").find("input", {"name": "csrf_token"})
    response = client.post("/screen", data={**data, "csrf_token": token["value"]})
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def _result_of(soup: BeautifulSoup) -> dict:
    return json.loads(unquote(soup.find(id="download-json")["href"].split(",", 1)[1]))


def test_the_text_note_says_the_escalation_line_first_and_what_calf_symptom_was_reported():
    result = default_screener().screen(DVT_WITH_MILD_SORENESS)
    note = render(result, RULESET, DVT_WITH_MILD_SORENESS)
    banner = note.split("\n\n", 1)[0]
    assert banner.splitlines()[1] == "!! " + ESCALATION.upper()
    assert banner.index(ESCALATION.upper()) < banner.index("URGENT")
    flat = " ".join(note.split())
    assert "a calf symptom: yes (reported: calf soreness 1/10)" in flat
    assert "no calf symptom" not in flat.lower()
    assert "Risk: SYMPTOMATIC: symptoms of a present injury" in flat


def test_the_text_note_lists_points_and_caps_that_add_up_and_information_rules_as_information():
    intake = _intake(
        runner__age=44,
        heel_raise__left=5,
        heel_raise__right=30,
        training__strength_sessions_per_week=0,
        wellness__soreness=3,
        wellness__soreness_days=2,
    )
    result = default_screener().screen(intake)
    assert result["risk"]["caps"], "the strength rules are capped here"
    note = " ".join(render(result, RULESET, intake).split())
    scored = note.split("Rules that added points", 1)[1].split("Rules that fired without points", 1)[0]
    listed = [int(points) for points in re.findall(r"\(([+-]\d+) points\)", scored)]
    cap = result["risk"]["caps"][0]
    assert (
        f"strength rules: {cap['points']} points, capped at {cap['counted']} ({cap['counted'] - cap['points']:+d})"
        in (scored)
    )
    assert sum(listed) - (cap["points"] - cap["counted"]) == result["risk"]["score"]
    assert f"= score {result['risk']['score']}" in scored
    unscored = note.split("Rules that fired without points (they refer, or are information)", 1)[1]
    assert "No strength training (information) [load.no_strength_training]" in unscored
    assert "Mild calf soreness (1-5 out of 10) (information)" in unscored
    assert "(+0 points)" not in note
    # Words that do not overstate.
    assert "read: 0 strength sessions a week" in note
    assert "sessions/week is at most" not in note
    assert "derived.heel_raise_reference.basis" not in note


def test_the_text_note_says_empty_red_flags_as_none_ticked_and_a_design_choice_cut_off_as_such():
    intake = _intake(wellness__fatigue=8)
    note = " ".join(render(default_screener().screen(intake), RULESET, intake).split())
    assert "Red flags ticked Red flags: none ticked" in note
    assert "None: -" not in note
    assert "cut-off 7 (wellness.fatigue_high): a design choice; the grades are the factor's" in note


def test_a_baseline_rule_is_said_in_standard_deviations_above_the_runners_own_baseline():
    from tests.support.histories import NOW_TEXT, history_of

    earlier = [{"days_ago": d, "fatigue": 2, "soreness": 0} for d in (3, 7, 14, 21)]
    intake = _intake(wellness__fatigue=8)
    result = default_screener().screen(intake, history=history_of(earlier), screened_at=NOW_TEXT)
    note = " ".join(render(result, RULESET, intake).split())
    assert "read: fatigue 6.0 SD above the runner's own baseline (at least 2 SD)" in note
    assert " z " not in note.split("Over time")[0]


def test_the_symptomatic_band_and_the_stop_running_advice_on_the_clinic_note(client):
    soup = _note(client, _form_data(SYMPTOMATIC))
    result = _result_of(soup)
    assert result["risk"]["band"] == "symptomatic"
    band = soup.find(id="risk-band")
    assert "band-symptomatic" in band["class"] and band.find(class_="band-word").get_text() == "SYMPTOMATIC"
    assert f"score's band ({result['risk']['score_band']}" in band.get_text()
    assert "Symptomatic because" in soup.find(id="symptomatic-because").get_text()
    recs = [li["id"] for li in soup.select("ol.recommendations > li")]
    assert "rec.stop_running_until_assessed" in recs and "rec.load_management" not in recs
    held = soup.find(id="rec.stop_running_until_assessed").find(class_="withholds").get_text()
    assert "rec.load_management" in held
    assert soup.find(id="urgent-banner") is None


def test_the_clinic_notes_urgent_banner_says_the_escalation_line_first(client):
    soup = _note(client, _form_data(DVT_WITH_MILD_SORENESS))
    banner = soup.find(id="urgent-banner")
    first = banner.find(True)
    assert first["id"] == "escalation" and first.get_text(strip=True) == ESCALATION


def test_the_clinic_note_lists_points_adding_up_and_says_per_rule_where_points_come_from(client):
    intake = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    soup = _note(client, {**_form_data(intake), "heel_raise.left": "14", "heel_raise.right": "26"})
    result = _result_of(soup)
    cells = [row.find("td", class_="num").get_text(strip=True) for row in soup.select("#scored-rules tbody tr")]
    caps = [row.find("td", class_="num").get_text(strip=True) for row in soup.select("#scored-rules .cap-row")]
    assert sum(int(c) for c in cells + caps) == result["risk"]["score"]
    footer = soup.find(id="points-from").get_text(" ", strip=True)
    assert "Points from effect sizes" in footer and RULESET.rule("history.age_40_plus").title in footer
    assert "design choice" in footer and RULESET.rule("wellness.fatigue_high").title in footer
    unscored = [row.find("td", class_="num").get_text(strip=True) for row in soup.select("#unscored-rules tbody tr")]
    assert unscored and set(unscored) <= {"information", "refers"}
    taper = soup.find(id="rule-history.calf_strain_recurrence_window").get_text(" ", strip=True)
    assert "37 at 8, tapering linearly to 5 at 19 (design choice); 31 here" in taper


@pytest.mark.parametrize("when, expected", [("2026-07-01T10:30", "2026-07-01T08:30:00Z"), ("", None)])
def test_the_form_takes_the_visits_date_and_time_in_the_clinics_zone(client, when, expected):
    soup = _note(client, {**_form_data(healthy()), "screened_at": when})
    result = _result_of(soup)
    if expected:
        assert result["screened_at"] == expected  # 10:30 in Oslo (summer time) is 08:30 UTC
        assert result["intake"]["screened_at"] == "2026-07-01T10:30:00+02:00"
    else:
        assert "screened_at" not in result["intake"] or result["intake"]["screened_at"] is None


def test_a_visit_time_the_form_cannot_take_is_an_error_beside_its_field(client):
    token = BeautifulSoup(client.get("/").get_data(as_text=True), "html.parser").find("input", {"name": "csrf_token"})
    for bad, message in (("not a date", "Enter the date and time"), ("2099-01-01T10:00", "future")):
        data = {**_form_data(healthy()), "screened_at": bad, "csrf_token": token["value"]}
        response = client.post("/screen", data=data)
        assert response.status_code == 422
        soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
        assert message in soup.find(id="f-screened-at-error").get_text()
        assert soup.find(id="f-screened-at")["value"] == bad


def test_the_form_labels_its_scales_with_the_bands_it_cites_and_asks_for_calf_pain(client):
    soup = BeautifulSoup(client.get("/").get_data(as_text=True), "html.parser")
    anchors = [span.get_text() for span in soup.select("#f-wellness-soreness ~ label .anchor, .scale .anchor")]
    assert {"mild 1-5", "moderate 6-7", "severe 8-10"} <= set(anchors)
    assert "5-moderate" not in " ".join(anchors)
    legend = soup.find("input", attrs={"name": "wellness.pain_while_running"}).find_parent("fieldset").legend
    assert legend.get_text().startswith("Calf pain while running")
    injury = soup.find("input", attrs={"name": "runner.previous_running_injury_12m"}).find_parent("fieldset").legend
    assert "not the calf strain" in injury.get_text()


def test_the_form_offers_corrections_only_when_it_keeps_history(tmp_path):
    storing = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path}/h.sqlite3"}).test_client()
    soup = BeautifulSoup(storing.get("/").get_data(as_text=True), "html.parser")
    assert soup.find(id="f-corrections-previous-dvt-in-error") is not None
    stateless = create_app({"TESTING": True, "STORE": "off"}).test_client()
    assert BeautifulSoup(stateless.get("/").get_data(as_text=True), "html.parser").find(id="s-corrections") is None


def test_the_cds_card_says_symptomatic_and_the_escalation_line_first():
    urgent = default_screener().screen(DVT_WITH_MILD_SORENESS)
    assert indicator(urgent) == "critical"
    assert detail(urgent).startswith(f"**{ESCALATION}**")
    symptomatic = default_screener().screen(SYMPTOMATIC)
    assert indicator(symptomatic) == "warning"
    assert "symptomatic" in summary(symptomatic) and len(summary(symptomatic)) < 140
    assert "(no points)" in detail(symptomatic) or "(+" in detail(symptomatic)


@pytest.mark.parametrize("unit, factor", [("km", 1.0), ("mi", 1 / 1.609344)])
def test_a_run_10_45_percent_longer_is_a_spike_on_every_face_in_km_and_mi(client, tmp_path, unit, factor):
    """Item 11 through the JSON API, the form, `screen` and the roster, entered in km and in mi."""
    intake = _intake(training__unit=unit, training__longest_run_30d=20 * factor, training__latest_run=22.09 * factor)
    api = create_app({"TESTING": True, "STORE": "off"}).test_client()
    answered = api.post("/v1/screenings", json=intake).get_json()
    assert "load.single_run_spike" in [e["rule"] for e in answered["explanation"]]
    noted = _result_of(_note(client, _form_data(intake)))
    assert "load.single_run_spike" in [e["rule"] for e in noted["explanation"]]
    path = tmp_path / "intake.json"
    path.write_text(json.dumps(intake))
    assert main(["screen", str(path), "--format", "text"]) == EXIT_OK
    roster = tmp_path / "roster.json"
    roster.write_text(json.dumps([intake]))
    screen_roster(roster, tmp_path / "out", workers=1)
    with open(tmp_path / "out" / "results.jsonl", encoding="utf-8") as handle:
        (line,) = handle.read().splitlines()
    assert "load.single_run_spike" in [e["rule"] for e in json.loads(line)["explanation"]]


def test_a_rosters_screened_at_column_gives_each_row_its_visit_time_and_the_band_symptomatic_in_results_csv(
    tmp_path,
):
    header = "runner.id,runner.age,training.weekly_distance,wellness.fatigue,wellness.soreness,"
    header += "wellness.soreness_days,heel_raise.left,heel_raise.right,screened_at"
    roster = tmp_path / "roster.csv"
    roster.write_text(
        header + "\nr-1,30,30;30,2,0,,30,30,2026-05-01T09:00:00+02:00\nr-2,30,30;30,2,9,8,30,30,\n", encoding="utf-8"
    )
    screen_roster(roster, tmp_path / "out", workers=1, screened_at="2026-06-01T08:00:00Z")
    with open(tmp_path / "out" / "results.jsonl", encoding="utf-8") as handle:
        results = [json.loads(line) for line in handle]
    assert [r["screened_at"] for r in results] == ["2026-05-01T07:00:00Z", "2026-06-01T08:00:00Z"]
    with open(tmp_path / "out" / "results.csv", encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["band"] for row in rows] == ["low", "symptomatic"]
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert 'class="card symptomatic"' in page and '<option value="3">symptomatic</option>' in page


def test_the_batch_endpoint_takes_each_items_screened_at(client):
    api = create_app({"TESTING": True, "STORE": "off"}).test_client()
    items = [
        {**healthy("b-1"), "screened_at": "2026-05-01T09:00:00Z"},
        healthy("b-2"),
        {**healthy("b-3"), "screened_at": "2099-01-01T00:00:00Z"},
    ]
    body = api.post("/v1/screenings/batch", json=items).get_json()
    assert body["results"][0]["result"]["screened_at"] == "2026-05-01T09:00:00Z"
    assert [error["row"] for error in body["errors"]] == [3]
    assert list(body["errors"][0]["errors"]) == ["screened_at"]


def test_the_ostrc_o2_rules_say_the_severity_and_an_adolescent_has_no_reference_in_words():
    intake = _intake(
        ostrc_o2={"participation": 3, "training_modification": 4, "performance": 4, "pain": 3}, runner__age=16
    )
    result = default_screener().screen(intake)
    note = " ".join(render(result, RULESET, intake).split())
    assert "could not take part in running because of the calf (OSTRC-O2): yes (OSTRC-O2 severity 100/100)" in note
    assert "OSTRC-O2 severity 100/100;" in note or note.count("OSTRC-O2 severity 100/100") >= 3
    assert "heel-raise reference: none (no reference under 18" in note


def test_the_rulebook_says_a_rules_points_once(client):
    page = BeautifulSoup(client.get("/rules/history.age_40_plus").get_data(as_text=True), "html.parser")
    points = page.find("dt", string="Points").find_next("dd").get_text(" ", strip=True)
    assert points.count("HR 1.93 (95% CI 1.38-2.71)") == 1
    assert points.endswith("round(ln 1.93 / ln B) = 9")


def test_the_roster_report_gives_each_runner_its_own_points_and_caps(tmp_path):
    intake = _intake(runner__prior_calf_strain_weeks_ago=12, heel_raise__left=5, heel_raise__right=30)
    roster = tmp_path / "roster.json"
    roster.write_text(json.dumps([intake]))
    screen_roster(roster, tmp_path / "out", workers=1)
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    records = json.loads(re.search(r'<script type="application/json" id="roster-data">(.*?)</script>', page, re.S)[1])
    (record,) = records
    result = default_screener().screen(intake)
    assert record[13] == [entry["points"] for entry in result["explanation"]]  # 25 for the taper, not 37
    assert 25 in record[13]
    assert record[14] == [[cap["group"], cap["points"], cap["counted"]] for cap in result["risk"]["caps"]]
    assert record[14] and record[14][0][0] == "strength"
