"""One value in words: every formatter a face uses to show a number, a distance, a ratio or a time.

A leaf: it imports nothing of `screening.result`, so every module that says a
value (the notes, the derived and history sections, a rule's condition, the
roster report, the FHIR RiskAssessment) imports it and none of them imports
another to borrow a formatter.

    format_value(7) -> "7"; (None) -> "not given"; (True) -> "yes"
    distance(30, "mi") -> "30 mi (48.3 km)"
    weekly([30, 32], "km") -> ("Weeks 1-2, oldest first", "30, 32 km")
    percent(0.96) -> "96%"; percent(-0.04, signed=True) -> "-4%" (the minus sign, U+2212)
    value_with_unit("training.latest_run", 24, ruleset) -> "24 km"
    local_time("2026-12-01T09:05:00Z", "UTC") -> "1 December 2026, 09:05 UTC"

A threshold of the ruleset is written by `screening.ruleset.model.format_number`
(the ruleset says its own thresholds in every result's `condition`, and the
ruleset must not import the result that is built from it).
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from screening.intake.schema import KM_PER_MILE
from screening.ruleset.model import Ruleset

# Ratios kept as ratios because clinicians know them that way.
KEPT_RATIOS = ("derived.acwr",)


def number(value) -> str:
    """A number as written: 12, 0.5, 1e-05 (a float by %g, anything else as it prints)."""
    return f"{value:g}" if isinstance(value, float) else str(value)


def one_decimal(value) -> str:
    """A number rounded to one decimal, then as written: 0.54 -> "0.5", 2.0 -> "2"."""
    return f"{round(value, 1):g}" if isinstance(value, float) else str(value)


def format_value(value) -> str:
    """Show an input value as a clinician reads it: missing, yes/no, or the number."""
    if value is None:
        return "not given"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return number(value)


def distance(value: float, unit: str) -> str:
    """A distance in the unit entered and in km: "30 mi (48.3 km)", "24 km"."""
    if unit == "mi":
        return f"{format_value(value)} mi ({value * KM_PER_MILE:.1f} km)"
    return f"{format_value(value)} km"


def weekly(weeks: list, unit: str) -> tuple[str, str]:
    """Every week on one line, week 1 the oldest: ("Weeks 1-4, oldest first", "30, 32 mi (48.3, 51.5 km)")."""
    label = f"Weeks 1-{len(weeks)}, oldest first" if len(weeks) > 1 else "Week 1"
    shown = ", ".join(format_value(week) for week in weeks)
    if unit == "mi":
        return label, f"{shown} mi ({', '.join(f'{week * KM_PER_MILE:.1f}' for week in weeks)} km)"
    return label, f"{shown} km"


def percent(ratio: float, signed: bool = False) -> str:
    """A ratio as a percentage: 0.96 -> "96%", a change of -0.04 -> "-4%" (signed)."""
    value = 100 * ratio
    text = f"{value:+.0f}%" if signed else f"{value:.0f}%"
    return text.replace("-", "\u2212") if signed else text


def percent_against(value: float, thresholds: list[float]) -> str:
    """A ratio as a percentage precise enough not to look equal to a threshold it differs from: a run 10.45%
    longer than the longest is "110.5%", not "110%" beside "more than 110%"."""
    for decimals in (0, 1, 2):
        text = f"{100 * value:.{decimals}f}"
        if not any(text == f"{100 * limit:.{decimals}f}" and value != limit for limit in thresholds):
            return text + "%"
    return f"{100 * value:g}%"


def value_with_unit(name: str, value, ruleset: Ruleset, entered_unit: str = "km") -> str:
    """A runner's value as read: "24 km" (or "15 mi (24.1 km)" when miles were entered), "yes", "96%"."""
    if value is None:
        return "not given"
    if isinstance(value, bool):
        return "yes" if value else "no"
    spec = ruleset.inputs.get(name)
    unit = spec.unit if spec else None
    if unit == "km" and entered_unit == "mi":
        return distance(value / KM_PER_MILE, "mi")
    if unit == "ratio" and name not in KEPT_RATIOS:
        return percent(value)
    if unit == "ratio":
        return f"{value:.2f}"
    shown = one_decimal(value)
    if unit and unit.startswith("0-"):
        return f"{shown} of 10" if unit == "0-10" else shown
    if unit in (None, "answer"):
        return shown
    return f"{shown} {unit}"


def local_time(iso: str, zone: str | None = None) -> str:
    """A result's UTC time in a local zone, with the zone: "1 December 2026, 10:05 CET (UTC+01:00)".

    `zone` is an IANA name (Europe/Oslo); without one, the machine's local zone.
    """
    moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    local = moment.astimezone(ZoneInfo(zone)) if zone else moment.astimezone()
    offset = local.strftime("%z")
    shown = f"UTC{offset[:3]}:{offset[3:]}" if offset not in ("+0000", "") else "UTC"
    name = local.tzname() or ""
    suffix = f"{name} ({shown})" if name and name != "UTC" and not name.startswith(("+", "-")) else shown
    return f"{local.day} {local:%B %Y, %H:%M} {suffix}"
