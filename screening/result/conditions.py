"""A rule's condition in words: with the runner's values, or in general for the rulebook; rule titles.

Every face (the clinic note, the text note, the roster report, the rulebook
page) says a rule through these helpers, so a clinician reads the same words
everywhere: titles before ids, a condition as the runner's own values and
units ("latest run 24 km is more than 1.10 x the longest run of 18 km"),
ratios as percentages, and what a rule not assessed needs. The values
themselves are written by `screening.result.values`.
"""

from screening.result.values import KEPT_RATIOS, one_decimal, percent, percent_against, value_with_unit
from screening.ruleset.model import Rule, Ruleset, Term, format_number

# Short names for the inputs a condition reads, as a clinician says them (the rows of "What was entered" have
# their own, longer labels: entered.ROW_LABELS).
SHORT_NAMES = {
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
    "wellness.pain_while_running": "calf pain while running",
    "heel_raise.left": "left heel raises",
    "heel_raise.right": "right heel raises",
    "derived.acwr": "acute:chronic workload ratio",
    "derived.limb_symmetry_index": "limb symmetry (weaker / stronger leg)",
    "derived.heel_raise_weakest_tested": "heel raises on the weaker tested leg",
    "derived.heel_raise_deficit": "shortfall of the weaker leg against its reference",
    "derived.heel_raise_gap": "difference between the legs",
    "derived.soreness_lasted_days": "days the calf soreness has lasted",
    "derived.soreness_screenings_span_days": "days of soreness across consecutive screenings",
    "derived.fatigue_z": "fatigue",
    "derived.fatigue_baseline_mean": "the runner's usual fatigue (mean)",
    "derived.soreness_z": "calf soreness",
    "derived.soreness_baseline_mean": "the runner's usual calf soreness (mean)",
    "derived.soreness_baseline_max": "the highest calf soreness of the runner's baseline",
    "derived.calf_strain_weeks_ago": "weeks since the last calf strain",
    "derived.calf_symptom": "a calf symptom",
    "derived.ostrc_o2_time_loss": "could not take part in running because of the calf (OSTRC-O2)",
    "ostrc_o2.pain": "OSTRC-O2 calf pain answer (0 none - 3 severe)",
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


# Units whose input's short name already says what is counted ("strength sessions a week"): a threshold is
# said as a count of it ("at least 2 strength sessions a week") in the rulebook's general conditions.
COUNTED = {"sessions/week"}


def label(name: str, ruleset: Ruleset | None = None) -> str:
    """An input's short name in words (its description when there is no short name)."""
    if name in SHORT_NAMES:
        return SHORT_NAMES[name]
    spec = ruleset.inputs.get(name) if ruleset else None
    if spec is not None:
        text = spec.description
        return text if text[1:2].isupper() else text[:1].lower() + text[1:]
    return name.rsplit(".", 1)[-1].replace("_", " ")


def _threshold(term: Term, ruleset: Ruleset) -> str:
    parameter = ruleset.parameters[term.threshold]
    if parameter.unit == "ratio" and term.input not in KEPT_RATIOS and term.input not in RATIOS and not term.of:
        return percent(parameter.value)
    if term.of or term.input in RATIOS:
        return f"{format_number(parameter.value, 'ratio')} x"
    return parameter.formatted()


def _none_of(term: Term, ruleset: Ruleset) -> bool:
    """A count compared with none of it (`<= 0`, `== 0`): said as "0 strength sessions a week"."""
    if term.op not in ("<=", "==") or not term.threshold or term.of:
        return False
    return ruleset.parameters[term.threshold].value == 0 and ruleset.inputs[term.input].unit != "ratio"


def _sd_words(value: float) -> str:
    side = "above" if value >= 0 else "below"
    return f"{abs(value):.1f} SD {side} the runner's own baseline"


def _sd_limits(terms: list[Term], ruleset: Ruleset) -> str:
    """ "at least 2 SD": a baseline rule's thresholds in standard deviations."""
    return " and ".join(
        f"{OP_WORDS[term.op or '==']} {one_decimal(ruleset.parameter(term.threshold))} SD"
        for term in terms
        if term.threshold
    )


def _bound(term: Term, inputs: dict, ruleset: Ruleset, entered_unit: str) -> str:
    """ "more than 1.10 x", "at least 40 years", "more than 1.10 x the longest run of 18 km"."""
    parts = [OP_WORDS[term.op or "=="]]
    if term.threshold:
        parts.append(_threshold(term, ruleset))
    if term.of:
        shown = value_with_unit(term.of, inputs.get(term.of), ruleset, entered_unit)
        parts.append(f"the {label(term.of, ruleset)} of {shown}")
    return " ".join(parts)


def condition_in_words(
    rule: Rule, inputs: dict, ruleset: Ruleset, entered_unit: str = "km", sources: dict | None = None
) -> str:
    """The rule's condition said with this runner's values: what was read and what it was compared with,
    and where a value not simply entered came from (`sources`: "recorded on 2026-10-01").

    Distances are in km, and also in miles first when the intake was entered in miles.
    """
    sources = sources or {}
    clauses = []
    for name, terms in _by_input(rule.terms):
        source = f" ({sources[name]})" if name in sources else ""
        value = inputs.get(name)
        if terms[0].is_ is not None:
            clauses.append(f"{label(name, ruleset)}: {'yes' if value else 'no'}{source}")
            continue
        thresholds = [ruleset.parameters[term.threshold].value for term in terms if term.threshold and not term.of]
        if len(terms) == 1 and _none_of(terms[0], ruleset) and value is not None:
            clauses.append(f"{one_decimal(value)} {label(name, ruleset)}{source}")
            continue
        if ruleset.inputs[name].unit == "SD" and isinstance(value, (int, float)):
            clauses.append(f"{label(name, ruleset)} {_sd_words(value)} ({_sd_limits(terms, ruleset)}){source}")
            continue
        bounds = " and ".join(_bound(term, inputs, ruleset, entered_unit) for term in terms)
        if name in RATIOS:
            top, bottom = RATIOS[name]
            shown = f" ({percent_against(value, thresholds)})" if isinstance(value, (int, float)) else ""
            top_value = value_with_unit(top, inputs.get(top), ruleset, entered_unit)
            bottom_value = value_with_unit(bottom, inputs.get(bottom), ruleset, entered_unit)
            clauses.append(
                f"{label(top, ruleset)} {top_value} is {bounds} the {label(bottom, ruleset)} of {bottom_value}{shown}"
            )
        else:
            spec = ruleset.inputs.get(name)
            if spec is not None and spec.unit == "ratio" and name not in KEPT_RATIOS and value is not None:
                shown_value = percent_against(value, thresholds)
            else:
                shown_value = value_with_unit(name, value, ruleset, entered_unit)
            clauses.append(f"{label(name, ruleset)} {shown_value}{source} is {bounds}")
    return "; ".join(clauses)


def entry_in_words(entry: dict, ruleset: Ruleset, entered_unit: str = "km") -> str:
    """An explanation entry's condition with the runner's values (condition_in_words, with its sources)."""
    return condition_in_words(ruleset.rule(entry["rule"]), entry["inputs"], ruleset, entered_unit, entry.get("sources"))


def condition_in_general(rule: Rule, ruleset: Ruleset) -> str:
    """The rule's condition in words without a runner's values (for the rulebook)."""
    clauses = []
    for name, terms in _by_input(rule.terms):
        if terms[0].is_ is not None:
            clauses.append(f"{label(name, ruleset)}: {'yes' if terms[0].is_ else 'no'}")
            continue
        if len(terms) == 1 and _none_of(terms[0], ruleset):
            clauses.append(f"no {label(name, ruleset)}")
            continue
        if ruleset.inputs[name].unit == "SD":
            clauses.append(f"{label(name, ruleset)} {_sd_limits(terms, ruleset)} above the runner's own baseline")
            continue
        if ruleset.inputs[name].unit in COUNTED and all(term.threshold and not term.of for term in terms):
            # "at least 2 strength sessions a week", not "strength sessions a week is at least 2 sessions/week"
            clauses.append(" and ".join(_counted(term, name, ruleset) for term in terms))
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


def _counted(term: Term, name: str, ruleset: Ruleset) -> str:
    value = format_number(ruleset.parameters[term.threshold].value)  # the label says the unit
    return f"{OP_WORDS[term.op or '==']} {value} {label(name, ruleset)}"


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


def needs_in_words(needs: list[str], ruleset: Ruleset) -> str:
    """What a rule not assessed needs, an input's words first and its field second."""
    return "; ".join(f"{label(need, ruleset)} ({need})" if need in ruleset.inputs else need for need in needs)
