"""Find runner ids that appear on more than one row of a roster.

Two screened rows with one id are either the same runner entered twice (so
the roster's counts hold them twice) or two runners given the same pseudonym,
whose results a coach cannot tell apart when matching ids back to names. The
screening of each row stands; the roster's summary says which ids repeat, on
which rows, so the club can fix its list.

`RepeatedIds` takes (id, row) pairs one at a time: memory grows with the
number of distinct ids (a dict entry each, 100-250 bytes with the id and row
objects), fine for a request body. A roster file has no bound, so its run uses
`SpooledRepeatedIds`: each chunk's ids arrive as `ChunkIds`, made where the
chunk was screened (an 8-byte digest per row, and the rows and ids as one
JSON text); the digests stay in memory (8 bytes a row), the texts go to a
temporary file, and at the end only the rows whose digest occurs more than once
are read back and run through `RepeatedIds`, in row order. Rows with a digest
of their own have an id of their own, so the answer is exactly `RepeatedIds`'
for every row; a digest shared by two different ids (about one chance in 10^7
for a million rows) only costs reading both back.
"""

import bisect
import hashlib
import tempfile
import weakref
from collections.abc import Sequence
from typing import NamedTuple

import orjson

ROWS_SHOWN = 10
DIGEST_BYTES = 8


class RepeatedIds:
    """Collects (runner id, row) pairs in row order; `repeated` lists the ids seen on more than one row."""

    def __init__(self, cap: int | None = None):
        self.cap = cap
        self._first_row: dict[str, int] = {}
        self._repeated: dict[str, dict] = {}
        self._unlisted: set[str] = set()  # repeated ids past the cap: counted once in `total`, not listed
        self.total = 0  # ids seen on more than one row, listed or not

    def add(self, runner_id: str, row: int) -> None:
        first = self._first_row.setdefault(runner_id, row)
        if first == row:
            return
        entry = self._repeated.get(runner_id)
        if entry is None:
            if runner_id in self._unlisted:
                return
            self.total += 1
            if self.cap is not None and len(self._repeated) >= self.cap:
                self._unlisted.add(runner_id)
                return
            entry = self._repeated[runner_id] = {"runner_id": runner_id, "rows": [first], "count": 1}
        entry["count"] += 1
        if len(entry["rows"]) < ROWS_SHOWN:
            entry["rows"].append(row)

    @property
    def repeated(self) -> list[dict]:
        """Each repeated id with its number of rows and the first ROWS_SHOWN row numbers, in order of first row."""
        return sorted(self._repeated.values(), key=lambda entry: entry["rows"][0])


class ChunkIds(NamedTuple):
    """One chunk's screened rows and their runner ids, compact to send and to keep."""

    digests: bytes  # DIGEST_BYTES a row, in row order
    text: bytes  # JSON [[rows...], [ids...]]

    @classmethod
    def of(cls, rows: Sequence[int], runner_ids: Sequence[str]) -> "ChunkIds":
        digests = b"".join(_digest(runner_id) for runner_id in runner_ids)
        return cls(digests, orjson.dumps([list(rows), list(runner_ids)]))

    @property
    def screened(self) -> int:
        return len(self.digests) // DIGEST_BYTES


def _digest(runner_id: str) -> bytes:
    return hashlib.blake2b(runner_id.encode(), digest_size=DIGEST_BYTES).digest()


class _Spooled(NamedTuple):
    start: int  # the chunk's first row's position among all rows added
    offset: int  # where its text is in the spool file
    size: int


class SpooledRepeatedIds:
    """`RepeatedIds` for a roster of any length: add each chunk's `ChunkIds` in row order, then read."""

    def __init__(self, cap: int | None = None):
        self.cap = cap
        self._digests = bytearray()
        self._chunks: list[_Spooled] = []
        self._spool = tempfile.TemporaryFile()  # noqa: SIM115 (closed when the answer is made)
        weakref.finalize(self, self._spool.close)
        self._answer: RepeatedIds | None = None

    def add_chunk(self, ids: ChunkIds) -> None:
        if self._answer is not None:
            raise RuntimeError("repeated ids were already read: add every chunk first")
        if not ids.screened:
            return
        self._chunks.append(_Spooled(len(self._digests) // DIGEST_BYTES, self._spool.tell(), len(ids.text)))
        self._spool.write(ids.text)
        self._digests += ids.digests

    @property
    def repeated(self) -> list[dict]:
        return self._answered().repeated

    @property
    def total(self) -> int:
        return self._answered().total

    def _answered(self) -> RepeatedIds:
        if self._answer is None:
            self._answer = RepeatedIds(self.cap)
            for chunk, positions in self._shared_digest_positions():
                rows, runner_ids = self._read(chunk)
                for position in positions:
                    self._answer.add(runner_ids[position], rows[position])
            self._spool.close()
            self._digests = bytearray()
        return self._answer

    def _shared_digest_positions(self) -> list[tuple[_Spooled, list[int]]]:
        """Each chunk holding a row whose digest occurs more than once, with those rows' positions in it."""
        import pyarrow as pa
        import pyarrow.compute as pc

        count = len(self._digests) // DIGEST_BYTES
        if count < 2:
            return []
        digests = pa.Array.from_buffers(pa.uint64(), count, [None, pa.py_buffer(self._digests)])
        counted = pc.value_counts(digests)
        shared = counted.field("values").filter(pc.greater(counted.field("counts"), 1))
        if not len(shared):
            return []
        positions = pc.indices_nonzero(pc.is_in(digests, value_set=shared)).to_pylist()
        starts = [chunk.start for chunk in self._chunks]
        grouped: dict[int, list[int]] = {}
        for position in positions:  # ascending: row order
            index = bisect.bisect_right(starts, position) - 1
            grouped.setdefault(index, []).append(position - starts[index])
        return [(self._chunks[index], grouped[index]) for index in sorted(grouped)]

    def _read(self, chunk: _Spooled) -> tuple[list[int], list[str]]:
        self._spool.seek(chunk.offset)
        rows, runner_ids = orjson.loads(self._spool.read(chunk.size))
        return rows, runner_ids
