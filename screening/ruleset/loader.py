"""Load rules/ into a `Ruleset`, refusing anything a clinician could not trust.

The loader is strict: unknown or duplicate keys, a rule or threshold without
evidence (or an explicit `basis: design choice`), a rule that reads an unknown
input or threshold, and a red flag without an urgent rule are all rejected with
a `RulesError` naming the file and the rule.
"""

import re
from dataclasses import replace
from pathlib import Path

from marshmallow import Schema, ValidationError

from screening.errors import RulesError
from screening.ruleset.checks import check_ruleset
from screening.ruleset.model import (
    BANDS,
    Band,
    Effect,
    Evidence,
    InputSpec,
    Instrument,
    NormBand,
    Norms,
    Parameter,
    Question,
    Recommendation,
    Rule,
    Ruleset,
    Term,
    effect_points,
)
from screening.ruleset.schemas import (
    GroupSchema,
    InputSchema,
    InstrumentSchema,
    NormsSchema,
    ParameterSchema,
    RecommendationSchema,
    RuleSchema,
    RulesetSchema,
)
from screening.ruleset.strict_yaml import load_yaml


def _messages(errors, prefix="") -> str:
    """Flatten marshmallow's nested messages into `key: message` phrases."""
    if isinstance(errors, list):
        return "; ".join(f"{prefix}{m}" if prefix else str(m) for m in errors)
    parts = []
    for key, value in errors.items():
        label = f"{prefix}{key}"
        if value == ["Unknown field."]:
            parts.append(f"unknown key '{label}'")
        else:
            parts.append(_messages(value, f"{label}: ") if isinstance(value, list) else _messages(value, f"{label}."))
    return "; ".join(parts)


def _load(schema: Schema, data, where: str) -> dict:
    if not isinstance(data, dict):
        raise RulesError(f"{where}: expected a mapping, got {type(data).__name__}")
    try:
        return schema.load(data)
    except ValidationError as error:
        raise RulesError(f"{where}: {_messages(error.messages)}") from error


def _evidence(items) -> tuple[Evidence, ...]:
    return tuple(Evidence(**item) for item in items)


def _require_source(data: dict, key: str, where: str) -> None:
    if not data[key] and data["basis"] != "design choice":
        raise RulesError(f"{where}: no {key}: cite the evidence or say 'basis: design choice'")


def load_parameters(folder: Path) -> dict[str, Parameter]:
    parameters = {}
    for path in sorted(folder.glob("*.yaml")):
        content = load_yaml(path) or {}
        if not isinstance(content, dict):
            raise RulesError(f"parameters/{path.name}: expected a mapping of parameters")
        for key, raw in content.items():
            name = f"{path.stem}.{key}"
            where = f"parameters/{path.name}: parameter {name}"
            data = _load(ParameterSchema(), raw, where)
            _require_source(data, "reference", where)
            parameters[name] = Parameter(
                name=name,
                description=data["description"],
                unit=data["unit"],
                value=data["value"],
                basis=data["basis"],
                reference=_evidence(data["reference"]),
            )
    return parameters


def _mapping(path: Path, what: str) -> dict:
    """The top level of a rules file, which must be a mapping (an empty file is an empty one)."""
    content = load_yaml(path)
    if content is None:
        return {}
    if not isinstance(content, dict):
        raise RulesError(f"{path.name}: expected a mapping of {what}, got {type(content).__name__}")
    return content


def load_inputs(path: Path) -> dict[str, InputSpec]:
    return {
        name: InputSpec(name=name, **_load(InputSchema(), raw, f"{path.name}: input {name}"))
        for name, raw in _mapping(path, "inputs").items()
    }


_PLACEHOLDER = re.compile(r"\{([a-z_]+\.[a-z0-9_]+)\}")


def with_parameter_values(inputs: dict[str, InputSpec], parameters: dict) -> dict[str, InputSpec]:
    """Inputs whose `needs` and `description` say a parameter's value as {group.name}, filled in: the number
    is stated once, in the parameter, and a clinician reads "at least 4", not a parameter's name."""

    def fill(text: str, where: str) -> str:
        def value(match: re.Match) -> str:
            name = match.group(1)
            if name not in parameters:
                raise RulesError(f"inputs.yaml: input {where} names an unknown parameter {{{name}}}")
            return f"{parameters[name].value:g}"

        return _PLACEHOLDER.sub(value, text)

    return {
        name: replace(
            spec,
            needs=None if spec.needs is None else fill(spec.needs, name),
            description=fill(spec.description, name),
        )
        for name, spec in inputs.items()
    }


def load_recommendations(path: Path) -> dict[str, Recommendation]:
    recommendations = {}
    for index, (rec_id, raw) in enumerate(_mapping(path, "recommendations").items()):
        data = _load(RecommendationSchema(), raw, f"{path.name}: {rec_id}")
        recommendations[rec_id] = Recommendation(rec_id, data["text"].strip(), _evidence(data["evidence"]), index)
    return recommendations


def load_instruments(path: Path) -> dict[str, Instrument]:
    instruments = {}
    for name, raw in _mapping(path, "instruments").items():
        data = _load(InstrumentSchema(), raw, f"{path.name}: {name}")
        questions = []
        for key, question in data["questions"].items():
            start = question["substantial_from"]
            if start is not None and not 0 <= start < len(question["points"]):
                raise RulesError(f"{path.name}: {name}.{key}: substantial_from is not an answer index")
            questions.append(Question(key, tuple(question["points"]), start))
        instruments[name] = Instrument(name, data["description"], _evidence(data["reference"]), tuple(questions))
    return instruments


def load_norms(path: Path) -> Norms:
    content = _mapping(path, "norms")
    unknown = sorted(set(content) - {"heel_raise"})
    if unknown:
        raise RulesError(f"{path.name}: unknown key(s) {', '.join(repr(k) for k in unknown)}")
    norms = _load(NormsSchema(), content.get("heel_raise"), f"{path.name}: heel_raise")
    return Norms(
        description=norms["description"],
        unit=norms["unit"],
        basis_label=norms["basis_label"],
        reference=_evidence(norms["reference"]),
        bands=tuple(NormBand(**b) for b in norms["bands"]),
    )


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


def load_rules(
    path: Path, group: str, inputs: dict, parameters: dict, recommendations: dict, start: int, base: float
) -> list[Rule]:
    content = _load(GroupSchema(), load_yaml(path), path.name)
    rules = []
    for position, raw in enumerate(content["rules"]):
        where = f"{path.name}: rule {raw.get('id', f'#{position + 1}')}"
        data = _load(RuleSchema(), raw, where)
        if not data["id"].startswith(f"{group}."):
            raise RulesError(f"{where}: id must start with '{group}.'")
        points, points_basis, effect = _rule_points(data, base, where)
        evidence = _evidence(data["evidence"])
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


def load_ruleset(folder: Path, computed: frozenset[str] | None = None) -> Ruleset:
    """Read and check every file of the ruleset in `folder`.

    `computed` names every input the derive step computes: each declared input
    must be one of them and each of them declared.
    """
    folder = Path(folder)
    head = _load(RulesetSchema(), load_yaml(folder / "ruleset.yaml"), "ruleset.yaml")
    scoring = head["scoring"]
    base = 2 ** (1 / scoring["points_per_doubling"])
    bands = tuple(
        Band(b["band"], effect_points(b["relative_risk"], base), b["relative_risk"]) for b in scoring["bands"]
    )
    starts = [b.start for b in bands]
    if starts != sorted(set(starts)) or starts[0] != scoring["minimum"] or [b.band for b in bands] != list(BANDS):
        raise RulesError(f"ruleset.yaml: scoring.bands must be {', '.join(BANDS)}, from the minimum up")
    parameters = load_parameters(folder / "parameters")
    inputs = with_parameter_values(load_inputs(folder / "inputs.yaml"), parameters)
    recommendations = load_recommendations(folder / "recommendations.yaml")
    rules: list[Rule] = []
    for group in head["groups"]:
        rules += load_rules(folder / f"{group}.yaml", group, inputs, parameters, recommendations, len(rules), base)
    ruleset = Ruleset(
        name=head["name"],
        version=head["version"],
        title=head["title"],
        disclaimer=head["disclaimer"],
        score_min=scoring["minimum"],
        score_max=scoring["maximum"],
        bands=bands,
        scoring_note=scoring["note"],
        referral_to=dict(head["referral"]),
        inputs=inputs,
        parameters=parameters,
        rules=tuple(rules),
        recommendations=recommendations,
        heel_raise_norms=load_norms(folder / "norms.yaml"),
        points_base=base,
        points_per_doubling=scoring["points_per_doubling"],
        design_choice_max_points=scoring["design_choice_max_points"],
        caps=dict(scoring["caps"]),
        independence_note=scoring["independence"],
        scoring_reference=_evidence(scoring["reference"]),
        healthy_recommendation=head["healthy_recommendation"],
        instruments=load_instruments(folder / "instruments.yaml"),
    )
    check_ruleset(ruleset, head["groups"], computed)
    return ruleset
