"""Render a screening result as a plain-text note a clinician can read."""

import textwrap

WIDTH = 88


def _wrap(text: str, indent: str) -> str:
    return textwrap.fill(text, WIDTH, initial_indent=indent, subsequent_indent=indent + "  ")


def format_value(value) -> str:
    """Show an input value as a clinician reads it: missing, yes/no, or the number."""
    if value is None:
        return "not given"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return f"{value:g}" if isinstance(value, float) else str(value)


def risk_multiple_text(risk: dict) -> str:
    """Where the score sits: its risk multiple, said in words."""
    return f"about {risk['relative_risk']['value']:.1f}x the risk of a runner with none of these factors"


def scale_text(risk: dict) -> str:
    """The band limits in points and as risk multiples, with the independence caveat."""
    bands = risk["scale"]["bands"]
    parts = []
    for index, band in enumerate(bands):
        upper = bands[index + 1]["relative_risk_from"] if index + 1 < len(bands) else None
        multiple = (
            f"under {upper:g}x"
            if index == 0
            else f"{band['relative_risk_from']:g}-{upper:g}x"
            if upper
            else f"{band['relative_risk_from']:g}x and over"
        )
        points = f"{band['from']}-{band['to']}" if upper else f"{band['from']}+"
        parts.append(f"{band['band']} {points} ({multiple})")
    per = risk["scale"]["points_per_doubling"]
    return f"Bands: {', '.join(parts)}; every {per} points double the multiple, assuming independent effects."


def render(result: dict) -> str:
    """The result as text: band, referral, recommendations, every fired rule with its evidence."""
    lines = []
    referral = result["referral"]
    if referral["urgency"] == "urgent":
        lines += [
            "!" * WIDTH,
            _wrap(
                "URGENT: same-day medical referral. A red flag fired: do not advise training "
                "until a clinician has assessed the calf.",
                "!! ",
            ),
            "!" * WIDTH,
            "",
        ]
    ruleset = result["ruleset"]
    lines.append(
        f"Soleus strain screening - runner {result['runner_id']} - {result['screened_at']} - "
        f"ruleset {ruleset['name']} {ruleset['version']}"
    )
    risk = result["risk"]
    lines.append(f"Risk: {risk['band'].upper()} (score {risk['score']}, {risk_multiple_text(risk)})")
    lines.append(_wrap(scale_text(risk), "  "))
    if referral["required"]:
        lines.append(f"Referral: {referral['urgency']} to {referral['to']} (because {', '.join(referral['reasons'])})")
    else:
        lines.append("Referral: none")

    lines += ["", "Recommendations"]
    if not result["recommendations"]:
        lines.append("  none: no rule that recommends anything fired")
    for number, rec in enumerate(result["recommendations"], 1):
        lines.append(_wrap(f"{number}. {rec['text']}", "  "))
        lines.append(_wrap(f"because: {', '.join(rec['because'])}", "     "))

    lines += ["", "Rules that fired"]
    if not result["explanation"]:
        lines.append("  none")
    for entry in result["explanation"]:
        lines.append(f"  {entry['rule']}  ({entry['points']:+d} points)  {entry['title']}")
        lines.append(_wrap(f"condition: {entry['condition']}", "      "))
        shown = ", ".join(f"{name} = {format_value(value)}" for name, value in entry["inputs"].items())
        lines.append(_wrap(f"inputs: {shown}", "      "))
        for evidence in entry["evidence"]:
            lines.append(_wrap(f"evidence [{evidence['grade']}]: {evidence['citation']}", "      "))
        if entry["basis"] == "design choice":
            lines.append("      basis: design choice")
        if entry.get("note"):
            lines.append(_wrap(f"note: {entry['note']}", "      "))

    lines += ["", "Not assessed (missing data, not assumed normal)"]
    if not result["not_assessed_detail"]:
        lines.append("  none")
    for entry in result["not_assessed_detail"]:
        lines.append(_wrap(f"{entry['rule']}: needs {'; '.join(entry['needs'])}", "  "))

    derived = result["derived"]
    reference = derived["heel_raise_reference"]
    lines += [
        "",
        "Derived values (distances in km)",
        f"  weekly distance: {', '.join(format_value(v) for v in derived['weekly_distance_km'])}",
        f"  week-over-week change: {format_value(derived['week_over_week_change'])}; "
        f"ACWR: {format_value(derived['acwr'])}; "
        f"latest run vs longest in 30 days: {format_value(derived['spike_vs_longest_30d'])}",
        f"  limb symmetry index: {format_value(derived['limb_symmetry_index'])}; "
        f"heel-raise reference: {reference['reps']} reps ({reference['basis']})",
        "",
        result["disclaimer"],
    ]
    return "\n".join(lines) + "\n"
