"""The counts of a roster's summary: rows screened and invalid, bands, referrals and repeated runner ids.

`POST /v1/screenings/batch` counts row by row (`rows.screen_batch`); a roster
run counts a chunk at a time, as each comes back, with its ids spooled
(`report.totals.RosterReport`). Both answer the same `summary()`.
"""

from screening.roster.repeated_ids import ChunkIds, RepeatedIds, SpooledRepeatedIds
from screening.ruleset.model import BANDS, URGENCIES


class SummaryCounts:
    """The counts of a roster's summary, kept as its rows are screened in row order."""

    def __init__(self, repeated_cap: int | None = None, *, repeated_ids: SpooledRepeatedIds | None = None):
        """Repeated ids are kept in a RepeatedIds of `repeated_cap`, or given (a roster run spools them)."""
        self.screened = 0
        self.invalid = 0
        self.bands = dict.fromkeys(BANDS, 0)
        self.referrals = dict.fromkeys(URGENCIES, 0)  # screened rows referred, by urgency
        self.repeated_ids: RepeatedIds | SpooledRepeatedIds = (
            repeated_ids if repeated_ids is not None else RepeatedIds(cap=repeated_cap)
        )

    @property
    def rows(self) -> int:
        """Rows read (blank CSV lines are not rows)."""
        return self.screened + self.invalid

    @property
    def not_referred(self) -> int:
        return self.screened - sum(self.referrals.values())

    def count_screened(self, row: int, runner_id: str, band: str, urgency: str | None) -> None:
        self.screened += 1
        self.bands[band] += 1
        if urgency is not None:
            self.referrals[urgency] += 1
        assert isinstance(self.repeated_ids, RepeatedIds)
        self.repeated_ids.add(runner_id, row)

    def count_chunk(
        self, screened: int, bands: dict[str, int], urgencies: dict[str | None, int], ids: ChunkIds
    ) -> None:
        """Count a chunk's screened rows at once: its counts by band and urgency, and its ids."""
        self.screened += screened
        for band, count in bands.items():
            self.bands[band] += count
        for urgency, count in urgencies.items():
            if urgency is not None:
                self.referrals[urgency] += count
        assert isinstance(self.repeated_ids, SpooledRepeatedIds)
        self.repeated_ids.add_chunk(ids)

    def count_result(self, row: int, result: dict) -> None:
        self.count_screened(row, result["runner_id"], result["risk"]["band"], result["referral"]["urgency"])

    def count_invalid(self, rows: int = 1) -> None:
        self.invalid += rows

    def summary(self) -> dict:
        """The summary as the batch endpoint answers it (`SummarySchema`)."""
        return {
            "rows": self.rows,
            "screened": self.screened,
            "invalid": self.invalid,
            "bands": dict(self.bands),
            "referrals": {"total": sum(self.referrals.values()), **self.referrals},
            "repeated_runner_ids": self.repeated_ids.repeated,
        }
