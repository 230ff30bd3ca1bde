"""Load rules/ into a `Ruleset`, refusing anything a clinician could not trust.

The loader is strict: unknown or duplicate keys, a rule or threshold without
evidence (or an explicit `basis: design choice`), a rule that reads an unknown
input or threshold, and a red flag without an urgent rule are all rejected with
a `RulesError` naming the file and the rule.
"""

from pathlib import Path

from marshmallow import Schema, ValidationError, fields, validate

from screening.errors import RulesError
from screening.intake.fields import FullMatch, StrictNumber
from screening.intake.fields import StrictSchema as _Strict
from screening.ruleset.model import (
    BANDS,
    OPERATORS,
    REFERRAL_ORDER,
    URGENCIES,
    Band,
    Evidence,
    InputSpec,
    NormBand,
    Norms,
    Parameter,
    Recommendation,
    Rule,
    Ruleset,
    Term,
)
from screening.ruleset.strict_yaml import load_yaml

BASES = ("evidence", "design choice")


class EvidenceSchema(_Strict):
    citation = fields.String(required=True, validate=validate.Length(min=1))
    grade = fields.String(required=True, validate=validate.Length(min=1))


class _Sourced(_Strict):
    basis = fields.String(load_default="evidence", validate=validate.OneOf(BASES))


class ParameterSchema(_Sourced):
    description = fields.String(required=True)
    unit = fields.String(required=True)
    value = StrictNumber(required=True)
    reference = fields.List(fields.Nested(EvidenceSchema), load_default=list)


class InputSchema(_Strict):
    type = fields.String(required=True, validate=validate.OneOf(("number", "boolean")))
    unit = fields.String(load_default=None)
    description = fields.String(required=True)
    absent = fields.String(load_default="not_assessed", validate=validate.OneOf(("not_assessed", "none_known")))
    needs = fields.String(load_default=None)


class TermSchema(_Strict):
    input = fields.String(required=True)
    op = fields.String(validate=validate.OneOf(OPERATORS))
    threshold = fields.String()
    of = fields.String()
    is_ = fields.Boolean(data_key="is", truthy={True}, falsy={False})


class RuleSchema(_Sourced):
    id = fields.String(required=True, validate=FullMatch(r"^[a-z_]+\.[a-z0-9_]+$"))
    title = fields.String(required=True, validate=validate.Length(min=1))
    when = fields.List(fields.Nested(TermSchema), required=True, validate=validate.Length(min=1))
    points = fields.Integer(required=True, strict=True)
    referral = fields.String(required=True, validate=validate.OneOf(REFERRAL_ORDER))
    recommendations = fields.List(fields.String(), required=True)
    evidence = fields.List(fields.Nested(EvidenceSchema), load_default=list)
    context = fields.List(fields.String(), load_default=list)
    note = fields.String(load_default=None)


class GroupSchema(_Strict):
    description = fields.String(required=True)
    rules = fields.List(fields.Dict(), required=True)


class RecommendationSchema(_Strict):
    text = fields.String(required=True)
    evidence = fields.List(fields.Nested(EvidenceSchema), required=True, validate=validate.Length(min=1))


class BandSchema(_Strict):
    band = fields.String(required=True, validate=validate.OneOf(BANDS))
    start = fields.Integer(required=True, strict=True, data_key="from")


class ScoringSchema(_Sourced):
    minimum = fields.Integer(required=True, strict=True)
    maximum = fields.Integer(required=True, strict=True)
    bands = fields.List(fields.Nested(BandSchema), required=True)
    note = fields.String(required=True)


class RulesetSchema(_Strict):
    name = fields.String(required=True)
    version = fields.String(required=True, validate=FullMatch(r"^\d+\.\d+\.\d+$"))
    title = fields.String(required=True)
    disclaimer = fields.String(required=True)
    groups = fields.List(fields.String(), required=True, validate=validate.Length(min=1))
    scoring = fields.Nested(ScoringSchema, required=True)
    referral = fields.Dict(
        keys=fields.String(validate=validate.OneOf(URGENCIES)), values=fields.String(), required=True
    )


class NormBandSchema(_Strict):
    age_from = fields.Integer(required=True, strict=True)
    age_to = fields.Integer(required=True, strict=True)
    female = fields.Integer(required=True, strict=True)
    male = fields.Integer(required=True, strict=True)


class NormsSchema(_Strict):
    description = fields.String(required=True)
    unit = fields.String(required=True)
    basis_label = fields.String(required=True)
    reference = fields.List(fields.Nested(EvidenceSchema), required=True, validate=validate.Length(min=1))
    bands = fields.List(fields.Nested(NormBandSchema), required=True, validate=validate.Length(min=1))


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


def load_inputs(path: Path) -> dict[str, InputSpec]:
    content = load_yaml(path) or {}
    return {
        name: InputSpec(name=name, **_load(InputSchema(), raw, f"{path.name}: input {name}"))
        for name, raw in content.items()
    }


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


def load_rules(path: Path, group: str, inputs: dict, parameters: dict, recommendations: dict, start: int) -> list[Rule]:
    content = _load(GroupSchema(), load_yaml(path), path.name)
    rules = []
    for position, raw in enumerate(content["rules"]):
        where = f"{path.name}: rule {raw.get('id', f'#{position + 1}')}"
        data = _load(RuleSchema(), raw, where)
        if not data["id"].startswith(f"{group}."):
            raise RulesError(f"{where}: id must start with '{group}.'")
        _require_source(data, "evidence", where)
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
                points=data["points"],
                referral=data["referral"],
                recommendations=tuple(data["recommendations"]),
                evidence=_evidence(data["evidence"]),
                basis=data["basis"],
                context=tuple(data["context"]),
                note=data["note"],
                index=start + position,
            )
        )
    return rules


def _check_red_flags(rules: list[Rule], inputs: dict) -> None:
    """Every red-flag input needs a rule that refers urgently on that flag alone."""
    for name in inputs:
        if not name.startswith("red_flags."):
            continue
        if not any(r.referral == "urgent" and r.terms == (Term(input=name, is_=True),) for r in rules):
            raise RulesError(f"red_flags.yaml: no rule refers urgently on '{name}' alone")


def load_ruleset(folder: Path) -> Ruleset:
    """Read and check every file of the ruleset in `folder`."""
    folder = Path(folder)
    head = _load(RulesetSchema(), load_yaml(folder / "ruleset.yaml"), "ruleset.yaml")
    scoring = head["scoring"]
    starts = [b["start"] for b in scoring["bands"]]
    if starts != sorted(set(starts)) or starts[0] != scoring["minimum"]:
        raise RulesError("ruleset.yaml: scoring.bands must start at the minimum and rise")
    inputs = load_inputs(folder / "inputs.yaml")
    parameters = load_parameters(folder / "parameters")
    recs_raw = load_yaml(folder / "recommendations.yaml") or {}
    recommendations = {}
    for index, (rec_id, raw) in enumerate(recs_raw.items()):
        data = _load(RecommendationSchema(), raw, f"recommendations.yaml: {rec_id}")
        recommendations[rec_id] = Recommendation(rec_id, data["text"].strip(), _evidence(data["evidence"]), index)
    rules: list[Rule] = []
    for group in head["groups"]:
        rules += load_rules(folder / f"{group}.yaml", group, inputs, parameters, recommendations, len(rules))
    seen = set()
    for rule in rules:
        if rule.id in seen:
            raise RulesError(f"{rule.group}.yaml: rule {rule.id}: duplicate rule id")
        seen.add(rule.id)
    _check_red_flags(rules, inputs)
    norms_raw = load_yaml(folder / "norms.yaml") or {}
    norms = _load(NormsSchema(), norms_raw.get("heel_raise"), "norms.yaml: heel_raise")
    return Ruleset(
        name=head["name"],
        version=head["version"],
        title=head["title"],
        disclaimer=head["disclaimer"],
        score_min=scoring["minimum"],
        score_max=scoring["maximum"],
        bands=tuple(Band(b["band"], b["start"]) for b in scoring["bands"]),
        scoring_note=scoring["note"],
        referral_to=dict(head["referral"]),
        inputs=inputs,
        parameters=parameters,
        rules=tuple(rules),
        recommendations=recommendations,
        heel_raise_norms=Norms(
            description=norms["description"],
            unit=norms["unit"],
            basis_label=norms["basis_label"],
            reference=_evidence(norms["reference"]),
            bands=tuple(NormBand(**b) for b in norms["bands"]),
        ),
    )
