"""The chunk: the unit of roster work, numbered rows that the parent cuts and a worker screens together.

A chunk of CHUNK_ROWS rows is one task (in this process, a worker process or a
Dask worker) and, once screened, one Parquet part of results.parquet.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

CHUNK_ROWS = 1000  # rows a chunk: one task, one Parquet part


@dataclass(frozen=True)
class RepeatedKeys:
    """A JSON item that names a key twice in one object: its row error, by field path."""

    errors: dict[str, list[str]]


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
