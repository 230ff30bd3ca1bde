"""Dotted text fields (CSV rows, form posts) follow the same rules as JSON."""

import pytest

from screening import IntakeError, default_screener
from screening.intake.flat import unflatten, validate_flat

ROW = {
    "runner.id": "club-0007",
    "runner.age": "44",
    "runner.sex": "female",
    "runner.prior_calf_strain_weeks_ago": "",
    "training.unit": "km",
    "training.weekly_distance": "38;40;41;55",
    "training.longest_run_30d": "18",
    "training.latest_run": "24",
    "wellness.fatigue": "7",
    "wellness.soreness": "5",
    "heel_raise.left": "14",
    "heel_raise.right": "26",
    "red_flags.calf_swelling": "no",
}


def test_a_row_of_text_becomes_the_typed_intake():
    intake = validate_flat(default_screener(), ROW)
    assert intake["runner"]["age"] == 44
    assert intake["runner"]["prior_calf_strain_weeks_ago"] is None
    assert intake["training"]["weekly_distance"] == [38, 40, 41, 55]
    assert intake["heel_raise"] == {"left": 14, "right": 26}
    assert intake["red_flags"]["calf_swelling"] is False


def test_flat_and_json_intakes_give_the_same_screening():
    screener = default_screener()
    from_text = screener.screen_valid(validate_flat(screener, ROW), screening_id="x", screened_at="t")
    payload, errors = unflatten(ROW)
    assert errors == {}
    from_json = screener.screen(payload, screening_id="x", screened_at="t")
    assert from_text == from_json


@pytest.mark.parametrize("text", ["", "null", "not tested", "NT"])
def test_an_empty_heel_raise_cell_means_not_tested(text):
    intake = validate_flat(default_screener(), {**ROW, "heel_raise.left": text})
    assert intake["heel_raise"]["left"] is None


@pytest.mark.parametrize(
    "text, value",
    [
        ("yes", True),
        ("TRUE", True),
        ("1", True),
        ("on", True),
        ("no", False),
        ("false", False),
        ("0", False),
        ("off", False),
    ],
)
def test_boolean_words_are_read(text, value):
    intake = validate_flat(default_screener(), {**ROW, "red_flags.previous_dvt": text})
    assert intake["red_flags"]["previous_dvt"] is value


def test_form_posts_weeks_as_separate_values_and_blank_weeks_are_skipped():
    intake = validate_flat(default_screener(), {**ROW, "training.weekly_distance": ["38", "", "41", " "]})
    assert intake["training"]["weekly_distance"] == [38, 41]


@pytest.mark.parametrize(
    "field, text, path, message",
    [
        ("runner.age", "forty", "runner.age", "Expected a number"),
        ("heel_raise.left", "7.5", "heel_raise.left", "whole number"),
        ("heel_raise.left", "1e400", "heel_raise.left", "finite"),
        ("training.weekly_distance", "38;x;41", "training.weekly_distance.1", "Expected a number"),
        ("red_flags.calf_swelling", "maybe", "red_flags.calf_swelling", "true or false"),
        ("runner.age", "", "runner.age", "Missing data"),
    ],
)
def test_text_of_the_wrong_kind_is_reported_once_by_path(field, text, path, message):
    with pytest.raises(IntakeError) as raised:
        validate_flat(default_screener(), {**ROW, field: text})
    errors = raised.value.errors
    assert list(errors) == [path]
    assert message in errors[path][0]


def test_an_unknown_column_is_an_error():
    with pytest.raises(IntakeError) as raised:
        validate_flat(default_screener(), {**ROW, "runner.name": "Jane"})
    assert "runner.name" in raised.value.errors


@pytest.mark.parametrize(
    "text, value",
    [("y", True), ("Y", True), (" Yes ", True), ("n", False), ("N", False), (" No ", False), ("OFF", False)],
)
def test_single_letters_and_padded_words_read_as_the_boolean_they_say(text, value):
    payload, errors = unflatten({"red_flags.previous_dvt": text})
    assert errors == {}
    assert payload["red_flags"]["previous_dvt"] is value


@pytest.mark.parametrize("text", ["maybe", "t", "f", "2", "nope"])
def test_other_words_for_a_boolean_are_an_error_naming_the_field(text):
    payload, errors = unflatten({"red_flags.previous_dvt": text})
    assert "previous_dvt" not in payload.get("red_flags", {})
    assert errors == {"red_flags.previous_dvt": [f"Expected true or false (yes/no, 1/0), got {text!r}."]}
