"""One time and one identity for a whole roster run, so two runs of one roster compare byte for byte.

    stamp = RunStamp.start("roster.csv", ruleset, screened_at="2026-12-01T08:00:00Z")
    stamp.screening_id(17, "club-0017")   # the same for row 17 of every such run

Every runner of a run is screened at the run's `screened_at` (given, or the
time the run started). A screening id is a hash of the run (roster name,
ruleset name and version, screened_at), the row and the runner id, written like
a UUID's hex: two runs of one roster with one `--screened-at` give the same ids
on every row, wherever each row was screened; runs at different times never
share one. A stamp is small and picklable: it travels with every chunk.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime

from screening.ruleset.model import Ruleset
from screening.timestamps import format_time, now_text

ID_HEX = 32


class BadScreenedAt(ValueError):
    """`screened_at` is not a UTC time in ISO 8601."""


def parse_screened_at(text: str) -> str:
    """Normalise an ISO 8601 time to UTC 'YYYY-MM-DDTHH:MM:SSZ'; raise BadScreenedAt if it is not one."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise BadScreenedAt(f"expected an ISO 8601 time such as 2026-12-01T08:00:00Z, got {text!r}") from None
    if moment.tzinfo is None:
        raise BadScreenedAt(f"expected a time with its zone (Z for UTC), got {text!r}")
    return format_time(moment)


@dataclass(frozen=True)
class RunStamp:
    screened_at: str
    run_key: bytes  # the hash of what identifies the run; rows are hashed on top of it
    ruleset: tuple[str, str]  # (name, version) the run screens with: every worker must have the same

    @classmethod
    def start(cls, source_name: str, ruleset: Ruleset, screened_at: str | None = None) -> "RunStamp":
        at = parse_screened_at(screened_at) if screened_at else now_text()
        run = "\x1f".join((source_name, ruleset.name, ruleset.version, at))
        return cls(at, hashlib.sha256(run.encode("utf-8")).digest(), (ruleset.name, ruleset.version))

    @property
    def report_time(self) -> str:
        """`screened_at` as the report shows it: 2026-12-01 08:00 UTC."""
        return f"{self.screened_at[:10]} {self.screened_at[11:16]} UTC"

    def screening_id(self, row: int, runner_id: str) -> str:
        row_key = self.run_key + f"\x1f{row}\x1f{runner_id}".encode()
        return hashlib.sha256(row_key).hexdigest()[:ID_HEX]
