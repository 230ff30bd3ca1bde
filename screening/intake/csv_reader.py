"""Read a roster CSV (contract column names) as intakes, one row at a time.

Rows are numbered from 1 for the first data row (the header is row 0), as
coaches count them in a spreadsheet. The header must name only contract fields
and include the required ones; a malformed file (unbalanced quotes, a row with
the wrong number of cells, bytes that are not UTF-8) raises `CsvError` naming
the row, so nothing half-read is passed on as if it were the roster.
"""

import codecs
import csv
import io
from collections.abc import Iterable, Iterator

from screening.errors import ScreeningError
from screening.intake.flat import FIELD_KINDS, REQUIRED_FIELDS

REQUIRED_COLUMNS = REQUIRED_FIELDS  # a column for every field the intake schema requires


class CsvError(ScreeningError):
    """The CSV cannot be read as a roster; `row` is the 1-based data row, or 0 for the header."""

    def __init__(self, message: str, row: int = 0):
        self.row = row
        super().__init__(f"row {row}: {message}" if row else message)


def text_lines(binary: Iterable[bytes]) -> Iterator[str]:
    """Decode UTF-8 (a leading BOM is dropped) incrementally, naming the line of a bad byte."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    pending = ""
    line_number = 0
    for chunk in binary:
        try:
            pending += decoder.decode(chunk)
        except UnicodeDecodeError as error:
            bad_line = line_number + pending.count("\n") + chunk[: error.start].count(b"\n") + 1
            raise CsvError(
                f"not UTF-8 text near line {bad_line}: byte {chunk[error.start : error.start + 1]!r}; "
                "save the file as CSV UTF-8"
            ) from None
        *complete, pending = pending.split("\n")
        for line in complete:
            line_number += 1
            yield line + "\n"
    try:
        pending += decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise CsvError(f"not UTF-8 text at the end of the file (line {line_number + 1})") from None
    if pending:
        yield pending


def read_rows(lines: Iterable[str]) -> Iterator[tuple[int, dict]]:
    """Yield (row number, {column: text}) for every data row; raise CsvError on a malformed file."""
    reader = csv.reader(lines, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise CsvError("the file is empty: expected a header row of contract field names") from None
    except csv.Error as error:
        raise CsvError(f"header is not valid CSV: {error}") from None
    header = [name.strip() for name in header]
    unknown = [name for name in header if name not in FIELD_KINDS]
    if unknown:
        raise CsvError(
            f"unknown column(s) {', '.join(map(repr, unknown))}; columns are the contract's "
            "dotted field names, e.g. runner.id, heel_raise.left"
        )
    duplicated = sorted({name for name in header if header.count(name) > 1})
    if duplicated:
        raise CsvError(f"duplicate column(s) {', '.join(map(repr, duplicated))}")
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise CsvError(f"missing required column(s) {', '.join(map(repr, missing))}")
    number = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise CsvError(f"not valid CSV ({error}); check for an unbalanced quote", number + 1) from None
        number += 1
        if not any(cell.strip() for cell in cells):
            continue  # a blank line is not a runner
        if len(cells) != len(header):
            raise CsvError(f"has {len(cells)} cells, the header has {len(header)} columns", number)
        yield number, dict(zip(header, cells, strict=True))


def read_csv_text(text: str) -> list[tuple[int, dict]]:
    """Read a whole CSV document given as a string (an HTTP body)."""
    return list(read_rows(io.StringIO(text, newline="")))
