"""Gather a roster's screenings into a coach's report: one self-contained page with every runner.

Counts, the score histogram and how often each rule fired are added up from
each partition's tally as the partitions arrive. Every runner goes into the
page as one compact JSON record (row, id, score, band, urgency, the rules that
fired said with the runner's values, recommendations, what was not assessed),
made where its partition was screened (`runner_records`) and spooled to a
temporary file as it arrives, so memory stays flat and this process does a few
appends a partition, not work a runner; the page embeds it once. A phrase that
runners share is a number: in its partition's phrase table, whose entries are
numbers in the page's one string table. A small script in the page draws the
rows as they are needed, sorts, filters and searches them, so a roster of
100,000 stays usable. Rule titles, evidence and recommendation texts are
written once per ruleset, not once per runner. The urgent table (bounded by
`urgent_cap`) and the invalid rows are drawn as HTML.
"""

import tempfile
import weakref
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import orjson
from jinja2 import Environment, PackageLoader, select_autoescape

from screening.batch.pipeline import ChunkOutput, InvalidRow, RunnerSummary
from screening.batch.repeated_ids import SpooledRepeatedIds
from screening.batch.rows import Tally
from screening.batch.tally import BIN_WIDTH, bin_count, needs_history
from screening.batch.tally import Tally as PartTally
from screening.derive import HISTORY_ONLY
from screening.intake.messages import field_in_words, plain_message
from screening.programme.words import PROGRAMME_CELLS, stage_cell
from screening.result.conditions import entry_in_words, needs_in_words, rule_titles
from screening.result.risk import band_for
from screening.result.sections import derived_in_words
from screening.result.values import format_value
from screening.ruleset.model import BANDS, URGENCIES, Ruleset

if TYPE_CHECKING:
    from screening.batch.parts import PartOutput  # it imports runner_records from here

TOP_FACTORS = 12
URGENT_CAP = 1000
INVALID_CAP = 200
REPEATED_CAP = 200
DATA_MARK = "@@ROSTER_DATA@@"


class PageRecords(NamedTuple):
    """A partition's runners as the page reads them: JSON text ready to embed, and its phrase table."""

    records: bytes  # the records, comma-separated (no brackets); b"" for a partition of no runner
    phrases: bytes  # JSON array: the phrases its records give by number


def runner_records(output: ChunkOutput, ruleset: Ruleset, part: int) -> PageRecords:
    """Each screened runner of a chunk as the page's script reads it, made from the chunk's JSON lines.

    Made where the chunk was screened (parts.screen_part), so the report never reads the results
    back and only appends the text: numbers index the ruleset's rules and recommendations; a phrase
    that more than one runner of the partition shares ("age 45 years is at least 40 years") is a
    number in the partition's phrase table, which the record names (its last item, `part`); a phrase
    of one runner's own values stays text. Tables are per partition, so no process holds a table
    of the whole roster's phrases, and the page's script reads a number or a text alike.
    """
    rule_index = {rule.id: index for index, rule in enumerate(ruleset.rules)}
    rec_index = {rec_id: index for index, rec_id in enumerate(ruleset.recommendations)}
    records = []
    for runner in output.runners:
        result = orjson.loads(output.jsonl[runner.line[0] : runner.line[1]])
        unit = result["derived"].get("entered_unit", "km")
        records.append(
            [
                runner.row,
                runner.runner_id,
                runner.score,
                BANDS.index(runner.band),
                URGENCIES.index(runner.urgency) if runner.urgency else -1,
                result["referral"]["to"],
                [rule_index[entry["rule"]] for entry in result["explanation"]],
                [entry_in_words(entry, ruleset, unit) for entry in result["explanation"]],
                [rec_index[rec["id"]] for rec in result["recommendations"]],
                [
                    item
                    for entry in result["not_assessed_detail"]
                    for item in (rule_index[entry["rule"]], needs_in_words(entry["needs"], ruleset))
                ],
                derived_in_words(result["derived"]),
                part,
                change_since_previous(result),
                [entry["points"] for entry in result["explanation"]],
                [[cap["group"], cap["points"], cap["counted"]] for cap in result["risk"].get("caps", [])],
                stage_cell(result.get("programme")),
            ]
        )
    uses = Counter(text for record in records for text in (*record[7], *record[9][1::2], *record[10]))
    table: dict[str, int] = {}

    def phrase(text: str) -> int | str:
        return table.setdefault(text, len(table)) if uses[text] > 1 else text

    for record in records:
        record[7] = [phrase(text) for text in record[7]]
        record[9] = [item if index % 2 == 0 else phrase(item) for index, item in enumerate(record[9])]
        record[10] = [phrase(text) for text in record[10]]
    return PageRecords(b",\n".join(orjson.dumps(record) for record in records), orjson.dumps(list(table)))


PHRASES_KEPT = 20_000  # distinct phrases numbered in the page's string table; later ones are written out


def change_since_previous(result: dict) -> list | None:
    """What the report shows of a stored result's `history`: [band change, score change, newly referred].

    None for a result of a run that did not store (it has no `history`); ["first", 0, 0] for the
    runner's first stored screening. Band change is "up", "down" or "same"; newly referred is 1
    when this screening refers the runner and the previous one did not.
    """
    history = result.get("history")
    if history is None:
        return None
    previous = history["previous"]
    if previous is None:
        return ["first", 0, 0]
    newly_referred = result["referral"]["urgency"] is not None and previous["urgency"] is None
    return [history["band_change"] or "same", history["score_change"], int(newly_referred)]


def embeddable(data: bytes) -> bytes:
    """JSON safe inside a <script> element: no "<" can close it (JSON strings allow \\u003c)."""
    return data.replace(b"<", b"\\u003c")


class RosterReport:
    """Accumulates chunk outputs in roster order; `render` writes the HTML page."""

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
        self.tally = Tally(repeated_ids=self._repeated_ids)
        self.bins = [0] * bin_count(ruleset.score_max)
        self.rule_counts: dict[str, int] = {}
        self.stages: dict[str, int] = {}  # programme stage cell -> runners
        self.not_assessed_runners = 0
        self.not_assessed_counts: dict[str, int] = {}
        self.not_assessed_inputs: dict[str, set[str]] = {}  # rule id -> inputs some runner lacked for it
        self.urgent: list[dict] = []
        self.attention_total = 0
        self.invalid: list[InvalidRow] = []
        self._rule_index = {
            rule.id: index for index, rule in enumerate(ruleset.rules)
        }  # as runner_records numbers them
        # Every runner's record, and each partition's phrases as the page's table numbers them, spooled
        # so memory stays flat.
        self._records = tempfile.TemporaryFile()  # noqa: SIM115 (closed by render)
        self._phrases = tempfile.TemporaryFile()  # noqa: SIM115 (closed by render)
        # A run that fails before render drops the report: its spool files are closed (and gone) with it.
        weakref.finalize(self, self._records.close)
        weakref.finalize(self, self._phrases.close)
        self._records.write(b"[")
        self._phrases.write(b"[")
        self._first = True
        self._tables = 0  # partitions added, each with its phrase table
        # Phrases many runners share ("age 45 years is at least 40 years") are written once, by number.
        self._strings: dict[str, int] = {}
        self.stored = stored  # a run that stores: every result carries `history` (see change_since_previous)
        self.full_results = "results.jsonl"  # the file the footer names (run.py: results.parquet when no JSONL)
        # Without a store the rules that read a runner's baseline never run: said once, not per runner.
        self.set_aside = frozenset() if stored else needs_history(ruleset)

    @property
    def screened(self) -> int:
        return self.tally.screened

    @property
    def invalid_rows(self) -> int:
        return self.tally.invalid

    @property
    def bands(self) -> dict[str, int]:
        return self.tally.bands

    @property
    def urgencies(self) -> dict[str | None, int]:
        """Screened runners by referral urgency; None counts those not referred."""
        counts: dict[str | None, int] = {urgency: count for urgency, count in self.tally.referrals.items()}
        counts[None] = self.tally.not_referred
        return counts

    @property
    def repeated_ids(self) -> SpooledRepeatedIds:
        return self._repeated_ids

    def add(self, part: "PartOutput") -> None:
        """Add a partition (parts.PartOutput): its counts, records, urgent and invalid rows, in roster order."""
        counted = part.tally
        self._count(counted)
        self.tally.count_part(counted.screened, counted.bands, counted.urgencies, part.ids)
        for runner in part.urgent[: max(self.caps["urgent"] - len(self.urgent), 0)]:
            self.urgent.append(self._urgent_entry(runner))
        self._add_page(part.number, part.records)
        self.tally.count_invalid(len(part.invalid))
        room = self.caps["invalid"] - len(self.invalid)
        self.invalid.extend(part.invalid[: max(room, 0)])

    def _add_page(self, number: int, page: PageRecords) -> None:
        """Append a partition's records, and its phrase table as numbers in the page's string table.

        The records stay as the partition made them: their phrase numbers index the partition's
        table (the `number`-th in the page), whose phrases are written as their numbers in the
        page's table: a few hundred look-ups a partition, not one per runner's phrase.
        """
        if number != self._tables:
            raise ValueError(f"partition {number} added as the report's partition {self._tables}: add them in order")
        if page.records:
            self._records.write(b"" if self._first else b",\n")
            self._records.write(page.records)
            self._first = False
        self._phrases.write(b"" if number == 0 else b",")
        self._phrases.write(orjson.dumps([self._string(text) for text in orjson.loads(page.phrases)]))
        self._tables += 1

    def _string(self, text: str) -> int | str:
        """The phrase's number in the page's string table, or the phrase itself once the table is full.

        Many partitions share a phrase, but a phrase with a runner's own values may be shared by a
        few runners of one partition only: the table stops growing at PHRASES_KEPT, so memory stays
        bounded however long the roster (the page's script reads a number or a text alike).
        """
        number = self._strings.get(text)
        if number is not None:
            return number
        if len(self._strings) >= PHRASES_KEPT:
            return text
        self._strings[text] = number = len(self._strings)
        return number

    def _count(self, counted: PartTally) -> None:
        """Add what a partition's tally counted where it was screened (the rest is in `tally`)."""
        self.not_assessed_runners += counted.not_assessed_runners
        self.attention_total += counted.attention_total
        for index, count in counted.bins.items():
            self.bins[index] += count
        _add(self.rule_counts, counted.rule_counts)
        _add(self.stages, counted.stages)
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
                    "needs": needs_in_words(needs, self.ruleset),
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

    def tables(self) -> dict:
        """What every runner shares, written once: rules, recommendations, band and urgency names."""
        ruleset = self.ruleset
        return {
            "bands": list(BANDS),
            "urgencies": list(URGENCIES),
            "rules": [
                {
                    "id": rule.id,
                    "title": rule.title,
                    "points": rule.points,
                    "evidence": [[item.citation, item.grade] for item in rule.evidence],
                    "concern": rule.points > 0 or rule.referral != "none",
                    "refers": rule.referral != "none",
                }
                for rule in ruleset.rules
            ],
            "recommendations": [rec.text for rec in ruleset.recommendations.values()],
        }

    def context(self) -> dict:
        urgencies = self.urgencies
        some_assessed, none_assessed = self.assessed_for_none(self.not_assessed())
        return {
            "source_name": self.source_name,
            "generated_at": self.generated_at,
            "stored": self.stored,
            "full_results": self.full_results,
            "ruleset": self.ruleset,
            "screened": self.screened,
            "bands": self.bands,
            "stages": PROGRAMME_CELLS,
            "stage_counts": [(cell, self.stages.get(cell, 0)) for cell in PROGRAMME_CELLS],
            "urgencies": urgencies,
            "histogram": self.histogram(),
            "axis_cut": self.shown_bins() < len(self.bins),
            "factors": self.factors(),
            "not_assessed_runners": self.not_assessed_runners,
            "not_assessed": some_assessed,
            "assessed_for_none": none_assessed,
            "need_history": self.need_history(),
            "urgent": self.urgent,
            "urgent_total": urgencies["urgent"],
            "attention_total": self.attention_total,
            "invalid": [
                {
                    "row": row.row,
                    "runner_id": row.runner_id,
                    "errors": [
                        (field_in_words(field), plain_message(message))
                        for field, messages in sorted(row.errors.items())
                        for message in messages
                    ],
                }
                for row in self.invalid
            ],
            "invalid_total": self.invalid_rows,
            "repeated": self.repeated_ids.repeated,
            "repeated_total": self.repeated_ids.total,
            "tables": embeddable(orjson.dumps(self.tables())).decode(),
            "data_mark": DATA_MARK,
            "script": _SCRIPT,
            "palette": _PALETTE,
        }

    def render(self, path: Path) -> None:
        """Write the report as one self-contained HTML file (nothing fetched; one inline script)."""
        page = _environment().get_template("report.html").render(self.context())
        before, between, table, after = page.split(DATA_MARK)
        with open(path, "wb") as out:
            out.write(before.encode())
            _embed(self._records, out)
            out.write(between.encode())
            out.write(embeddable(orjson.dumps(list(self._strings))))
            out.write(table.encode())
            _embed(self._phrases, out)
            out.write(after.encode())


def _embed(spool, out) -> None:
    """Close the spooled JSON array and copy it into the page, made embeddable block by block, then drop it."""
    spool.write(b"]")
    spool.seek(0)
    while block := spool.read(1 << 20):
        out.write(embeddable(block))
    spool.close()


_SCRIPT = (Path(__file__).parent / "templates" / "report.js").read_text(encoding="utf-8")
_PALETTE = (Path(__file__).parents[1] / "result" / "palette.css").read_text(encoding="utf-8")


def _add(totals: dict, counts: dict) -> None:
    for key, count in counts.items():
        totals[key] = totals.get(key, 0) + count


def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("screening.batch", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["value"] = format_value
    return environment
