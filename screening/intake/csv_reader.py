"""Read a roster CSV (contract column names) as intakes, one row at a time.

Rows are numbered from 1 for the first data row (the header is row 0), as
coaches count them in a spreadsheet. The header must name only contract fields
and include the required ones; a malformed file (unbalanced quotes, a row with
the wrong number of cells, bytes that are not UTF-8) raises `CsvError` naming
the row, so nothing half-read is passed on as if it were the roster.
"""

import codecs
import csv
import difflib
import io
import re
from collections import Counter
from collections.abc import Iterable, Iterator

from screening.errors import ScreeningError
from screening.intake.flat import FIELD_KINDS, REQUIRED_FIELDS

REQUIRED_COLUMNS = REQUIRED_FIELDS  # a column for every field the intake schema requires
# The longest line read: a header of 100,000 columns is about 1 MB, a runner's row a few hundred characters.
# Past it the file is refused before more is held (a 1 GB line without a line end cost 2.1 GB).
MAX_LINE = 4 * 1024 * 1024


class CsvError(ScreeningError):
    """The CSV cannot be read as a roster; `row` is the 1-based data row, or 0 for the header."""

    def __init__(self, message: str, row: int = 0):
        self.row = row
        super().__init__(f"row {row}: {message}" if row else message)


def text_lines(binary: Iterable[bytes]) -> Iterator[str]:
    """Decode UTF-8 (a leading BOM is dropped) incrementally, naming the line of a bad byte.

    Text is split only where a chunk brings a newline, so a line of any length
    (a header of 100,000 columns) is joined once, not once per chunk.
    """
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    parts: list[str] = []  # text since the last newline
    pending = 0  # its length
    line_number = 0
    for chunk in binary:
        try:
            text = decoder.decode(chunk)
        except UnicodeDecodeError as error:
            bad_line = line_number + chunk[: error.start].count(b"\n") + 1
            raise CsvError(
                f"not UTF-8 text near line {bad_line}: byte {chunk[error.start : error.start + 1]!r}; "
                "save the file as CSV UTF-8"
            ) from None
        if "\x00" in text:
            bad_line = line_number + text[: text.index("\x00")].count("\n") + 1
            raise CsvError(
                f"not a text file: a NUL byte on line {bad_line} (a spreadsheet workbook or another binary "
                "file?); save the roster as CSV UTF-8"
            )
        parts.append(text)
        if "\n" not in text:
            pending += len(text)
            if pending > MAX_LINE:
                raise CsvError(_too_long(line_number + 1))
            continue
        if pending + text.index("\n") > MAX_LINE:
            raise CsvError(_too_long(line_number + 1))
        *complete, rest = "".join(parts).split("\n")
        parts = [rest]
        pending = len(rest)
        for line in complete:
            line_number += 1
            yield line + "\n"
    try:
        parts.append(decoder.decode(b"", final=True))
    except UnicodeDecodeError:
        raise CsvError(f"not UTF-8 text at the end of the file (line {line_number + 1})") from None
    if last := "".join(parts):
        yield last


def _too_long(line: int) -> str:
    return (
        f"line {line} is longer than {MAX_LINE:,} characters without a line end, and a cell may hold at most "
        f"{csv.field_size_limit():,} (the field limit): is this a CSV roster?"
    )


def read_rows(lines: Iterable[str]) -> Iterator[tuple[int, dict]]:
    """Yield (row number, {column: text}) for every data row; raise CsvError on a malformed file."""
    reader = csv.reader(lines, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise CsvError("the file is empty: expected a header row of contract field names") from None
    except csv.Error as error:
        raise CsvError(f"header is not valid CSV: {error}") from None
    header = [COLUMN_ALIASES.get(name.strip(), name.strip()) for name in header]
    _check_header(header)
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


# Columns a roster may name more shortly: a coach's `group` is the intake's runner.group.
COLUMN_ALIASES = {"group": "runner.group"}


def _check_header(header: list[str]) -> None:
    """Refuse a header that is not the contract's columns, in one short line (linear in its length)."""
    counts = Counter(header)
    if any(part.strip() in FIELD_KINDS for name in counts if ";" in name for part in name.split(";")):
        raise CsvError(
            "the columns are separated by ';' (a spreadsheet's regional CSV): save the roster as "
            "'CSV UTF-8 (comma delimited)'"
        )
    if any(part.strip() in FIELD_KINDS for name in counts if "\t" in name for part in name.split("\t")):
        raise CsvError(
            "the columns are separated by tabs (a tab-separated file): save the roster as 'CSV UTF-8 (comma delimited)'"
        )
    unknown = [name for name in counts if name not in FIELD_KINDS]
    if unknown:
        raise CsvError(
            f"unknown column(s) {_some(unknown, suggest=True)}: a roster has only the contract's columns "
            "(runner.id, heel_raise.left, ...; see docs/guides/roster.md); remove or rename these"
        )
    duplicated = sorted(name for name, count in counts.items() if count > 1)
    if duplicated:
        raise CsvError(f"duplicate column(s) {_some(duplicated)}")


def _some(names: list[str], shown: int = 5, *, suggest: bool = False) -> str:
    """The first `shown` names, each with the contract column it is likely meant to be (`suggest`)."""

    def named(name: str) -> str:
        meant = _meant(name) if suggest else None
        return repr(name[:64]) + (f" (did you mean {meant!r}?)" if meant else "")

    listed = ", ".join(named(name) for name in names[:shown])
    return listed + (f" and {len(names) - shown} more" if len(names) > shown else "")


def _key(name: str) -> str:
    """A column name without case, spaces or punctuation: 'Runner ID', 'runner_id' and 'runner.id' alike."""
    return re.sub(r"[^a-z0-9]+", "_", name[:64].lower()).strip("_")


_KEYS = {_key(name): name for name in FIELD_KINDS}


def _meant(name: str) -> str | None:
    """The contract column a near miss names: the same words in another case or punctuation, else the closest
    spelling (difflib, ratio at least 0.8); None when none is near."""
    key = _key(name)
    if key in _KEYS:
        return _KEYS[key]
    close = difflib.get_close_matches(key, list(_KEYS), n=1, cutoff=0.8)
    return _KEYS[close[0]] if close else None


def read_csv_text(text: str) -> list[tuple[int, dict]]:
    """Read a whole CSV document given as a string (an HTTP body)."""
    return list(read_rows(io.StringIO(text, newline="")))
