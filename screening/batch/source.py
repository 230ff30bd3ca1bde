"""Open a roster file (CSV or a JSON array of intakes) and stream it in chunks of rows.

The format is read from the file, not its name: a JSON array starts with `[`.
CSV rows are read with `screening.intake.csv_reader` (strict UTF-8, contract column
names); JSON items are parsed one at a time with ijson, so neither form is ever
held in memory whole. A file that cannot be read as a roster raises
`UnusableRoster` naming the row or item, whenever in the stream that is found.
"""

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import ijson

from screening.errors import ScreeningError
from screening.intake.csv_reader import CsvError, read_rows, text_lines
from screening.intake.json_keys import KeyRecordingDict, repeated_keys

BLOCK = 1 << 16
BOM = b"\xef\xbb\xbf"
# How a workbook starts: .xlsx is a zip archive, .xls an OLE compound file.
WORKBOOKS = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")


@dataclass(frozen=True)
class RepeatedKeys:
    """A JSON item that names a key twice in one object: its row error, by field path."""

    errors: dict[str, list[str]]


class UnusableRoster(ScreeningError):
    """The roster (or the output folder) cannot be used at all; nothing is written."""


@dataclass
class Chunk:
    """Numbered rows to screen together: CSV rows as cell tuples under `header`, or JSON items.

    Cell tuples under one header pickle far smaller than a dict per row (chunks
    go to worker processes).
    """

    kind: str  # "csv" or "json"
    header: tuple[str, ...] | None
    items: list[tuple[int, Any]] = field(default_factory=list)

    @classmethod
    def of_csv(cls, rows: list[tuple[int, dict[str, str]]], header: tuple[str, ...] | None = None) -> "Chunk":
        """A chunk of CSV rows as `read_rows` gives them (each a dict under the same header)."""
        header = header or (tuple(rows[0][1]) if rows else ())
        return cls("csv", header, [(number, tuple(row.values())) for number, row in rows])

    @classmethod
    def of_json(cls, items: list[tuple[int, Any]]) -> "Chunk":
        return cls("json", None, items)

    def rows(self) -> Iterator[tuple[int, Any]]:
        """Each (row number, row as read): a CSV row as {column: text}, a JSON item as parsed."""
        if self.header is None:
            yield from self.items
            return
        header = self.header
        for number, cells in self.items:
            yield number, dict(zip(header, cells, strict=True))


class Roster:
    """An open roster file; iterate `chunks(size)`; `position()` is the bytes read so far."""

    def __init__(self, path):
        self.path = str(path)
        try:
            self._file = open(path, "rb")  # noqa: SIM115 - closed by close()
        except OSError as error:
            raise UnusableRoster(f"{self.path}: cannot read: {error.strerror}") from error
        try:
            self.size = _size(self._file)
            self.kind = self._sniff()
        except BaseException:
            self._file.close()
            raise

    def _sniff(self) -> str:
        head = self._file.read(BLOCK)
        skip = len(BOM) if head.startswith(BOM) else 0
        stripped = head[skip:].lstrip()
        self._file.seek(skip)
        if not stripped:
            raise UnusableRoster(f"{self.path}: the file is empty: expected a CSV header or a JSON array")
        if stripped.startswith(WORKBOOKS):
            raise UnusableRoster(
                f"{self.path}: a spreadsheet workbook (.xlsx or .xls), not a CSV: save it from the spreadsheet "
                "as 'CSV UTF-8 (comma delimited)' and screen that file"
            )
        if stripped.startswith(b"{"):
            raise UnusableRoster(
                f"{self.path}: one JSON object (one runner's intake?), not a roster: screen it with "
                "soleus-screen screen, or put the intakes in a JSON array"
            )
        return "json" if stripped.startswith(b"[") else "csv"

    def position(self) -> int:
        return self._file.tell()

    def close(self) -> None:
        self._file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def chunks(self, size: int) -> Iterator[Chunk]:
        """Yield chunks of at most `size` rows in file order; raise UnusableRoster on a bad file."""
        if self.kind == "csv":
            csv_rows = self._csv_rows()
            header = None
            while batch := list(itertools.islice(csv_rows, size)):
                chunk = Chunk.of_csv(batch, header)
                header = chunk.header
                yield chunk
        else:
            json_items = self._json_items()
            while items := list(itertools.islice(json_items, size)):
                yield Chunk.of_json(items)

    def _csv_rows(self) -> Iterator[tuple[int, dict]]:
        blocks = iter(lambda: self._file.read(BLOCK), b"")
        try:
            yield from read_rows(text_lines(blocks))
        except CsvError as error:
            raise UnusableRoster(f"{self.path}: {error}") from None

    def _json_items(self) -> Iterator[tuple[int, object]]:
        number = 0
        try:
            items = ijson.items(self._file, "item", use_float=True, map_type=KeyRecordingDict)
            for number, item in enumerate(items, 1):
                repeated = repeated_keys(item)
                yield number, (RepeatedKeys(repeated) if repeated else item)
        except ijson.JSONError as error:
            raise UnusableRoster(
                f"{self.path}: not a valid JSON array after item {number}: {_first_line(error)}"
            ) from None


def _size(handle) -> int:
    handle.seek(0, 2)
    size = handle.tell()
    handle.seek(0)
    return size


def _first_line(error: Exception) -> str:
    """The parser's message without the excerpt of the file it quotes (intake values stay private)."""
    text = error.args[0] if error.args else str(error)
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return str(text).strip().splitlines()[0] if str(text).strip() else type(error).__name__
