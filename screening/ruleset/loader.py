"""Load rules/ into a `Ruleset`, refusing anything a clinician could not trust.

The loader is strict: unknown or duplicate keys, a rule or threshold without
evidence (or an explicit `basis: design choice`), a rule that reads an unknown
input or threshold, and a red flag without an urgent rule are all rejected with
a `RulesError` naming the file and the rule.
"""

import re
from dataclasses import replace
from pathlib import Path

from screening.errors import RulesError
from screening.ruleset.checks import check_ruleset
from screening.ruleset.model import (
    SCORE_BANDS,
    Band,
    Escalation,
    Hold,
    InputSpec,
    Instrument,
    NormBand,
    Norms,
    Parameter,
    Question,
    Recommendation,
    Rule,
    Ruleset,
    SymptomaticBand,
)
from screening.ruleset.points import effect_points
from screening.ruleset.reading import evidence_of, load_checked
from screening.ruleset.rule_files import load_rules
from screening.ruleset.schemas import (
    InputSchema,
    InstrumentSchema,
    NormsSchema,
    ParameterSchema,
    RecommendationSchema,
    RulesetSchema,
)
from screening.ruleset.strict_yaml import load_yaml


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
            data = load_checked(ParameterSchema(), raw, where)
            _require_source(data, "reference", where)
            parameters[name] = Parameter(
                name=name,
                description=data["description"],
                unit=data["unit"],
                value=data["value"],
                basis=data["basis"],
                reference=evidence_of(data["reference"]),
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
        name: InputSpec(name=name, **load_checked(InputSchema(), raw, f"{path.name}: input {name}"))
        for name, raw in _mapping(path, "inputs").items()
    }


_PLACEHOLDER = re.compile(r"\{([a-z_]+\.[a-z0-9_]+)\}")


def fill_parameters(text: str, parameters: dict, where: str) -> str:
    """`text` with each {group.name} replaced by that parameter's value: the number is stated once, in the
    parameter, and a clinician reads "at least 4", not a parameter's name."""

    def value(match: re.Match) -> str:
        name = match.group(1)
        if name not in parameters:
            raise RulesError(f"{where} names an unknown parameter {{{name}}}")
        return f"{parameters[name].value:g}"

    return _PLACEHOLDER.sub(value, text)


def with_parameter_values(inputs: dict[str, InputSpec], parameters: dict) -> dict[str, InputSpec]:
    """Inputs whose `needs` and `description` say a parameter's value as {group.name}, filled in."""

    def fill(text: str, name: str) -> str:
        return fill_parameters(text, parameters, f"inputs.yaml: input {name}")

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
        where = f"{path.name}: {rec_id}"
        data = load_checked(RecommendationSchema(), raw, where)
        text = data["text"].strip()
        _check_voice(text, data["voice"], where)
        recommendations[rec_id] = Recommendation(
            rec_id, text, evidence_of(data["evidence"]), index, kind=data["kind"], voice=data["voice"]
        )
    return recommendations


# Words that give a text's voice away: a runner is spoken to, a clinician is told about "the runner".
_SPEAKS_OF_THE_RUNNER = re.compile(r"\bthe runner\b", re.IGNORECASE)
_SPEAKS_TO_SOMEONE = re.compile(r"\b(you|your|yours)\b", re.IGNORECASE)


def _check_voice(text: str, voice: str, where: str) -> None:
    """One voice per text: a runner's text says "you", never "the runner"; a clinician's the reverse."""
    wrong = _SPEAKS_OF_THE_RUNNER if voice == "runner" else _SPEAKS_TO_SOMEONE
    found = wrong.search(text)
    if found:
        raise RulesError(f"{where}: voice {voice}, but the text says {found.group(0)!r}")


def load_instruments(path: Path) -> dict[str, Instrument]:
    instruments = {}
    for name, raw in _mapping(path, "instruments").items():
        data = load_checked(InstrumentSchema(), raw, f"{path.name}: {name}")
        questions = []
        for key, question in data["questions"].items():
            start = question["substantial_from"]
            if start is not None and not 0 <= start < len(question["points"]):
                raise RulesError(f"{path.name}: {name}.{key}: substantial_from is not an answer index")
            lost = question["time_loss_from"]
            if lost is not None and not 0 <= lost < len(question["points"]):
                raise RulesError(f"{path.name}: {name}.{key}: time_loss_from is not an answer index")
            questions.append(Question(key, tuple(question["points"]), start, lost))
        instruments[name] = Instrument(name, data["description"], evidence_of(data["reference"]), tuple(questions))
    return instruments


def load_norms(path: Path) -> Norms:
    content = _mapping(path, "norms")
    unknown = sorted(set(content) - {"heel_raise"})
    if unknown:
        raise RulesError(f"{path.name}: unknown key(s) {', '.join(repr(k) for k in unknown)}")
    norms = load_checked(NormsSchema(), content.get("heel_raise"), f"{path.name}: heel_raise")
    return Norms(
        description=norms["description"],
        unit=norms["unit"],
        basis_label=norms["basis_label"],
        reference=evidence_of(norms["reference"]),
        bands=tuple(NormBand(**b) for b in norms["bands"]),
    )


def load_ruleset(folder: Path, computed: frozenset[str] | None = None) -> Ruleset:
    """Read and check every file of the ruleset in `folder`.

    `computed` names every input the derive step computes: each declared input
    must be one of them and each of them declared.
    """
    folder = Path(folder)
    head = load_checked(RulesetSchema(), load_yaml(folder / "ruleset.yaml"), "ruleset.yaml")
    scoring = head["scoring"]
    base = 2 ** (1 / scoring["points_per_doubling"])
    bands = tuple(
        Band(b["band"], effect_points(b["relative_risk"], base), b["relative_risk"]) for b in scoring["bands"]
    )
    starts = [b.start for b in bands]
    if starts != sorted(set(starts)) or starts[0] != scoring["minimum"] or [b.band for b in bands] != list(SCORE_BANDS):
        raise RulesError(f"ruleset.yaml: scoring.bands must be {', '.join(SCORE_BANDS)}, from the minimum up")
    symptomatic = scoring["symptomatic"]
    _require_source(symptomatic, "reference", "ruleset.yaml: scoring.symptomatic")
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
        scoring_reference=evidence_of(scoring["reference"]),
        healthy_recommendation=head["healthy_recommendation"],
        instruments=load_instruments(folder / "instruments.yaml"),
        symptomatic=SymptomaticBand(
            symptomatic["band"],
            symptomatic["description"].strip(),
            symptomatic["basis"],
            evidence_of(symptomatic["reference"]),
        ),
        advice_held=tuple(Hold(h["when"], tuple(h["hold"]), h["instead"]) for h in head["advice_held"]),
        escalations={
            key: Escalation(key, raw["text"].strip(), evidence_of(raw["evidence"]))
            for key, raw in head["escalations"].items()
        },
    )
    check_ruleset(ruleset, head["groups"], computed)
    return ruleset
