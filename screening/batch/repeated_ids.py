"""Find runner ids that appear on more than one row of a roster.

Two screened rows with one id are either the same runner entered twice (so
the roster's counts hold them twice) or two runners given the same pseudonym,
whose results a coach cannot tell apart when matching ids back to names. The
screening of each row stands; the roster's summary says which ids repeat, on
which rows, so the club can fix its list.

Memory grows with the number of distinct ids (one dict entry each, about 100
bytes: some 10 MB for 100,000 runners); what is listed is capped.
"""

ROWS_SHOWN = 10


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
