"""GET /rules and /rules/<id>: the rulebook as pages for clinicians, read from the loaded ruleset."""

import pytest
from bs4 import BeautifulSoup

from api import create_app
from screening import default_screener
from screening.result.conditions import condition_in_general


@pytest.fixture(scope="module")
def client():
    return create_app({"TESTING": True}).test_client()


@pytest.fixture(scope="module")
def rulebook(client):
    response = client.get("/rules")
    assert response.status_code == 200 and response.mimetype == "text/html"
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def test_every_rule_is_on_the_rulebook_page_with_its_condition_points_referral_and_graded_evidence(rulebook):
    ruleset = default_screener().ruleset
    entries = rulebook.select("section.rule-entry")
    assert [entry["id"] for entry in entries] == [rule.id for rule in ruleset.rules]
    for entry, rule in zip(entries, ruleset.rules, strict=True):
        text = entry.get_text(" ", strip=True)
        assert rule.title in text
        assert condition_in_general(rule, ruleset) in text
        for name in rule.thresholds:
            assert ruleset.parameters[name].formatted() in text and ruleset.parameters[name].description in text
        if rule.effect:
            # The effect said once, then the arithmetic on it (the basis without the effect it opens with).
            assert text.count(rule.effect.describe()) >= 1
            assert rule.points_basis.removeprefix(f"{rule.effect.describe()}: ") in text
        else:
            assert rule.points_basis in text
        assert ("Referral none" in text) == (rule.referral == "none")
        for evidence in rule.evidence:
            assert evidence.citation in text and f"[grade {evidence.grade}]" in text


def test_the_rulebook_states_the_bands_and_links_the_json(rulebook):
    ruleset = default_screener().ruleset
    bands = [row.find("th").get_text(strip=True) for row in rulebook.select("table.bands-table tbody tr")]
    assert bands == [band.band for band in ruleset.bands]
    assert rulebook.find("a", href="/v1/rules") is not None


def test_one_rule_has_its_own_page_and_an_unknown_rule_is_not_found(client):
    rule = default_screener().ruleset.rules[0]
    soup = BeautifulSoup(client.get(f"/rules/{rule.id}").get_data(as_text=True), "html.parser")
    assert soup.find("h1").get_text(strip=True) == rule.title
    assert soup.find("a", href=f"/v1/rules/{rule.id}") is not None
    missing = client.get("/rules/no.such_rule")
    assert missing.status_code == 404 and missing.mimetype == "text/html"
    assert "has no rule" in missing.get_data(as_text=True) and 'href="/rules"' in missing.get_data(as_text=True)


def test_the_rulebook_pages_carry_the_protective_headers_and_load_nothing_from_elsewhere(client):
    response = client.get("/rules")
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    sources = [tag.get("src") or tag.get("href") for tag in soup.find_all(["script", "link"])]
    assert sources and all(source.startswith("/") or source.startswith("data:") for source in sources)


def test_the_docs_link_to_the_form_and_the_rulebook(client):
    soup = BeautifulSoup(client.get("/docs").get_data(as_text=True), "html.parser")
    assert soup.find("a", href="/rules") is not None and soup.find("a", href="/") is not None


def test_a_rule_page_does_not_link_to_itself_while_the_rulebook_links_every_rule_page():
    from api import create_app

    client = create_app().test_client()
    own = client.get("/rules/load.no_strength_training").get_data(as_text=True)
    assert 'href="/rules/load.no_strength_training"' not in own
    assert 'href="/rules/load.no_strength_training"' in client.get("/rules").get_data(as_text=True)
