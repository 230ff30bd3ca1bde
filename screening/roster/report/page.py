"""Render a roster's report (report.totals.RosterReport) as one self-contained HTML page for the coach.

The page embeds every runner's record once, from the spools the totals kept,
made safe inside a <script> element block by block. A small script in the page
draws the rows as they are needed, sorts, filters and searches them, so a roster
of 100,000 stays usable. Rule titles, evidence and recommendation texts are
written once per ruleset, not once per runner. The urgent table and the invalid
rows are drawn as HTML. The template, its script and the palette are package
data, read through importlib.resources.
"""

from importlib.resources import files
from pathlib import Path

import orjson
from jinja2 import Environment, PackageLoader, select_autoescape

from screening.intake.messages import plain_message
from screening.programme.words import PROGRAMME_CELLS
from screening.result.field_words import field_column, field_words
from screening.result.values import format_value
from screening.roster.report.totals import RosterReport
from screening.ruleset.model import BANDS, URGENCIES

DATA_MARK = "@@ROSTER_DATA@@"
PRINT_MAX = 5000  # runners a print draws at most (more would not lay out): "Print these runners" says so first
_SCRIPT = (files("screening.roster.report") / "templates" / "report.js").read_text(encoding="utf-8")
_PALETTE = (files("screening.result") / "palette.css").read_text(encoding="utf-8")


def embeddable(data: bytes) -> bytes:
    """JSON safe inside a <script> element: no "<" can close it (JSON strings allow \\u003c)."""
    return data.replace(b"<", b"\\u003c")


def tables(report: RosterReport) -> dict:
    """What every runner shares, written once: rules, recommendations, band and urgency names."""
    ruleset = report.ruleset
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


def context(report: RosterReport) -> dict:
    """What the template is rendered with (the runners' records are embedded after, at DATA_MARK)."""
    urgencies = report.urgencies
    some_assessed, none_assessed = report.assessed_for_none(report.not_assessed())
    return {
        "source_name": report.source_name,
        "generated_at": report.generated_at,
        "stored": report.stored,
        "full_results": report.full_results,
        "ruleset": report.ruleset,
        "screened": report.screened,
        "bands": report.bands,
        "stages": PROGRAMME_CELLS,
        "stage_counts": [(cell, report.stages.get(cell, 0)) for cell in PROGRAMME_CELLS],
        "groups": sorted(report.groups),
        "urgencies": urgencies,
        "histogram": report.histogram(),
        "axis_cut": report.shown_bins() < len(report.bins),
        "factors": report.factors(),
        "not_assessed_runners": report.not_assessed_runners,
        "not_assessed": some_assessed,
        "assessed_for_none": none_assessed,
        "need_history": report.need_history(),
        "urgent": report.urgent,
        "urgent_total": urgencies["urgent"],
        "attention_total": report.attention_total,
        "invalid": [
            {
                "row": row.row,
                "runner_id": row.runner_id,
                "errors": [
                    (field_words(field, report.ruleset), field_column(field), plain_message(message))
                    for field, messages in sorted(row.errors.items())
                    for message in messages
                ],
            }
            for row in report.invalid
        ],
        "invalid_total": report.invalid_rows,
        "repeated": report.repeated_ids.repeated,
        "repeated_total": report.repeated_ids.total,
        "tables": embeddable(orjson.dumps(tables(report))).decode(),
        "data_mark": DATA_MARK,
        "print_max": PRINT_MAX,
        "script": _SCRIPT,
        "palette": _PALETTE,
    }


def render(report: RosterReport, path: Path) -> None:
    """Write the report as one self-contained HTML file (nothing fetched; one inline script)."""
    page = _environment().get_template("report.html").render(context(report))
    before, between, table, after = page.split(DATA_MARK)
    with open(path, "wb") as out:
        out.write(before.encode())
        _embed(report.records, out)
        out.write(between.encode())
        out.write(embeddable(orjson.dumps(list(report.strings))))
        out.write(table.encode())
        _embed(report.phrases, out)
        out.write(after.encode())


def _embed(spool, out) -> None:
    """Close the spooled JSON array and copy it into the page, made embeddable block by block, then drop it."""
    spool.write(b"]")
    spool.seek(0)
    while block := spool.read(1 << 20):
        out.write(embeddable(block))
    spool.close()


def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("screening.roster.report", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["value"] = format_value
    return environment
