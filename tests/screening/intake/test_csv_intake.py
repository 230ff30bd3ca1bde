"""The roster CSV reader streams good rows and rejects a malformed file whole."""

import pytest

from screening.intake.csv_reader import CsvError, read_csv_text, read_rows, text_lines

HEADER = (
    "runner.id,runner.age,training.weekly_distance,wellness.fatigue,wellness.soreness,"
    "heel_raise.left,heel_raise.right\n"
)


def test_rows_are_numbered_from_one_and_blank_lines_are_not_runners():
    rows = read_csv_text(HEADER + "a,30,10;20,1,1,20,20\n\nb,31,5,2,2,,\n")
    assert [(number, row["runner.id"]) for number, row in rows] == [(1, "a"), (3, "b")]
    assert rows[1][1]["heel_raise.left"] == ""


def test_a_byte_order_mark_and_crlf_line_ends_are_accepted():
    data = ("\ufeff" + HEADER + "a,30,10,1,1,20,20\n").replace("\n", "\r\n").encode()
    rows = list(read_rows(text_lines([data[:7], data[7:]])))
    assert rows[0][1]["runner.id"] == "a"


@pytest.mark.parametrize(
    "text, row, message",
    [
        ("", 0, "empty"),
        ("runner.id,runner.name\n", 0, "unknown column"),
        ("runner.id,runner.age\n", 0, "missing required column"),
        (HEADER.rstrip("\n") + ",runner.id\n", 0, "duplicate column"),
        (HEADER + "a,30,10,1,1,20,20\nb,30\n", 2, "has 2 cells"),
        (HEADER + 'a,30,"10;20,1,1,20,20\n', 1, "unbalanced quote"),
    ],
)
def test_a_malformed_file_is_rejected_naming_the_row(text, row, message):
    with pytest.raises(CsvError) as raised:
        read_csv_text(text)
    assert raised.value.row == row
    assert message in str(raised.value)


def test_bytes_that_are_not_utf8_are_rejected_naming_the_line():
    data = (HEADER + "a,30,10,1,1,20,20\n").encode() + b"b\xff,30,10,1,1,20,20\n"
    with pytest.raises(CsvError, match="not UTF-8 text near line 3"):
        list(read_rows(text_lines([data])))
