"""A roster header that is not the contract's columns is refused in one short line, whatever its size or delimiter.

(How long the check takes for 10,000-100,000 columns is measured by scripts/bench_csv_header.py.)
"""

import pytest

from screening.intake.csv_reader import REQUIRED_COLUMNS, CsvError, read_csv_text, read_rows, text_lines

HEADER = ",".join(REQUIRED_COLUMNS)


def refusal(text: str) -> str:
    with pytest.raises(CsvError) as refused:
        read_csv_text(text)
    return str(refused.value)


def test_a_header_of_100000_repeated_columns_is_refused_naming_the_column_once():
    message = refusal(",".join(["runner.id"] * 100_000) + "\n")
    assert message == "duplicate column(s) 'runner.id'"


def test_many_unknown_columns_are_listed_briefly():
    message = refusal(HEADER + "," + ",".join(f"extra{n}" for n in range(10_000)) + "\n")
    assert message.startswith("unknown column(s) 'extra0', 'extra1', 'extra2', 'extra3', 'extra4' and 9995 more")
    assert len(message) < 250


def test_an_extra_notes_column_is_refused_in_a_short_message_saying_what_to_do():
    message = refusal(HEADER + ",notes\nclub-1,40,30,1,1,20,20,likes hills\n")
    assert "'notes'" in message and "remove or rename" in message
    assert len(message) < 200


def test_a_semicolon_separated_roster_is_recognised_in_one_line():
    text = HEADER.replace(",", ";") + "\nclub-1;40;30;1;1;20;20\n"
    message = refusal(text)
    assert "separated by ';'" in message and "CSV UTF-8 (comma delimited)" in message
    assert "\n" not in message and len(message) < 200


def test_a_single_line_of_any_length_is_decoded_once():
    # text_lines joins a long line's chunks when its newline arrives, not at every chunk.
    pieces = [b"a" * 1000] * 500 + [b"\nb\n"]
    assert [len(line) for line in text_lines(pieces)] == [500_001, 2]


def test_a_bad_byte_in_a_long_line_names_its_line():
    with pytest.raises(CsvError, match="near line 2"):
        list(read_rows(text_lines([HEADER.encode() + b"\n", b"x" * 70_000, b"\xff\n"])))
