"""Gather a roster's screenings into a coach's report: a page of bounded size, whatever the roster's.

Counts, the score histogram and how often each rule fired are kept for every
runner; full detail (each fired rule with its inputs and evidence) is kept for
the first `attention_cap` runners who need attention (urgent or soon referral,
or high band) and the first `other_cap` of the rest, so the page stays usable
for a roster of 100,000. What was left out is counted and said on the page.
The one thing that grows with the roster is the set of runner ids seen, to
find ids on more than one row (about 10 MB per 100,000 runners).
"""

from datetime import UTC, datetime
from pathlib import Path

import orjson
from jinja2 import Environment, PackageLoader, select_autoescape

from screening.batch.pipeline import ChunkOutput, InvalidRow, RunnerSummary
from screening.batch.repeated_ids import RepeatedIds
from screening.batch.rows import Tally
from screening.batch.tally import BIN_WIDTH, bin_count, needs_attention, tally
from screening.batch.tally import Tally as PartTally
from screening.result.risk import band_for
from screening.result.text_note import format_value
from screening.ruleset.model import Ruleset

TOP_FACTORS = 12
ATTENTION_CAP = 1000
OTHER_CAP = 500
URGENT_CAP = 1000
INVALID_CAP = 200
REPEATED_CAP = 200


def _detail(result: dict) -> dict:
    """The parts of a result the page shows (evidence grades and citations, not thresholds)."""
    return {
        "explanation": [
            {key: entry[key] for key in ("rule", "title", "points", "condition", "inputs", "evidence")}
            for entry in result["explanation"]
        ],
        "recommendations": [{"text": rec["text"], "because": rec["because"]} for rec in result["recommendations"]],
        "not_assessed": result["not_assessed_detail"],
        "derived": result["derived"],
        "referral": result["referral"],
    }


class RosterReport:
    """Accumulates chunk outputs in roster order; `render` writes the HTML page."""

    def __init__(
        self,
        ruleset: Ruleset,
        source_name: str,
        *,
        attention_cap: int = ATTENTION_CAP,
        other_cap: int = OTHER_CAP,
        urgent_cap: int = URGENT_CAP,
        invalid_cap: int = INVALID_CAP,
        repeated_cap: int = REPEATED_CAP,
        generated_at: str | None = None,
    ):
        self.ruleset = ruleset
        self.source_name = source_name
        self.generated_at = generated_at or datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        self.caps = {"attention": attention_cap, "other": other_cap, "urgent": urgent_cap, "invalid": invalid_cap}
        self.tally = Tally(repeated_cap)  # the counts, as the batch endpoint's summary has them
        self.bins = [0] * bin_count(ruleset.score_max)
        self.rule_counts: dict[str, int] = {}
        self.not_assessed_runners = 0
        self.not_assessed_counts: dict[str, int] = {}
        self.urgent: list[dict] = []
        self.attention: list[dict] = []
        self.others: list[dict] = []
        self.attention_total = 0
        self.invalid: list[InvalidRow] = []

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
    def repeated_ids(self) -> RepeatedIds:
        return self.tally.repeated_ids

    def wants_detail(self) -> bool:
        """Whether runners still to come may be shown in full (so their chunk must bring their JSON)."""
        return len(self.attention) < self.caps["attention"] or len(self.others) < self.caps["other"]

    def add(self, output: ChunkOutput, counted: PartTally | None = None) -> None:
        """Add a chunk's runners, with their tally if it was made where they were screened."""
        self._count(counted or tally(output.runners, len(self.bins)))
        for runner in output.runners:
            self.tally.count_screened(runner.row, runner.runner_id, runner.band, runner.urgency)
            if runner.urgency == "urgent":
                if len(self.urgent) < self.caps["urgent"]:
                    self.urgent.append(self._urgent_entry(runner))
            keep = self.attention if needs_attention(runner) else self.others
            cap = self.caps["attention"] if keep is self.attention else self.caps["other"]
            if len(keep) < cap:
                result = orjson.loads(output.jsonl[runner.line[0] : runner.line[1]])
                keep.append({"summary": runner, **_detail(result)})
        for _ in output.invalid:
            self.tally.count_invalid()
        room = self.caps["invalid"] - len(self.invalid)
        self.invalid.extend(output.invalid[: max(room, 0)])

    def _count(self, counted: PartTally) -> None:
        """Add what a partition's tally counted where it was screened (the rest is in `tally`)."""
        self.not_assessed_runners += counted.not_assessed_runners
        self.attention_total += counted.attention_total
        for index, count in counted.bins.items():
            self.bins[index] += count
        _add(self.rule_counts, counted.rule_counts)
        _add(self.not_assessed_counts, counted.not_assessed_counts)

    def _urgent_entry(self, runner: RunnerSummary) -> dict:
        flags = [
            self.ruleset.rule(rule_id) for rule_id in runner.fired if self.ruleset.rule(rule_id).referral == "urgent"
        ]
        return {"summary": runner, "flags": [rule.title for rule in flags]}

    def histogram(self) -> list[dict]:
        """One bar per score bin, coloured by the band its lowest score falls in."""
        top = max(self.bins) or 1
        bars = []
        for index, count in enumerate(self.bins):
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
                "title": self.ruleset.rule(rule_id).title,
                "count": count,
                "share": count / self.screened,
                "fraction": count / top,
            }
            for rule_id, count in concerning[:TOP_FACTORS]
        ]

    def not_assessed(self) -> list[dict]:
        """Rules that could not run for some runners, with the data they need, most frequent first."""
        rows = []
        for rule_id, count in sorted(
            self.not_assessed_counts.items(), key=lambda pair: (-pair[1], self.ruleset.rule(pair[0]).index)
        ):
            rule = self.ruleset.rule(rule_id)
            needs = [
                self.ruleset.inputs[name].needed_data
                for name in rule.inputs
                if self.ruleset.inputs[name].absent == "not_assessed"
            ]
            rows.append({"rule": rule_id, "title": rule.title, "needs": needs, "count": count})
        return rows

    def context(self) -> dict:
        urgencies = self.urgencies
        return {
            "source_name": self.source_name,
            "generated_at": self.generated_at,
            "ruleset": self.ruleset,
            "screened": self.screened,
            "bands": self.bands,
            "urgencies": urgencies,
            "histogram": self.histogram(),
            "factors": self.factors(),
            "not_assessed_runners": self.not_assessed_runners,
            "not_assessed": self.not_assessed(),
            "urgent": self.urgent,
            "urgent_total": urgencies["urgent"],
            "attention": self.attention,
            "attention_total": self.attention_total,
            "others": self.others,
            "others_total": self.screened - self.attention_total,
            "invalid": self.invalid,
            "invalid_total": self.invalid_rows,
            "repeated": self.repeated_ids.repeated,
            "repeated_total": self.repeated_ids.total,
        }

    def render(self, path: Path) -> None:
        """Write the report as one self-contained HTML file (no scripts, fonts or images fetched)."""
        template = _environment().get_template("report.html")
        template.stream(self.context()).dump(str(path), encoding="utf-8")


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
