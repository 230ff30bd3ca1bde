"""Render a screening result as a plain-text note a clinician can read.

Given the ruleset (and the intake), the note says things in words first and
ids second: rule titles for reasons, each condition with the runner's values
and units, ratios as percentages, the time in the local zone, and what was
entered; without them it falls back to the result's own ids and condition text.
"""

import textwrap

from screening.programme import words as programme_words
from screening.result.conditions import entry_in_words, needs_in_words, rule_titles
from screening.result.entered import entered
from screening.result.listing import design_choice_cutoffs, points_listing, points_origin
from screening.result.sections import band_text, derived_in_words, history_in_words, scale_text
from screening.result.values import format_value, local_time

WIDTH = 88


def _wrap(text: str, indent: str) -> str:
    return textwrap.fill(text, WIDTH, initial_indent=indent, subsequent_indent=indent + "  ", break_on_hyphens=False)


def _hang(text: str, indent: str) -> str:
    """`text` after `indent` (a bullet, a tick box), its further lines under the text."""
    rest = " " * len(indent) + "  "
    return textwrap.fill(text, WIDTH, initial_indent=indent, subsequent_indent=rest, break_on_hyphens=False)


def render(result: dict, ruleset=None, intake: dict | None = None, zone: str | None = None) -> str:
    """The result as text: band, referral, recommendations, every fired rule with its evidence."""

    def titles(rule_ids) -> str:
        if ruleset is None:
            return ", ".join(rule_ids)
        return "; ".join(rule_titles(rule_ids, ruleset))

    unit = (intake or {}).get("training", {}).get("unit") or "km"
    lines = []
    referral = result["referral"]
    if referral["urgency"] == "urgent":
        escalation = referral.get("escalation")
        lines += ["!" * WIDTH]
        if escalation:
            lines.append(_wrap(escalation["text"].upper(), "!! "))
        lines += [
            _wrap(
                "URGENT: same-day medical referral. A red flag fired: do not advise training "
                "until a clinician has assessed the calf.",
                "!! ",
            ),
            "!" * WIDTH,
            "",
        ]
    ruleset_ref = result["ruleset"]
    when = local_time(result["screened_at"], zone) if ruleset is not None else result["screened_at"]
    lines.append(
        f"Soleus strain screening - runner {result['runner_id']} - {when} - "
        f"ruleset {ruleset_ref['name']} {ruleset_ref['version']}"
    )
    risk = result["risk"]
    lines.append(_wrap(f"Risk: {band_text(risk)}", ""))
    if risk.get("symptoms"):
        lines.append(_wrap(f"symptomatic because: {titles(risk['symptoms'])}", "  "))
    lines.append(_wrap(scale_text(risk), "  "))
    if referral["required"]:
        lines.append(
            _wrap(f"Referral: {referral['urgency']} to {referral['to']} (because {titles(referral['reasons'])})", "")
        )
    else:
        lines.append("Referral: none")

    lines += ["", "Recommendations"]
    if not result["recommendations"]:
        lines.append("  none: no rule that recommends anything fired")
    for number, rec in enumerate(result["recommendations"], 1):
        lines.append(_wrap(f"{number}. {rec['text']}", "  "))
        reason = f"because: {titles(rec['because'])}" if rec["because"] else "general advice: no risk factor fired"
        lines.append(_wrap(reason, "     "))
        if rec.get("withholds"):
            lines.append(_wrap(f"given instead of: {', '.join(rec['withholds'])}", "     "))

    if result.get("programme"):
        lines.append("")
        lines += [_hang(text, indent) for indent, text in programme_words.lines(result["programme"])]

    listing = points_listing(result)

    def rule_lines(entry: dict, points: str) -> list[str]:
        found = [_wrap(f"{entry['title']}  ({points})  [{entry['rule']}]", "  ")]
        if ruleset is not None:
            found.append(_wrap(f"read: {entry_in_words(entry, ruleset, unit)}", "      "))
        else:
            found.append(_wrap(f"condition: {entry['condition']}", "      "))
            shown = ", ".join(f"{name} = {format_value(value)}" for name, value in entry["inputs"].items())
            found.append(_wrap(f"inputs: {shown}", "      "))
        if entry["points"]:
            found.append(_wrap(f"points: {points_origin(entry)}", "      "))
        cutoffs = design_choice_cutoffs(entry)
        if cutoffs:
            found.append(_wrap(f"cut-off {'; '.join(cutoffs)}: a design choice; the grades are the factor's", "      "))
        for evidence in entry["evidence"]:
            found.append(_wrap(f"evidence [{evidence['grade']}]: {evidence['citation']}", "      "))
        if entry.get("note"):
            found.append(_wrap(f"note: {entry['note']}", "      "))
        return found

    lines += ["", "Rules that added points"]
    if not listing.scored:
        lines.append("  none")
    for entry in listing.scored:
        lines += rule_lines(entry, f"{entry['points']:+d} points")
    for cap in listing.caps:
        lines.append(_wrap(f"{cap.group} rules: {cap.points} points, capped at {cap.counted} ({-cap.less:+d})", "  "))
    if listing.clamp:
        lines.append(
            _wrap(
                f"kept within the scale's {risk['scale']['minimum']}-{risk['scale']['maximum']}: {-listing.clamp:+d}",
                "  ",
            )
        )
    if listing.scored:
        lines.append(f"  = score {listing.score}")
    lines += ["", "Rules that fired without points (they refer, or are information)"]
    if not listing.unscored:
        lines.append("  none")
    for entry in listing.unscored:
        lines += rule_lines(entry, "refers" if entry["referral"] != "none" else "information")

    lines += ["", "Not assessed (missing data, not assumed normal)"]
    if not result["not_assessed_detail"]:
        lines.append("  none")
    for entry in result["not_assessed_detail"]:
        needs = needs_in_words(entry["needs"], ruleset) if ruleset is not None else "; ".join(entry["needs"])
        lines.append(_wrap(f"{entry['title']} [{entry['rule']}]: needs {needs}", "  "))

    lines += ["", "Derived values (distances in km)"]
    lines += [_wrap(phrase, "  ") for phrase in derived_in_words(result["derived"])]
    if result.get("history") is not None:
        lines += ["", "Over time (the runner's earlier stored screenings)"]
        lines += [_wrap(phrase, "  ") for phrase in history_in_words(result["history"])]
    if intake is not None and ruleset is not None:
        lines += ["", "What was entered"]
        for section in entered(intake, ruleset):
            lines.append(f"  {section['title']}")
            lines += [_wrap(f"{label}: {value}", "    ") for label, value in section["rows"]]
    lines += ["", result["disclaimer"]]
    return "\n".join(lines) + "\n"
