"""The clinician's text note: what could not be assessed is said, rule by rule, never left out."""

from screening import default_screener
from screening.result.conditions import label
from screening.result.text_note import render
from screening.result.values import format_value
from tests.support.histories import NOW_TEXT, WIDE_BASELINE, history_of
from tests.support.intakes import bare, healthy

NOT_ASSESSED = "Not assessed (missing data, not assumed normal)"


def _section(note: str, heading: str) -> str:
    """The text under `heading` up to the next blank line, with wrapped lines joined."""
    after = note.split(heading + "\n", 1)[1]
    return " ".join(after.split("\n\n", 1)[0].split())


def test_text_note_lists_each_rule_not_assessed_with_the_data_it_needs():
    result = default_screener().screen(bare())
    assert result["not_assessed_detail"], "a bare intake misses data that rules need"

    section = _section(render(result), NOT_ASSESSED)

    expected = " ".join(
        f"{entry['title']} [{entry['rule']}]: needs {'; '.join(entry['needs'])}"
        for entry in result["not_assessed_detail"]
    )
    assert section == " ".join(expected.split())


def test_text_note_says_none_when_every_rule_could_be_assessed():
    result = default_screener().screen(healthy(), history=history_of(WIDE_BASELINE), screened_at=NOW_TEXT)
    assert result["not_assessed_detail"] == []
    assert _section(render(result), NOT_ASSESSED) == "none"


def test_values_read_as_a_clinician_writes_them():
    assert [format_value(value) for value in (None, True, False, 7, 0.5, 1e-05)] == [
        "not given",
        "yes",
        "no",
        "7",
        "0.5",
        "1e-05",
    ]


def test_with_the_ruleset_a_missing_input_is_named_in_words_then_by_its_field():
    screener = default_screener()
    result = screener.screen(bare())
    section = _section(render(result, screener.ruleset), NOT_ASSESSED)
    for entry in result["not_assessed_detail"]:
        assert f"{entry['title']} [{entry['rule']}]: needs" in section
        for need in entry["needs"]:
            if need in screener.ruleset.inputs:
                assert f"{label(need, screener.ruleset)} ({need})" in section
