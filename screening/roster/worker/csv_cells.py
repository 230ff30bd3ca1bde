"""Render screened runners and invalid rows as spreadsheet-safe CSV cells.

A spreadsheet runs any cell that begins with `=`, `+`, `-` or `@` (and some
take a leading tab or carriage return the same way) as a formula, so a runner
id or an error message copied from an untrusted roster could run one when a
coach opens the file. Spreadsheets also drop leading spaces and line breaks
before they look, so `"\n=1+1"` and `"  =1+1"` are formulas too, and some read
the full-width signs (`＝`) as their ASCII twins. Following the OWASP guidance
on CSV injection, such text cells (and any that begin with white space) get a
leading apostrophe, which spreadsheets show as plain text; numbers are
written as numbers.
"""

from screening.programme.words import stage_cell
from screening.result.field_words import needs_for_coach
from screening.ruleset.model import REFERRAL_ORDER, Ruleset

FORMULA_STARTS = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")
RESULT_COLUMNS = (
    "row",
    "runner_id",
    "score",
    "band",
    "referral",
    "urgency",
    "referral_to",
    "top_reasons",
    "top_reasons_text",
    "not_assessed",
    "not_assessed_text",
    "screening_id",
    "programme_stage",
)
ERROR_COLUMNS = ("row", "runner_id", "field", "message")
TOP_REASONS = 3


def spreadsheet_safe(value):
    """Return text that a spreadsheet shows as text; numbers and None pass unchanged."""
    if isinstance(value, str) and (value[:1].isspace() or value.startswith(FORMULA_STARTS)):
        return "'" + value
    return value


def top_reasons(result: dict, limit: int = TOP_REASONS) -> list[str]:
    """The rules that weigh most: referring rules by urgency first, then by points.

    Rules that add no points and refer nowhere (information only) or that
    lower the score (protective factors) are not reasons for concern.
    """
    rank = REFERRAL_ORDER.index
    concerns = [(entry, rank(entry.get("referral") or "none")) for entry in result["explanation"]]
    concerns = [(entry, urgency) for entry, urgency in concerns if entry["points"] > 0 or urgency > 0]
    # sorted() is stable, so ties keep the ruleset's order (the explanation's order).
    concerns.sort(key=lambda pair: (-pair[1], -pair[0]["points"]))
    return [entry["rule"] for entry, _ in concerns[:limit]]


def not_assessed_in_words(result: dict, ruleset: Ruleset) -> list[str]:
    """Each rule not assessed as "title: needs what, in words (column ...)", in the result's order."""
    return [
        f"{ruleset.rule(entry['rule']).title}: needs {needs_for_coach(entry['needs'], ruleset, ' and ')}"
        for entry in result["not_assessed_detail"]
    ]


def summary_values(row: int, result: dict, ruleset: Ruleset) -> list:
    """A screened runner's results.csv columns as plain values (the Parquet summary columns).

    Each code column of rules (`top_reasons`, `not_assessed`) has its words beside it (`_text`).
    """
    referral = result["referral"]
    reasons = top_reasons(result)
    return [
        row,
        result["runner_id"],
        result["risk"]["score"],
        result["risk"]["band"],
        referral["required"],
        referral["urgency"],
        referral["to"],
        reasons,
        [ruleset.rule(rule_id).title for rule_id in reasons],
        result["not_assessed"],
        not_assessed_in_words(result, ruleset),
        result["screening_id"],
        stage_cell(result.get("programme")),
    ]


def csv_cells(values: list) -> list:
    """`summary_values` as one spreadsheet-safe results.csv row."""
    row, runner_id, score, band, required, urgency, to = values[:7]
    reasons, reasons_text, not_assessed, not_assessed_text, screening_id, stage = values[7:]
    return [
        row,
        spreadsheet_safe(runner_id),
        score,
        band,
        "yes" if required else "no",
        urgency or "",
        to or "",
        "; ".join(reasons),
        spreadsheet_safe("; ".join(reasons_text)),
        "; ".join(not_assessed),
        spreadsheet_safe("; ".join(not_assessed_text)),
        screening_id,
        stage,
    ]


def error_rows(row: int, runner_id: str, errors: dict[str, list[str]]) -> list[list]:
    """One errors.csv row per message of an invalid row, fields in path order."""
    safe_id = spreadsheet_safe(runner_id)
    return [
        [row, safe_id, spreadsheet_safe(path), spreadsheet_safe(message)]
        for path, messages in sorted(errors.items())
        for message in messages
    ]
