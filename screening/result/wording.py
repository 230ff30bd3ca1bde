"""Words for people: rule titles, conditions with the runner's values, field names counted from 1.

Every face (the clinic note, the text note, the roster report, the rulebook
page) says things through these helpers, so a clinician reads the same words
everywhere: titles before ids, a condition as the runner's own values and
units ("latest run 24 km is more than 1.10 x the longest run of 18 km"),
ratios as percentages, weeks and list positions counted from 1, and error
messages in plain language instead of the schema library's wording.
"""

import re

from screening.intake.schema import KM_PER_MILE
from screening.result.entered import distance
from screening.ruleset.model import Rule, Ruleset, Term, format_number

# Short names for the inputs a condition reads, as a clinician says them.
LABELS = {
    "runner.age": "age",
    "runner.sex": "sex",
    "runner.prior_calf_strain_weeks_ago": "last calf strain",
    "training.latest_run": "latest run",
    "training.longest_run_30d": "longest run of the past 30 days",
    "training.strength_sessions_per_week": "strength sessions a week",
    "training.weekly_distance": "weekly distance",
    "wellness.fatigue": "fatigue",
    "wellness.soreness": "calf soreness",
    "wellness.soreness_days": "days of soreness",
    "wellness.pain_while_running": "pain while running",
    "heel_raise.left": "left heel raises",
    "heel_raise.right": "right heel raises",
    "derived.acwr": "acute:chronic workload ratio",
    "derived.limb_symmetry_index": "limb symmetry (weaker / stronger leg)",
    "derived.heel_raise_weakest_tested": "heel raises of the weaker leg",
    "derived.heel_raise_deficit": "shortfall of the weaker leg against its reference",
    "derived.heel_raise_gap": "difference between the legs",
    "derived.soreness_lasted_days": "days the calf soreness has lasted",
    "derived.soreness_screenings_span_days": "days of soreness across consecutive screenings",
    "derived.fatigue_z": "fatigue against the runner's own baseline (z)",
    "derived.fatigue_baseline_mean": "the runner's usual fatigue (mean)",
    "derived.soreness_z": "calf soreness against the runner's own baseline (z)",
    "derived.soreness_baseline_mean": "the runner's usual calf soreness (mean)",
}
# A ratio of two intake values, said as "numerator is 1.10 x the denominator".
RATIOS = {
    "derived.spike_ratio": ("training.latest_run", "training.longest_run_30d"),
}
OP_WORDS = {
    ">": "more than",
    ">=": "at least",
    "<": "less than",
    "<=": "at most",
    "==": "equal to",
    "!=": "not equal to",
}
# Ratios kept as ratios because clinicians know them that way.
KEPT_RATIOS = ("derived.acwr",)


def label(name: str, ruleset: Ruleset | None = None) -> str:
    """An input's short name in words (its description when there is no short name)."""
    if name in LABELS:
        return LABELS[name]
    spec = ruleset.inputs.get(name) if ruleset else None
    if spec is not None:
        text = spec.description
        return text if text[1:2].isupper() else text[:1].lower() + text[1:]
    return name.rsplit(".", 1)[-1].replace("_", " ")


def percent(ratio: float, signed: bool = False) -> str:
    """A ratio as a percentage: 0.96 -> "96%", a change of -0.04 -> "-4%" (signed)."""
    value = 100 * ratio
    text = f"{value:+.0f}%" if signed else f"{value:.0f}%"
    return text.replace("-", "\u2212") if signed else text


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
    number = f"{round(value, 1):g}" if isinstance(value, float) else str(value)
    if unit and unit.startswith("0-"):
        return f"{number} of 10" if unit == "0-10" else number
    if unit in (None, "answer"):
        return number
    return f"{number} {unit}"


def _threshold(term: Term, ruleset: Ruleset) -> str:
    parameter = ruleset.parameters[term.threshold]
    if parameter.unit == "ratio" and term.input not in KEPT_RATIOS and term.input not in RATIOS and not term.of:
        return percent(parameter.value)
    if term.of or term.input in RATIOS:
        return f"{format_number(parameter.value, 'ratio')} x"
    return parameter.formatted()


def _bound(term: Term, inputs: dict, ruleset: Ruleset, entered_unit: str) -> str:
    """ "more than 1.10 x", "at least 40 years", "more than 1.10 x the longest run of 18 km"."""
    parts = [OP_WORDS[term.op or "=="]]
    if term.threshold:
        parts.append(_threshold(term, ruleset))
    if term.of:
        shown = value_with_unit(term.of, inputs.get(term.of), ruleset, entered_unit)
        parts.append(f"the {label(term.of, ruleset)} of {shown}")
    return " ".join(parts)


def condition_in_words(rule: Rule, inputs: dict, ruleset: Ruleset, entered_unit: str = "km") -> str:
    """The rule's condition said with this runner's values: what was read and what it was compared with.

    Distances are in km, and also in miles first when the intake was entered in miles.
    """
    clauses = []
    for name, terms in _by_input(rule.terms):
        if terms[0].is_ is not None:
            clauses.append(f"{label(name, ruleset)}: {'yes' if inputs.get(name) else 'no'}")
            continue
        bounds = " and ".join(_bound(term, inputs, ruleset, entered_unit) for term in terms)
        if name in RATIOS:
            top, bottom = RATIOS[name]
            ratio = inputs.get(name)
            shown = f" ({percent(ratio)})" if isinstance(ratio, (int, float)) else ""
            top_value = value_with_unit(top, inputs.get(top), ruleset, entered_unit)
            bottom_value = value_with_unit(bottom, inputs.get(bottom), ruleset, entered_unit)
            clauses.append(
                f"{label(top, ruleset)} {top_value} is {bounds} the {label(bottom, ruleset)} of {bottom_value}{shown}"
            )
        else:
            value = value_with_unit(name, inputs.get(name), ruleset, entered_unit)
            clauses.append(f"{label(name, ruleset)} {value} is {bounds}")
    return "; ".join(clauses)


def condition_in_general(rule: Rule, ruleset: Ruleset) -> str:
    """The rule's condition in words without a runner's values (for the rulebook)."""
    clauses = []
    for name, terms in _by_input(rule.terms):
        if terms[0].is_ is not None:
            clauses.append(f"{label(name, ruleset)}: {'yes' if terms[0].is_ else 'no'}")
            continue
        bounds = " and ".join(
            " ".join(
                [OP_WORDS[term.op or "=="]]
                + ([_threshold(term, ruleset)] if term.threshold else [])
                + ([f"the {label(term.of, ruleset)}"] if term.of else [])
            )
            for term in terms
        )
        if name in RATIOS:
            top, bottom = RATIOS[name]
            clauses.append(f"{label(top, ruleset)} is {bounds} the {label(bottom, ruleset)}")
        else:
            clauses.append(f"{label(name, ruleset)} is {bounds}")
    return "; ".join(clauses)


def _by_input(terms: tuple[Term, ...]) -> list[tuple[str, list[Term]]]:
    grouped: dict[str, list[Term]] = {}
    for term in terms:
        grouped.setdefault(term.input, []).append(term)
    return list(grouped.items())


def rule_titles(rule_ids, ruleset: Ruleset) -> list[str]:
    """Rule titles for ids (a referral's reasons, a recommendation's because)."""
    return [ruleset.rule(rule_id).title if rule_id in _ids(ruleset) else rule_id for rule_id in rule_ids]


def _ids(ruleset: Ruleset) -> set:
    cache = ruleset.__dict__.get("_id_set")
    if cache is None:
        cache = {rule.id for rule in ruleset.rules}
        object.__setattr__(ruleset, "_id_set", cache)
    return cache


_POSITION = re.compile(r"^(?P<list>[a-z_.]+?)\.(?P<index>\d+)(?P<rest>(\..*)?)$")
LIST_ITEMS = {"training.weekly_distance": "week"}


def field_in_words(path: str) -> str:
    """A field path with list positions counted from 1.

    "training.weekly_distance.8" -> "week 9 of training.weekly_distance".
    """
    match = _POSITION.match(path)
    if not match:
        return "the intake as a whole" if path == "_schema" else path
    item = LIST_ITEMS.get(match["list"], "item")
    return f"{item} {int(match['index']) + 1} of {match['list']}{match['rest']}"


_RANGE = re.compile(r"^Must be greater than or equal to (\S+) and less than or equal to (\S+?)\.$")
_AT_LEAST = re.compile(r"^Must be greater than or equal to (\S+?)\.$")
_AT_MOST = re.compile(r"^Must be less than or equal to (\S+?)\.$")
_ONE_OF = re.compile(r"^Must be one of: (.+)\.$")
_LENGTH = re.compile(r"^Length must be between (\d+) and (\d+)\.$")
_PLAIN = {
    "Not a valid integer.": "Enter a whole number.",
    "Not a valid number.": "Enter a number.",
    "Not a valid boolean.": "Answer yes or no.",
    "Missing data for required field.": "This is needed: fill it in.",
    "Not a valid string.": "Enter text.",
    "Field may not be null.": "This is needed: fill it in.",
    "Must not be null.": "This is needed: fill it in.",
}


def plain_message(message: str) -> str:
    """A validation message in plain language ("Enter a number from 12 to 100.")."""
    if message in _PLAIN:
        return _PLAIN[message]
    if match := _RANGE.match(message):
        return f"Enter a number from {match[1]} to {match[2]}."
    if match := _AT_LEAST.match(message):
        return f"Enter {match[1]} or more."
    if match := _AT_MOST.match(message):
        return f"Enter {match[1]} or less."
    if match := _ONE_OF.match(message):
        choices = [choice.strip() for choice in match[1].split(",")]
        return f"Choose {', '.join(choices[:-1])} or {choices[-1]}." if len(choices) > 1 else f"Choose {choices[0]}."
    if match := _LENGTH.match(message):
        return f"Give from {match[1]} to {match[2]} entries."
    return message


def local_time(iso: str, zone: str | None = None) -> str:
    """A result's UTC time in a local zone, with the zone: "1 December 2026, 10:05 CET (UTC+01:00)".

    `zone` is an IANA name (Europe/Oslo); without one, the machine's local zone.
    """
    from datetime import datetime
    from zoneinfo import ZoneInfo

    moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    local = moment.astimezone(ZoneInfo(zone)) if zone else moment.astimezone()
    offset = local.strftime("%z")
    shown = f"UTC{offset[:3]}:{offset[3:]}" if offset not in ("+0000", "") else "UTC"
    name = local.tzname() or ""
    suffix = f"{name} ({shown})" if name and name != "UTC" and not name.startswith(("+", "-")) else shown
    return f"{local.day} {local:%B %Y, %H:%M} {suffix}"


def derived_in_words(derived: dict) -> list[str]:
    """The derived values a reader needs, ratios as percentages, one phrase each; a missing one says so."""
    weeks_km = derived["weekly_distance_km"]
    in_km = f"{', '.join(_plain(v) for v in weeks_km)} km"
    if derived.get("entered_unit") == "mi":
        in_mi = ", ".join(f"{v / KM_PER_MILE:.1f}" for v in weeks_km)
        parts = [f"weekly distance {in_mi} mi ({in_km}, oldest first)"]
    else:
        parts = [f"weekly distance {in_km} (oldest first)"]
    phrases = (
        ("week_over_week_change", "latest week", lambda v: f"{percent(v, signed=True)} on the week before"),
        ("spike_vs_longest_30d", "latest run", lambda v: f"{percent(v, signed=True)} on the longest of 30 days"),
        ("acwr", "acute:chronic workload ratio", lambda v: f"{v:.2f}"),
        ("limb_symmetry_index", "limb symmetry", percent),
    )
    for key, name, say in phrases:
        value = derived.get(key)
        parts.append(f"{name} {say(value)}" if value is not None else f"{name}: not computed")
    reference = derived["heel_raise_reference"]
    parts.append(f"heel-raise reference {_plain(reference['reps'])} reps ({reference['basis']})")
    merged = derived.get("weeks_merged")
    if merged:
        weeks = "week" if merged["from_earlier"] == 1 else "weeks"
        parts.insert(
            1,
            f"the oldest {merged['from_earlier']} {weeks} of that distance come from earlier screenings "
            f"({merged['entered']} entered this time)",
        )
    return parts


def history_in_words(history: dict | None, change: bool = True) -> list[str]:
    """The result's `history` section as phrases: the change since last time (unless `change` is False: a
    face that shows it its own way), and the personal baselines."""
    if history is None:
        return []
    previous = history["previous"]
    if not change:
        parts = []
    elif previous is None:
        parts = ["first stored screening of this runner: nothing to compare with yet"]
    else:
        score_change = history["score_change"]
        band = {"up": "band up", "down": "band down", "same": "band unchanged"}.get(history["band_change"] or "", "")
        parts = [
            f"since the previous screening ({previous['screened_at'][:10]}, score {previous['score']}, "
            f"{previous['band']}): score {score_change:+d}{', ' + band if band else ''}"
        ]
        if history["newly_fired"]:
            parts.append(f"newly fired: {', '.join(history['newly_fired'])}")
        if history["cleared"]:
            parts.append(f"cleared: {', '.join(history['cleared'])}")
    baselines = history["baselines"]
    for name, word in (("fatigue", "fatigue"), ("soreness", "calf soreness")):
        found = baselines[name]
        if found is None:
            continue  # too few earlier screenings: "not assessed" says what the rule needs
        parts.append(
            f"{word} against the runner's own baseline: z {found['z']:+.2f} "
            f"(mean {_plain(found['mean'])}, SD {_plain(found['sd'])}, {found['screenings']} screenings "
            f"in the last {baselines['window_days']} days)"
        )
    span = history["soreness_span_days"]
    if span == 0:
        parts.append("calf soreness also reported on earlier screenings the same day")
    elif span is not None:
        parts.append(f"calf soreness reported on consecutive screenings across {span} day{'s' if span > 1 else ''}")
    return parts


def _plain(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def needs_in_words(needs: list[str], ruleset: Ruleset) -> str:
    """What a rule not assessed needs, an input's words first and its field second."""
    return "; ".join(f"{label(need, ruleset)} ({need})" if need in ruleset.inputs else need for need in needs)
