"""Load one rule group's file (rules/<group>.yaml) into Rules: conditions checked, points computed.

A rule's points come from its effect size (Sullivan's method) or are written
with `points_basis: design choice`; a graded exposure may be raised to a milder
band's points (`points_at_least`); a taper lets them fall along an input from
the measured effect's points. Every check names the file and the rule.
"""

from dataclasses import replace
from pathlib import Path

from screening.errors import RulesError
from screening.ruleset.model import Evidence, Rule, Term
from screening.ruleset.points import Effect, Taper, effect_points
from screening.ruleset.reading import evidence_of, load_checked
from screening.ruleset.schemas import GroupSchema, RuleSchema
from screening.ruleset.strict_yaml import load_yaml


def _check_term(term: Term, inputs: dict, parameters: dict, where: str) -> None:
    for name in term.inputs:
        if name not in inputs:
            raise RulesError(f"{where}: unknown input '{name}'")
    kind = inputs[term.input].type
    if term.is_ is not None:
        if term.op or term.threshold or term.of or kind != "boolean":
            raise RulesError(f"{where}: 'is' compares a boolean input alone, '{term.input}' is a {kind}")
        return
    if kind != "number" or not term.op or not (term.threshold or term.of):
        raise RulesError(f"{where}: a comparison needs a number input, 'op' and a 'threshold' and/or 'of'")
    if term.of and inputs[term.of].type != "number":
        raise RulesError(f"{where}: 'of' input '{term.of}' is not a number")
    if term.threshold and term.threshold not in parameters:
        raise RulesError(f"{where}: unknown threshold '{term.threshold}'")


def _rule_points(data: dict, base: float, where: str) -> tuple[int, str, Effect | None]:
    """(points, points_basis, effect): computed from the effect, or the design-choice points as written."""
    raw = data["effect"]
    if raw is None:
        if data["points"] is None or data["points_basis"] != "design choice":
            raise RulesError(f"{where}: no effect: give 'points' with 'points_basis: design choice'")
        return data["points"], "design choice", None
    if data["points"] is not None or data["points_basis"] is not None:
        raise RulesError(f"{where}: points are computed from the effect; do not type them")
    low, high = raw["ci"]
    if not low <= raw["value"] <= high:
        raise RulesError(f"{where}: effect value {raw['value']} lies outside its CI {low}-{high}")
    effect = Effect(raw["measure"], raw["value"], (low, high), raw["population"], raw["citation"], raw["grade"])
    if effect.ci_includes_one:
        return 0, f"no points: the 95% CI includes 1 ({effect.describe()})", effect
    points = effect_points(effect.value, base)
    return points, f"{effect.describe()}: round(ln {effect.value:g} / ln B) = {points}", effect


def _taper(data: dict, points: int, effect: Effect | None, inputs: dict, parameters: dict, where: str):
    """A rule's taper, checked: points from a measured effect, falling along one of its inputs between
    two of its thresholds to a design-choice weight."""
    raw = data["taper"]
    if raw is None:
        return None, None
    if effect is None or points <= 0:
        raise RulesError(f"{where}: a taper starts from a measured effect's points; give the rule an effect")
    taper = Taper(raw["input"], raw["from_"], raw["to"], raw["to_points"], raw["basis"].strip())
    if taper.input not in inputs or inputs[taper.input].type != "number":
        raise RulesError(f"{where}: the taper's input '{taper.input}' is not a number input")
    for name in (taper.start, taper.end):
        if name not in parameters:
            raise RulesError(f"{where}: the taper names an unknown threshold '{name}'")
    if not parameters[taper.start].value < parameters[taper.end].value:
        raise RulesError(f"{where}: the taper's 'from' must be below its 'to'")
    if not 0 <= taper.end_points <= points:
        raise RulesError(f"{where}: the taper must fall from {points} points, not rise to {taper.end_points}")
    start, end = parameters[taper.start].formatted(), parameters[taper.end].formatted()
    basis = (
        f"{effect.describe()}: round(ln {effect.value:g} / ln B) = {points} at {start}, tapering to "
        f"{taper.end_points} at {end} ({taper.basis})"
    )
    return taper, basis


def load_rules(
    path: Path, group: str, inputs: dict, parameters: dict, recommendations: dict, start: int, base: float
) -> list[Rule]:
    content = load_checked(GroupSchema(), load_yaml(path), path.name)
    rules = []
    for position, raw in enumerate(content["rules"]):
        where = f"{path.name}: rule {raw.get('id', f'#{position + 1}')}"
        data = load_checked(RuleSchema(), raw, where)
        if not data["id"].startswith(f"{group}."):
            raise RulesError(f"{where}: id must start with '{group}.'")
        points, points_basis, effect = _rule_points(data, base, where)
        taper, tapered_basis = _taper(data, points, effect, inputs, parameters, where)
        points_basis = tapered_basis or points_basis
        evidence = evidence_of(data["evidence"])
        if effect is not None:
            evidence = (Evidence(f"{effect.citation} ({effect.describe()})", effect.grade), *evidence)
        if not evidence and data["basis"] != "design choice":
            raise RulesError(f"{where}: no evidence: cite the evidence or say 'basis: design choice'")
        terms = tuple(Term(**{k: v for k, v in term.items()}) for term in data["when"])
        for term in terms:
            _check_term(term, inputs, parameters, where)
        for name in data["context"]:
            if name not in inputs:
                raise RulesError(f"{where}: unknown context input '{name}'")
        for rec in data["recommendations"]:
            if rec not in recommendations:
                raise RulesError(f"{where}: unknown recommendation '{rec}'")
        rules.append(
            Rule(
                id=data["id"],
                group=group,
                title=data["title"],
                terms=terms,
                points=points,
                referral=data["referral"],
                recommendations=tuple(data["recommendations"]),
                evidence=evidence,
                basis=data["basis"],
                context=tuple(data["context"]),
                note=data["note"],
                index=start + position,
                points_basis=points_basis,
                effect=effect,
                referral_to=data["referral_to"],
                present_injury=data["present_injury"],
                escalation=data["escalation"],
                taper=taper,
            )
        )
        if data["points_at_least"]:
            rules[-1] = _raise_to(rules[-1], data["points_at_least"], rules, where)
    return rules


def _raise_to(rule: Rule, other_id: str, earlier: list[Rule], where: str) -> Rule:
    """A graded exposure: this rule scores at least what a milder band of it scores."""
    other = next((r for r in earlier if r.id == other_id), None)
    if other is None:
        raise RulesError(f"{where}: points_at_least names '{other_id}', not an earlier rule of this file")
    if other.points <= rule.points:
        return rule
    basis = (
        f"{rule.points_basis}, raised to {other.points} so it never scores less than {other.id} "
        "(overlapping CIs; design choice)"
    )
    return replace(rule, points=other.points, points_basis=basis)
