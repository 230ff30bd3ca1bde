"""The clinic form pages through Flask's test client: the form, CSRF, the result page."""

import json
from urllib.parse import unquote

import pytest
from bs4 import BeautifulSoup

from api import create_app
from api.pages import form
from screening import default_screener
from screening.intake.flat import FIELD_KINDS
from screening.intake.schema import RED_FLAGS
from tests.support.intakes import as_form
from tests.support.paths import ROOT

HEALTHY = {
    "runner.id": "clinic-0001",
    "runner.age": "30",
    "runner.sex": "male",
    "training.unit": "km",
    "training.weekly_distance": ["30", "32", "31", "33"] + [""] * 8,
    "training.longest_run_30d": "14",
    "training.latest_run": "13",
    "training.strength_sessions_per_week": "2",
    "wellness.fatigue": "2",
    "wellness.soreness": "0",
    "heel_raise.left": "32",
    "heel_raise.right": "33",
}


def page(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def post(client, data: dict, token: bool = True):
    if token:
        data = {**data, "csrf_token": page(client.get("/")).find("input", {"name": "csrf_token"})["value"]}
    return client.post("/screen", data=data)


@pytest.mark.parametrize("path", sorted(FIELD_KINDS))
def test_intake_form_has_a_labelled_input_for_every_contract_field(client, path):
    soup = page(client.get("/"))
    inputs = soup.find_all(attrs={"name": path})
    assert inputs, f"no input named {path}"
    for element in inputs:
        labelled = soup.find("label", attrs={"for": element.get("id")}) is not None
        assert labelled, f"{path} input #{element.get('id')} has no <label for>"
    if path == "training.weekly_distance":
        labels = [soup.find("label", attrs={"for": i["id"]}).get_text(" ", strip=True) for i in inputs]
        assert len(inputs) == 12 and labels[0] == "Week 1 (oldest)" and labels[11] == "Week 12"


def test_intake_form_hints_never_to_enter_a_name(client):
    hint = page(client.get("/")).find(id="f-runner-id-hint")
    assert "Never enter a name" in hint.get_text()
    assert "f-runner-id-hint" in page(client.get("/")).find(id="f-runner-id")["aria-describedby"]


def test_intake_form_explains_the_bent_knee_heel_raise_test(client):
    text = page(client.get("/")).find(id="heel-raise-how-to").get_text(" ", strip=True)
    for step in ("knee bent", "10-degree incline", "60 beats per minute", "height, pace or knee angle"):
        assert step in text


@pytest.mark.parametrize("path", ["wellness.fatigue", "wellness.soreness", "wellness.pain_while_running"])
def test_scales_offer_0_to_10_with_words_at_both_ends(client, path):
    soup = page(client.get("/"))
    values = [radio["value"] for radio in soup.find_all("input", attrs={"name": path})]
    assert values[:11] == [str(n) for n in range(11)]
    first, last = (soup.find("label", attrs={"for": form.form_fields.field_id(path) + s}) for s in ("", "-10"))
    assert first.find(class_="anchor") and last.find(class_="anchor")


def test_pages_load_nothing_from_another_origin(client):
    response = client.get("/")
    soup = page(response)
    for tag in soup.find_all(["link", "script", "img", "iframe"]):
        url = tag.get("href") or tag.get("src") or ""
        assert url.startswith("/") or url.startswith("data:"), url
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    with client.get(soup.find("link", rel="stylesheet")["href"]) as stylesheet:
        assert stylesheet.status_code == 200


@pytest.mark.parametrize("token", [None, "forged-token"])
def test_form_post_without_a_valid_csrf_token_is_not_screened_and_keeps_values(client, token):
    client.get("/")  # a session exists; only the token is missing or wrong
    data = dict(HEALTHY, **({"csrf_token": token} if token else {}))
    response = client.post("/screen", data=data)
    soup = page(response)
    assert response.status_code == 400
    assert soup.find(id="risk-band") is None
    assert "not screened" in soup.find(id="error-summary").get_text()
    assert soup.find(id="f-runner-id")["value"] == "clinic-0001"
    assert soup.find(id="f-training-weekly-distance-3")["value"] == "33"


def test_healthy_runner_is_shown_a_low_band_as_a_word(client):
    soup = page(post(client, HEALTHY))
    band = soup.find(id="risk-band")
    assert "band-low" in band["class"]
    assert band.find(class_="band-word").get_text() == "LOW"
    assert soup.find(id="urgent-banner") is None


SIGNS = [f for f in RED_FLAGS if default_screener().ruleset.inputs[f"red_flags.{f}"].kind == "sign"]
RISK_FACTORS = [f for f in RED_FLAGS if f not in SIGNS]


@pytest.mark.parametrize("flag", RISK_FACTORS)
def test_a_dvt_risk_factor_alone_shows_safety_net_advice_and_no_urgent_banner(client, flag):
    soup = page(post(client, {**HEALTHY, f"red_flags.{flag}": "true"}))
    assert soup.find(id="urgent-banner") is None
    assert "same day" in soup.get_text()


@pytest.mark.parametrize("flag", SIGNS)
def test_any_red_flag_sign_shows_the_urgent_referral_banner(client, flag):
    soup = page(post(client, {**HEALTHY, f"red_flags.{flag}": "true"}))
    banner = soup.find(id="urgent-banner")
    assert banner is not None and banner["role"] == "alert"
    assert "URGENT" in banner.get_text() and "physician" in banner.get_text()
    # the banner comes before the band, so nobody reads a "low" band first
    assert soup.find(id="risk-band") in banner.find_all_next()


def test_result_page_lists_every_fired_rule_with_what_it_read_points_and_grade(client):
    intake = json.loads((ROOT / "examples" / "intake.json").read_text(encoding="utf-8"))
    data = {
        **HEALTHY,
        **as_form(intake),
    }
    expected = default_screener().screen(intake)  # the same intake as JSON: the form must agree
    soup = page(post(client, data))
    rows = soup.select("table.explanation tbody tr")
    # Rules that added points first (they and the caps add up to the score), then those without points.
    listed = [e for e in expected["explanation"] if e["points"]] + [
        e for e in expected["explanation"] if not e["points"]
    ]
    assert [row["id"] for row in rows] == [f"rule-{e['rule']}" for e in listed]
    assert (
        sum(e["points"] for e in listed) - sum(c["points"] - c["counted"] for c in expected["risk"]["caps"])
        == (expected["risk"]["score"])
    )
    assert soup.select_one("#scored-rules .total-row td").get_text(strip=True) == str(expected["risk"]["score"])
    for row, entry in zip(rows, listed, strict=True):
        cells = row.find_all(["th", "td"])
        assert entry["title"] in cells[0].get_text()
        assert cells[0].find("a")["href"] == f"/rules/{entry['rule']}"
        # The condition in words with this runner's values, never the bare input ids.
        read = cells[1].get_text(" ", strip=True)
        assert not any(name in read for name in entry["inputs"] if "." in name)
        for name in default_screener().ruleset.rule(entry["rule"]).inputs:
            value = entry["inputs"][name]
            if isinstance(value, int) and not isinstance(value, bool):
                assert str(value) in read
        points = (
            f"{entry['points']:+d}" if entry["points"] else ("refers" if entry["referral"] != "none" else "information")
        )
        assert cells[2].get_text(strip=True) == points
        assert all(f"[{e['grade']}]" in cells[3].get_text() for e in entry["evidence"])
    spike = soup.find(id="rule-load.single_run_spike_large").find("td").get_text(" ", strip=True)
    assert (
        spike
        == "latest run 24 km is more than 1.30 x and at most 2.00 x the longest run of the past 30 days of 18 km (133%)"
    )
    assert soup.find(id="risk-band").find(class_="band-word").get_text() == expected["risk"]["band"].upper()
    recs = [li["id"] for li in soup.select("ol.recommendations > li")]
    assert recs == [rec["id"] for rec in expected["recommendations"]]


def test_result_page_shows_ruleset_version_disclaimer_and_referral(client):
    data = {**HEALTHY, "heel_raise.left": "20", "heel_raise.right": "30"}  # marked asymmetry refers
    soup = page(post(client, data))
    text = soup.get_text(" ", strip=True)
    ruleset = default_screener().ruleset
    assert f"version {ruleset.version}" in text and ruleset.disclaimer in text
    referral = soup.find(id="referral").get_text(" ", strip=True)
    assert "Routine to a physiotherapist" in referral
    title = ruleset.rule("strength.asymmetry_marked").title
    assert f"Because: {title}" in referral and "strength.asymmetry_marked" not in referral


def test_untested_legs_are_reported_not_assessed(client):
    data = {
        **HEALTHY,
        "heel_raise.left": "",
        "heel_raise.right": "",
        "not_tested.left": "yes",
        "not_tested.right": "yes",
    }
    soup = page(post(client, data))
    not_assessed = soup.select_one("ul.not-assessed").get_text()
    assert "strength.asymmetry_marked" in not_assessed and "both tested" in not_assessed


def test_download_link_holds_exactly_the_result_shown(client):
    soup = page(post(client, {**HEALTHY, "red_flags.calf_swelling": "true"}))
    link = soup.find(id="download-json")
    prefix = "data:application/json;charset=utf-8,"
    assert link["href"].startswith(prefix) and link["download"].endswith(".json")
    result = json.loads(unquote(link["href"][len(prefix) :]))
    assert result["screening_id"] in soup.find(class_="meta").get_text()
    assert result["referral"]["urgency"] == "urgent"
    # What was entered travels with the result: every value, as validated.
    assert result["intake"]["wellness"]["fatigue"] == int(HEALTHY["wellness.fatigue"])
    assert result["intake"]["runner"]["sex"] == HEALTHY["runner.sex"]
    assert result["intake"]["red_flags"]["calf_swelling"] is True
    assert result["risk"]["band"].upper() == soup.find(class_="band-word").get_text()


def test_miles_are_converted_and_reported_in_km(client):
    data = {**HEALTHY, "training.unit": "mi", "training.weekly_distance": ["10", "20"]}
    soup = page(post(client, data))
    derived = soup.select_one("ul.derived").get_text(" ", strip=True)
    assert "16.09, 32.19 km" in derived  # 1 mi = 1.609344 km; the core rounds km to 2 decimals
    assert "acute:chronic workload ratio: not computed" in derived  # needs 4 weeks
    entered = soup.select_one("section.entered").get_text(" ", strip=True)
    assert "Weeks 1-2, oldest first 10, 20 mi (16.1, 32.2 km)" in entered


def test_form_session_cookie_is_http_only_and_same_site(client):
    cookie = client.get("/").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_result_pages_are_not_cached(client):
    response = post(client, HEALTHY)
    assert response.headers["Cache-Control"] == "no-store"


def test_the_json_api_needs_no_csrf_token_while_the_form_does(client):
    intake = json.loads((ROOT / "examples" / "intake.json").read_text(encoding="utf-8"))
    assert client.post("/v1/screenings", json=intake).status_code == 200
    assert post(client, HEALTHY, token=False).status_code == 400


def test_opening_the_result_address_directly_leads_back_to_the_form(client):
    response = client.get("/screen")
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_a_form_opened_before_a_restart_still_screens_with_a_configured_secret_key(monkeypatch):
    monkeypatch.setenv("SOLEUS_SECRET_KEY", "clinic-secret-for-this-test")
    before, after = (create_app({"TESTING": True}).test_client() for _ in range(2))
    token = page(before.get("/")).find("input", {"name": "csrf_token"})["value"]
    cookie = before.get_cookie(before.application.config["SESSION_COOKIE_NAME"])
    after.set_cookie(cookie.key, cookie.value)
    soup = page(after.post("/screen", data={**HEALTHY, "csrf_token": token}))
    assert "band-low" in soup.find(id="risk-band")["class"]
