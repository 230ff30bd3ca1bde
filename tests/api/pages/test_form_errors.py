"""An invalid intake form comes back with each error beside its input and nothing typed lost."""

import json

import pytest
from bs4 import BeautifulSoup

from tests.support.intakes import as_form
from tests.support.paths import ROOT

EXAMPLE = json.loads((ROOT / "examples" / "intake.json").read_text(encoding="utf-8"))

# The example intake as the form posts it (12 week boxes, 4 filled), with a red flag ticked.
VALID = {
    **as_form(EXAMPLE),
    "runner.id": "clinic-0002",
    "training.weekly_distance": as_form(EXAMPLE)["training.weekly_distance"] + [""] * 8,
    "red_flags.long_travel_past_8_weeks": "true",
}


def submit(client, changes: dict) -> tuple[int, BeautifulSoup]:
    soup = BeautifulSoup(client.get("/").get_data(as_text=True), "html.parser")
    data = {**VALID, **changes, "csrf_token": soup.find("input", {"name": "csrf_token"})["value"]}
    response = client.post("/screen", data={k: v for k, v in data.items() if v is not None})
    return response.status_code, BeautifulSoup(response.get_data(as_text=True), "html.parser")


def shown_values(soup: BeautifulSoup) -> dict:
    """What the re-rendered form holds, in the shape it was posted."""
    values: dict = {"training.weekly_distance": []}
    for element in soup.select("#intake-form input, #intake-form select"):
        name, kind = element.get("name"), element.get("type")
        if name == "csrf_token":
            continue
        if element.name == "select":
            chosen = element.find("option", selected=True)
            values[name] = chosen["value"] if chosen else ""
        elif kind in ("radio", "checkbox"):
            if element.has_attr("checked"):
                values[name] = element["value"]
        elif name == "training.weekly_distance":
            values[name].append(element["value"])
        else:
            values[name] = element["value"]
    return {name: value for name, value in values.items() if value != ""}


def as_posted(data: dict) -> dict:
    """What `shown_values` must find after posting `data`: every value typed, twelve week boxes."""
    expected = {name: value for name, value in data.items() if value not in ("", None)}
    weeks = list(data["training.weekly_distance"])
    expected["training.weekly_distance"] = weeks + [""] * (12 - len(weeks))
    return expected


def error_beside(soup: BeautifulSoup, input_id: str) -> str:
    """The error message tied to an input, checked to sit in the same field as the input."""
    element = soup.find(id=input_id)
    message = soup.find(id=f"{input_id}-error")
    assert message is not None, f"no error message for #{input_id}"
    assert f"{input_id}-error" in element["aria-describedby"].split()
    assert element["aria-invalid"] == "true"
    field = element.find_parent(class_="field-error")
    assert field is not None and message in field.find_all(class_="error-message")
    return message.get_text(" ", strip=True)


CASES = [
    # (what was typed, the input that must show the error, words the message must contain)
    ({"runner.age": "7"}, "f-runner-age", "Enter a number from 12 to 100."),
    ({"runner.age": "forty"}, "f-runner-age", "Expected a number"),
    ({"runner.age": "44.5"}, "f-runner-age", "whole number"),
    ({"runner.id": "Jane Smith"}, "f-runner-id", "never a name"),
    ({"runner.id": ""}, "f-runner-id", "Required"),
    ({"training.longest_run_30d": "-3"}, "f-training-longest-run-30d", "Enter 0 or more."),
    ({"training.latest_run": "401"}, "f-training-latest-run", "at most 400 km"),
    (
        {"training.strength_sessions_per_week": "15"},
        "f-training-strength-sessions-per-week",
        "Enter a number from 0 to 14.",
    ),
    ({"wellness.soreness_days": "a week"}, "f-wellness-soreness-days", "Expected a number"),
    ({"heel_raise.left": "12.5"}, "f-heel-raise-left", "whole number"),
    ({"heel_raise.right": ""}, "f-heel-raise-right", "tick 'Not tested'"),
    ({"not_tested.left": "yes"}, "f-heel-raise-left", "not both"),
    # weeks: the core counts filled weeks only; the message must land on the box typed in
    ({"training.weekly_distance": ["38", "40", "4O", "55"]}, "f-training-weekly-distance-2", "Expected a number"),
    ({"training.weekly_distance": ["", "", "38", "900"]}, "f-training-weekly-distance-3", "at most 400 km"),
    ({"training.weekly_distance": ["38", "", "41"]}, "f-training-weekly-distance-1", "enter 0"),
    (
        {"training.unit": "mi", "training.weekly_distance": ["38", "250"]},
        "f-training-weekly-distance-1",
        "at most 248.5 mi",
    ),
]


@pytest.mark.parametrize("changes, input_id, words", CASES)
def test_invalid_value_is_reported_beside_its_input_and_every_value_is_kept(client, changes, input_id, words):
    status, soup = submit(client, changes)
    assert status == 422
    assert soup.find(id="risk-band") is None
    assert words in error_beside(soup, input_id)
    summary = soup.find(id="error-summary")
    assert summary["role"] == "alert"
    assert summary.find("a", href=f"#{input_id}") is not None
    assert shown_values(soup) == as_posted({**VALID, **changes})


def test_values_come_back_exactly_as_typed_and_escaped(client):
    typed = {"runner.id": ' <b>"x"</b> ', "runner.age": " 44 ", "training.latest_run": "1e400"}
    _, soup = submit(client, typed)
    shown = shown_values(soup)
    assert [shown[name] for name in typed] == list(typed.values())
    assert soup.find("b") is None  # kept as text, never as markup


def test_every_error_is_listed_in_form_order_with_a_link_to_its_input(client):
    changes = {
        "heel_raise.right": "",
        "runner.age": "7",
        "training.weekly_distance": ["38", "x"],
        "wellness.fatigue": None,
    }
    _, soup = submit(client, changes)
    links = [a["href"] for a in soup.select("#error-summary a")]
    assert links == ["#f-runner-age", "#f-training-weekly-distance-1", "#f-wellness-fatigue", "#f-heel-raise-right"]
    assert all(soup.find(id=href[1:]) is not None for href in links)


def test_an_empty_section_names_each_required_input(client):
    _, soup = submit(
        client, {"runner.id": None, "runner.age": None, "runner.sex": None, "runner.prior_calf_strain_weeks_ago": None}
    )
    assert "Required" in error_beside(soup, "f-runner-id")
    assert "Required" in error_beside(soup, "f-runner-age")


def test_a_missing_scale_answer_is_reported_on_its_group(client):
    _, soup = submit(client, {"wellness.soreness": None})
    group = soup.find(id="f-wellness-soreness").find_parent("fieldset")
    assert "f-wellness-soreness-error" in group["aria-describedby"].split()
    assert "Required" in soup.find(id="f-wellness-soreness-error").get_text()


def test_no_weeks_at_all_is_reported_on_the_weekly_distance_group(client):
    _, soup = submit(client, {"training.weekly_distance": [""] * 12})
    group = soup.find(id="f-training-weekly-distance-0").find_parent("fieldset")
    assert "f-training-weekly-distance-error" in group["aria-describedby"].split()
    assert soup.select_one("#error-summary a")["href"] == "#f-training-weekly-distance-0"


def test_page_title_says_there_is_an_error(client):
    _, soup = submit(client, {"runner.age": "7"})
    assert soup.title.get_text().startswith("Error:")
    assert soup.find(id="error-summary").has_attr("autofocus")


@pytest.mark.parametrize("suffix", ["x", "", "1e3", "\u00b2", "-1"])
def test_a_posted_week_field_with_a_non_numeric_index_shows_the_form_again(client, suffix):
    status, soup = submit(client, {f"training.weekly_distance.{suffix}": "5"})
    assert status == 422
    summary = soup.get_text(" ")
    assert f"training.weekly_distance.{suffix}" in summary
    assert "Unknown field" in summary
