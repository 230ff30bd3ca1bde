"""A folder of CSV parts streamed as one roster: each part read like a CSV file, rows numbered on.

Parts are read in name order, each with its own header, so a folder gives the
results of the file its parts were cut from; an unusable part is named with its
own row number (see `open` for which files of the folder are parts).
"""

from collections.abc import Iterator
from pathlib import Path

from screening.roster.chunk import Chunk
from screening.roster.read.text_file import TextRoster


class CsvFolder:
    """A folder of CSV parts streamed as one roster."""

    kind = "csv"

    def __init__(self, path: Path, parts: list[Path]):
        self.path, self.parts = path, parts
        self.size = sum(part.stat().st_size for part in parts)
        self._done_bytes = 0
        self._current: TextRoster | None = None

    def chunks(self, size: int) -> Iterator[Chunk]:
        offset = 0
        for part in self.parts:
            with TextRoster(part) as roster:
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
