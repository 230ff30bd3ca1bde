"""Add a roster's chunks up, in roster order, into what its report shows (the page is `page`).

Counts, the score histogram and how often each rule fired are added up from
each chunk's counts (worker.counts) as the chunks arrive. Every runner goes into
the page as one compact JSON record (row, id, score, band, urgency, the rules
that fired said with the runner's values, recommendations, what was not
assessed), made where its chunk was screened (worker.records) and spooled to a
temporary file as it arrives, so memory stays flat and this process does a few
appends a chunk, not work a runner; the page embeds it once. A phrase that
runners share is a number: in its chunk's phrase table, whose entries are
numbers in the page's one string table. The urgent table is bounded by
`urgent_cap`, the invalid rows by `invalid_cap`.
"""

import tempfile
import weakref
from datetime import UTC, datetime

import orjson

from screening.derive import HISTORY_ONLY
from screening.result.conditions import rule_titles
from screening.result.field_words import needs_for_coach
from screening.result.risk import band_for
from screening.roster.repeated_ids import SpooledRepeatedIds
from screening.roster.rows import InvalidRow
from screening.roster.summary import SummaryCounts
from screening.roster.worker.counts import BIN_WIDTH, ChunkCounts, bin_count, needs_history
from screening.roster.worker.lines import RunnerSummary
from screening.roster.worker.records import PageRecords
from screening.roster.worker.task import ChunkOutput
from screening.ruleset.model import Ruleset

TOP_FACTORS = 12
URGENT_CAP = 1000
INVALID_CAP = 200
REPEATED_CAP = 200
PHRASES_KEPT = 20_000  # distinct phrases numbered in the page's string table; later ones are written out


class RosterReport:
    """Accumulates chunk outputs in roster order; `page.render` writes the HTML page from it."""

    def __init__(
        self,
        ruleset: Ruleset,
        source_name: str,
        *,
        urgent_cap: int = URGENT_CAP,
        invalid_cap: int = INVALID_CAP,
        repeated_cap: int = REPEATED_CAP,
        generated_at: str | None = None,
        stored: bool = False,
    ):
        self.ruleset = ruleset
        self.source_name = source_name
        self.generated_at = generated_at or datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        self.caps = {"urgent": urgent_cap, "invalid": invalid_cap}
        # The counts, as the batch endpoint's summary has them; ids are spooled, not held (see repeated_ids).
        self._repeated_ids = SpooledRepeatedIds(repeated_cap)
        self.counts = SummaryCounts(repeated_ids=self._repeated_ids)
        self.bins = [0] * bin_count(ruleset.score_max)
        self.rule_counts: dict[str, int] = {}
        self.stages: dict[str, int] = {}  # programme stage cell -> runners
        self.groups: dict[str, int] = {}  # the runners' groups (squads) -> runners
        self.not_assessed_runners = 0
        self.not_assessed_counts: dict[str, int] = {}
        self.not_assessed_inputs: dict[str, set[str]] = {}  # rule id -> inputs some runner lacked for it
        self.urgent: list[dict] = []
        self.attention_total = 0
        self.invalid: list[InvalidRow] = []
        self._rule_index = {
            rule.id: index for index, rule in enumerate(ruleset.rules)
        }  # as worker.records numbers them
        # Every runner's record, and each chunk's phrases as the page's table numbers them, spooled
        # so memory stays flat (page.render embeds them).
        self.records = tempfile.TemporaryFile()  # noqa: SIM115 (closed by page.render)
        self.phrases = tempfile.TemporaryFile()  # noqa: SIM115 (closed by page.render)
        # A run that fails before render drops the report: its spool files are closed (and gone) with it.
        weakref.finalize(self, self.records.close)
        weakref.finalize(self, self.phrases.close)
        self.records.write(b"[")
        self.phrases.write(b"[")
        self._first = True
        self._tables = 0  # chunks added, each with its phrase table
        # Phrases many runners share ("age 45 years is at least 40 years") are written once, by number.
        self.strings: dict[str, int] = {}
        self.stored = stored  # a run that stores: every result carries `history` (see change_since_previous)
        self.full_results = "results.jsonl"  # the file the footer names (run.py: results.parquet when no JSONL)
        # Without a store the rules that read a runner's baseline never run: said once, not per runner.
        self.set_aside = frozenset() if stored else needs_history(ruleset)

    @property
    def screened(self) -> int:
        return self.counts.screened

    @property
    def invalid_rows(self) -> int:
        return self.counts.invalid

    @property
    def bands(self) -> dict[str, int]:
        return self.counts.bands

    @property
    def urgencies(self) -> dict[str | None, int]:
        """Screened runners by referral urgency; None counts those not referred."""
        counts: dict[str | None, int] = {urgency: count for urgency, count in self.counts.referrals.items()}
        counts[None] = self.counts.not_referred
        return counts

    @property
    def repeated_ids(self) -> SpooledRepeatedIds:
        return self._repeated_ids

    def add(self, chunk: ChunkOutput) -> None:
        """Add a chunk (task.ChunkOutput): its counts, records, urgent and invalid rows, in roster order."""
        counted = chunk.counts
        self._count(counted)
        self.counts.count_chunk(counted.screened, counted.bands, counted.urgencies, chunk.ids)
        for runner in chunk.urgent[: max(self.caps["urgent"] - len(self.urgent), 0)]:
            self.urgent.append(self._urgent_entry(runner))
        self._add_page(chunk.number, chunk.records)
        self.counts.count_invalid(len(chunk.invalid))
        room = self.caps["invalid"] - len(self.invalid)
        self.invalid.extend(chunk.invalid[: max(room, 0)])

    def _add_page(self, number: int, page: PageRecords) -> None:
        """Append a chunk's records, and its phrase table as numbers in the page's string table.

        The records stay as the chunk made them: their phrase numbers index the chunk's
        table (the `number`-th in the page), whose phrases are written as their numbers in the
        page's table: a few hundred look-ups a chunk, not one per runner's phrase.
        """
        if number != self._tables:
            raise ValueError(f"chunk {number} added as the report's chunk {self._tables}: add them in order")
        if page.records:
            self.records.write(b"" if self._first else b",\n")
            self.records.write(page.records)
            self._first = False
        self.phrases.write(b"" if number == 0 else b",")
        self.phrases.write(orjson.dumps([self._string(text) for text in orjson.loads(page.phrases)]))
        self._tables += 1

    def _string(self, text: str) -> int | str:
        """The phrase's number in the page's string table, or the phrase itself once the table is full.

        Many chunks share a phrase, but a phrase with a runner's own values may be shared by a
        few runners of one chunk only: the table stops growing at PHRASES_KEPT, so memory stays
        bounded however long the roster (the page's script reads a number or a text alike).
        """
        number = self.strings.get(text)
        if number is not None:
            return number
        if len(self.strings) >= PHRASES_KEPT:
            return text
        self.strings[text] = number = len(self.strings)
        return number

    def _count(self, counted: ChunkCounts) -> None:
        """Add what a chunk's counts counted where it was screened (the rest is in `counts`)."""
        self.not_assessed_runners += counted.not_assessed_runners
        self.attention_total += counted.attention_total
        for index, count in counted.bins.items():
            self.bins[index] += count
        _add(self.rule_counts, counted.rule_counts)
        _add(self.stages, counted.stages)
        _add(self.groups, counted.groups)
        _add(self.not_assessed_counts, counted.not_assessed_counts)
        for rule_id, names in counted.not_assessed_inputs.items():
            self.not_assessed_inputs.setdefault(rule_id, set()).update(names)

    def _urgent_entry(self, runner: RunnerSummary) -> dict:
        flags = [rule_id for rule_id in runner.fired if self.ruleset.rule(rule_id).referral == "urgent"]
        return {"summary": runner, "flags": rule_titles(flags, self.ruleset)}

    def shown_bins(self) -> int:
        """Bins up to the highest score anyone reached, and at least into the top band: the axis ends there."""
        used = max((index for index, count in enumerate(self.bins) if count), default=0)
        top_band = self.ruleset.bands[-1].start // BIN_WIDTH
        return min(len(self.bins), max(used, top_band) + 1)

    def histogram(self) -> list[dict]:
        """One bar per score bin, coloured by the band its lowest score falls in."""
        top = max(self.bins) or 1
        bars = []
        for index, count in enumerate(self.bins[: self.shown_bins()]):
            low = index * BIN_WIDTH
            high = self.ruleset.score_max if index == len(self.bins) - 1 else low + BIN_WIDTH - 1
            bars.append(
                {"label": f"{low}-{high}", "count": count, "band": band_for(low, self.ruleset), "fraction": count / top}
            )
        return bars

    def factors(self) -> list[dict]:
        """The most common rules that raised concern (points or a referral), most frequent first."""
        concerning = [
            (rule_id, count)
            for rule_id, count in self.rule_counts.items()
            if self.ruleset.rule(rule_id).points > 0 or self.ruleset.rule(rule_id).referral != "none"
        ]
        concerning.sort(key=lambda pair: (-pair[1], self.ruleset.rule(pair[0]).index))
        top = concerning[0][1] if concerning else 1
        return [
            {
                "rule": rule_id,
                "index": self._rule_index[rule_id],
                "title": self.ruleset.rule(rule_id).title,
                "count": count,
                "share": count / self.screened,
                "fraction": count / top,
            }
            for rule_id, count in concerning[:TOP_FACTORS]
        ]

    def not_assessed(self) -> list[dict]:
        """Rules that could not run for some runners, with the data they lacked, most frequent first."""
        rows = []
        for rule_id, count in sorted(
            self.not_assessed_counts.items(), key=lambda pair: (-pair[1], self.ruleset.rule(pair[0]).index)
        ):
            if rule_id in self.set_aside:
                continue
            rule = self.ruleset.rule(rule_id)
            lacked = self.not_assessed_inputs.get(rule_id, set())
            needs = [self.ruleset.inputs[name].needed_data for name in rule.inputs if name in lacked]
            rows.append(
                {
                    "rule": rule_id,
                    "title": rule.title,
                    "needs": needs_for_coach(needs, self.ruleset),
                    "count": count,
                    # what it lacked is data a roster row gives (columns, or values derived from them), never
                    # the runner's stored history
                    "columns": bool(lacked) and not any(name in HISTORY_ONLY for name in lacked),
                }
            )
        return rows

    def assessed_for_none(self, rows: list[dict]) -> tuple[list[dict], list[dict]]:
        """`not_assessed` split: the table's rules, and those no screened runner was assessed for because every
        one lacked the same roster columns (the roster has no such data: said in one line, not a row per rule)."""
        none = [row for row in rows if row["columns"] and self.screened and row["count"] == self.screened]
        return [row for row in rows if row not in none], none

    def need_history(self) -> list[str]:
        """The titles of the rules this run could not assess for any runner because it kept no history."""
        return [
            rule.title
            for rule in self.ruleset.rules
            if rule.id in self.set_aside and rule.id in self.not_assessed_counts
        ]


def _add(totals: dict, counts: dict) -> None:
    for key, count in counts.items():
        totals[key] = totals.get(key, 0) + count
