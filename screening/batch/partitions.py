"""Open a roster in any of its forms and stream it as partitions of rows, each row carrying its number.

    with open_roster("roster.csv") as roster:      # or a folder of CSV parts, or Parquet
        for chunk in roster.chunks(1000):
            ...

- A CSV file or a JSON array: `source.Roster`, the one reader of the single
  process run (quoted newlines respected, rows numbered from 1 as a
  spreadsheet shows them).
- A folder of CSV parts (`*.csv`, read in name order; names starting with `.`
  or `_` are skipped): each part is read like a CSV file, with its own header,
  and rows are numbered on through the parts as if they were one file, so a
  folder gives the results of the file its parts were cut from. An unusable
  part is named with its own row number.
- Parquet (a `.parquet` file, or a folder of them): every cell is turned into
  text (numbers and booleans as pyarrow writes them, a null as an empty cell)
  and read by the CSV rules, so an intake means the same in every form; the
  header is checked as a CSV header is. Columns of other types (lists, dates)
  are refused.

Every form is read here, by the process that runs the roster, and partitions
are sent to the workers: a worker never needs to see the roster's files.
"""

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from screening.batch.source import Chunk, Roster, UnusableRoster, _first_line
from screening.intake.csv_reader import COLUMN_ALIASES, CsvError, read_rows

PARQUET_MAGIC = b"PAR1"


def open_roster(path):
    """The roster at `path` ready to stream; raises UnusableRoster if it cannot be read as one."""
    path = Path(path)
    if path.is_dir():
        parts = sorted(entry for entry in path.iterdir() if entry.is_file() and not entry.name.startswith((".", "_")))
        parquet = [part for part in parts if part.suffix == ".parquet"]
        csvs = [part for part in parts if part.suffix.lower() == ".csv"]
        if parquet and csvs:
            raise UnusableRoster(f"{path}: holds both CSV and Parquet parts: expected one kind")
        if parquet:
            return ParquetRoster(path, parquet)
        if csvs:
            return CsvParts(path, csvs)
        raise UnusableRoster(f"{path}: a folder with no .csv or .parquet parts")
    if _is_parquet(path):
        return ParquetRoster(path, [path])
    return Roster(path)


def _is_parquet(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(len(PARQUET_MAGIC)) == PARQUET_MAGIC
    except OSError:
        return False  # Roster names the reason


class CsvParts:
    """A folder of CSV parts streamed as one roster."""

    kind = "csv"

    def __init__(self, path: Path, parts: list[Path]):
        self.path, self.parts = path, parts
        self.size = sum(part.stat().st_size for part in parts)
        self._done_bytes = 0
        self._current: Roster | None = None

    def chunks(self, size: int) -> Iterator[Chunk]:
        offset = 0
        for part in self.parts:
            with Roster(part) as roster:
                self._current = roster
                last = 0
                for chunk in roster.chunks(size):
                    last = chunk.items[-1][0]
                    yield Chunk(chunk.kind, chunk.header, [(offset + row, cells) for row, cells in chunk.items])
                offset += last
                self._done_bytes += roster.size
                self._current = None

    def position(self) -> int:
        return self._done_bytes + (self._current.position() if self._current else 0)

    def close(self) -> None:
        if self._current:
            self._current.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


class ParquetRoster:
    """Parquet files streamed as one roster of text cells."""

    kind = "csv"

    def __init__(self, path: Path, files: list[Path]):
        import pyarrow.parquet as pq

        self.path = path
        self._files = []
        for file in files:
            try:
                self._files.append((file, pq.ParquetFile(file)))
            except (OSError, ValueError) as error:  # pyarrow's ArrowInvalid is a ValueError
                raise UnusableRoster(f"{file}: not a readable Parquet file: {_first_line(error)}") from None
        self.size = sum(file.stat().st_size for file in files)
        self._rows = sum(reader.metadata.num_rows for _, reader in self._files) or 1
        self._read = 0

    def chunks(self, size: int) -> Iterator[Chunk]:
        import pyarrow as pa
        import pyarrow.compute as pc

        number = 0
        for file, reader in self._files:
            header = _checked_header(file, reader.schema_arrow)
            for batch in reader.iter_batches(batch_size=size):
                columns = [pc.cast(column, pa.string()).to_pylist() for column in batch.columns]
                items: list[tuple[int, object]] = []
                for cells in zip(*columns, strict=True):
                    number += 1
                    cells = tuple("" if cell is None else cell for cell in cells)
                    if any(cell.strip() for cell in cells):
                        items.append((number, cells))
                self._read += batch.num_rows
                if items:
                    yield Chunk("csv", header, items)

    def position(self) -> int:
        return self.size * self._read // self._rows

    def close(self) -> None:
        for _, reader in self._files:
            reader.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


def _checked_header(file: Path, schema) -> tuple[str, ...]:
    """The file's column names, checked by the CSV reader's header rules; only text, numbers, booleans."""
    import pyarrow.types as types

    readable = (types.is_string, types.is_large_string, types.is_integer, types.is_floating, types.is_boolean)
    for field in schema:
        if not any(check(field.type) for check in (*readable, types.is_null)):
            raise UnusableRoster(
                f"{file}: column {field.name!r} is {field.type}: expected text (or numbers or true/false) "
                "as in a CSV roster"
            )
    line = io.StringIO()
    csv.writer(line).writerow(schema.names)
    try:
        list(read_rows(io.StringIO(line.getvalue())))
    except CsvError as error:
        raise UnusableRoster(f"{file}: {error}") from None
    return tuple(COLUMN_ALIASES.get(name.strip(), name.strip()) for name in schema.names)
