"""Parquet files (one, or a folder of them) streamed as one roster of text cells, read by the CSV rules.

Every cell is turned into text (numbers and booleans as pyarrow writes them, a
null as an empty cell) so an intake means the same in every form; the header is
checked as a CSV header is; columns of other types (lists, dates) are refused.
pyarrow is imported only when a Parquet roster is read.
"""

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from screening.errors import UnusableRoster
from screening.intake.csv_reader import COLUMN_ALIASES, CsvError, read_rows
from screening.roster.chunk import Chunk
from screening.roster.read.text_file import first_line

PARQUET_MAGIC = b"PAR1"


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
                raise UnusableRoster(f"{file}: not a readable Parquet file: {first_line(error)}") from None
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
