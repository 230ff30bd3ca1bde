"""Read a roster file (CSV or a JSON array of intakes) and stream it in chunks of rows.

The format is read from the file, not its name: a JSON array starts with `[`.
CSV rows are read with `screening.intake.csv_reader` (strict UTF-8, contract column
names); JSON items are parsed one at a time with ijson, so neither form is ever
held in memory whole. A file that cannot be read as a roster raises
`UnusableRoster` naming the row or item, whenever in the stream that is found.
"""

import itertools
from collections.abc import Iterator

import ijson

from screening.errors import UnusableRoster
from screening.intake.csv_reader import CsvError, read_rows, text_lines
from screening.intake.json_keys import KeyRecordingDict, repeated_keys
from screening.roster.chunk import Chunk, RepeatedKeys

BLOCK = 1 << 16
BOM = b"\xef\xbb\xbf"
# How a workbook starts: .xlsx is a zip archive, .xls an OLE compound file.
WORKBOOKS = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")


class TextRoster:
    """An open roster file (CSV or JSON); iterate `chunks(size)`; `position()` is the bytes read so far."""

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
                f"{self.path}: not a valid JSON array after item {number}: {first_line(error)}"
            ) from None


def _size(handle) -> int:
    handle.seek(0, 2)
    size = handle.tell()
    handle.seek(0)
    return size


def first_line(error: Exception) -> str:
    """The parser's message without the excerpt of the file it quotes (intake values stay private)."""
    text = error.args[0] if error.args else str(error)
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return str(text).strip().splitlines()[0] if str(text).strip() else type(error).__name__
