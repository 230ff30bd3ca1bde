"""Field paths and a rule's needs in a coach's words, with the roster columns named beside."""

import pytest

from screening.result.field_words import field_words, needs_for_coach
from screening.service import default_screener

RULESET = default_screener().ruleset


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("training.weekly_distance.1", "week 2 of the weekly distances"),
        ("heel_raise.left", "left heel raises"),
        ("wellness.fatigue", "fatigue"),
        ("runner.id", "runner id"),
        ("_schema", "the intake as a whole"),
        ("no_such.field", "no_such.field"),  # never guessed: as it is
    ],
)
def test_a_field_path_is_said_in_words(path, words):
    assert field_words(path, RULESET) == words


def test_two_heel_raise_fields_are_said_together_and_both_columns_named():
    assert needs_for_coach(["heel_raise.left or heel_raise.right tested"], RULESET) == (
        "left or right heel raise tested (columns heel_raise.left, heel_raise.right)"
    )


def test_an_input_is_said_by_its_words_with_its_column():
    assert needs_for_coach(["wellness.pain_while_running"], RULESET) == (
        "calf pain while running (column wellness.pain_while_running)"
    )


def test_no_need_of_the_ruleset_is_left_with_a_field_path_outside_the_columns_named():
    for spec in RULESET.inputs.values():
        if spec.needed_data:
            said = needs_for_coach([spec.needed_data], RULESET)
            words = said.split(" (column")[0]
            assert "." not in words.replace("e.g.", ""), said
            assert "_" not in words, said
