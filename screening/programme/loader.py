"""Load rules/programme.yaml into ProgrammeRules, refusing anything a clinician could not trust.

As strict as the rule files (screening/ruleset/): unknown or duplicate keys;
a stage, dose number, choice or text without `basis: evidence` and its
evidence, or `basis: design choice` and its reason; a threshold that is not a
parameter of the ruleset; an exercise, dose or stage that does not exist; a
text naming a value it cannot be said with; stages not numbered 1, 2, 3...; a
programme not withheld for every urgent or soon referral and red-flag sign;
and a `choose` list whose last entry does not always apply. Every error names
the file and the place.
"""

import string
from pathlib import Path

from screening.errors import RulesError
from screening.programme import model
from screening.programme.model import Choice, Dose, Exercise, ProgrammeRules, ProgrammeTerm, Source, Sourced, Stage
from screening.programme.schemas import ProgrammeSchema
from screening.ruleset.loader import fill_parameters
from screening.ruleset.model import Ruleset
from screening.ruleset.reading import evidence_of, load_checked
from screening.ruleset.strict_yaml import load_yaml

FILE = "programme.yaml"
# The values each kind of text may be said with ({leg} etc.); {group.name} is a parameter's value.
SAID_WITH = {
    "choice": {"leg", "weakest", "strongest", "goal", "goal_basis", "pain"},
    "emphasis": {"leg", "weakest", "strongest", "extra"},
    "extra_set": {"leg"},
    "withheld": {"because"},
    "return_to_run": {"weeks"},
    "check": {"goal"},
    "plain": set(),
}


def source_of(data: dict, where: str) -> Source:
    """The block's source: evidence with its citations, or a design choice with its reason."""
    if data["basis"] == "design choice":
        if not (data["reason"] or "").strip():
            raise RulesError(f"{FILE}: {where}: a design choice needs its 'reason'")
        return Source("design choice", evidence_of(data["evidence"]), data["reason"].strip())
    if not data["evidence"]:
        raise RulesError(f"{FILE}: {where}: no evidence: cite it, or say 'basis: design choice' with a 'reason'")
    return Source("evidence", evidence_of(data["evidence"]))


class _Reader:
    """Reads the checked mapping, with the ruleset's parameters at hand."""

    def __init__(self, ruleset: Ruleset):
        self.parameters = ruleset.parameters

    def parameter(self, name: str, where: str) -> str:
        if name not in self.parameters:
            raise RulesError(f"{FILE}: {where}: unknown threshold '{name}'")
        return name

    def text(self, text: str, kind: str, where: str) -> str:
        """`text` with each {group.name} filled in, checked to name only the values its kind is said with."""
        filled = fill_parameters(text.strip(), self.parameters, f"{FILE}: {where}")
        names = {field for _, field, _, _ in string.Formatter().parse(filled) if field is not None}
        unknown = sorted(names - SAID_WITH[kind])
        if unknown:
            raise RulesError(f"{FILE}: {where}: the text names {', '.join(unknown)}, which it cannot be said with")
        return filled

    def terms(self, raw: list[dict], where: str) -> tuple[ProgrammeTerm, ...]:
        terms = []
        for term in raw:
            if term["threshold"] is None and term["of"] is None:
                raise RulesError(f"{FILE}: {where}: a term compares with a 'threshold' and/or 'of'")
            if term["threshold"] is not None:
                self.parameter(term["threshold"], where)
            terms.append(ProgrammeTerm(term["value"], term["op"], term["threshold"], term["of"]))
        return tuple(terms)

    def said(self, data: dict, kind: str, where: str) -> model.Said:
        return model.Said(self.text(data["says"], kind, where), source_of(data, where))


def _sourced(data: dict, where: str) -> Sourced:
    return Sourced(data["value"], source_of(data, where))


def _doses(raw: dict) -> dict[str, Dose]:
    doses = {}
    for name, data in raw.items():
        where = f"doses.{name}"
        optional = {
            key.rstrip("_"): _sourced(data[key], f"{where}.{key.rstrip('_')}")
            for key in ("load_", "progression")
            if data[key]
        }
        doses[name] = Dose(
            name,
            *(_sourced(data[key], f"{where}.{key}") for key in ("sets", "reps", "tempo", "sessions_per_week")),
            **optional,
        )
    return doses


def _exercises(raw: dict, doses: dict[str, Dose], reader: _Reader, drawings: Path) -> dict[str, Exercise]:
    found = {}
    for name, data in raw.items():
        where = f"exercises.{name}"
        if data["dose"] not in doses:
            raise RulesError(f"{FILE}: {where}: unknown dose '{data['dose']}'")
        if not (drawings / data["drawing"]).is_file():
            raise RulesError(f"{FILE}: {where}: no drawing {data['drawing']} in screening/programme/drawings")
        found[name] = Exercise(
            name,
            data["title"],
            " ".join(data["how"].split()),
            data["drawing"],
            data["per_leg"],
            reader.text(data["extra_set_how"], "extra_set", where),
            doses[data["dose"]],
        )
    return found


def _stages(raw: list[dict], exercises: dict[str, Exercise]) -> tuple[Stage, ...]:
    stages = []
    for position, data in enumerate(raw, start=1):
        where = f"stages: {data['id']}"
        if data["number"] != position:
            raise RulesError(f"{FILE}: {where}: stages are numbered 1, 2, 3... in order, not {data['number']}")
        unknown = [e for e in data["exercises"] if e not in exercises]
        if unknown:
            raise RulesError(f"{FILE}: {where}: unknown exercise(s) {', '.join(unknown)}")
        chosen = tuple(exercises[e] for e in data["exercises"])
        stages.append(Stage(data["id"], data["number"], data["title"], chosen, source_of(data, where)))
    if len({s.id for s in stages}) != len(stages):
        raise RulesError(f"{FILE}: stages: a stage id is given twice")
    return tuple(stages)


def _check_refer_first(withheld: dict) -> None:
    """No training advice while a referral comes first: the programme is withheld for every urgent or soon
    referral and every red-flag sign, whatever else the file says."""
    missing = sorted({"urgent", "soon"} - set(withheld["referrals"]))
    if missing or not withheld["red_flag_signs"]:
        raise RulesError(
            f"{FILE}: withheld: the programme must be withheld for urgent and soon referrals and every red-flag "
            f"sign (missing: {', '.join(missing) or 'red_flag_signs'})"
        )


def load_programme(folder: Path, ruleset: Ruleset, drawings: Path) -> ProgrammeRules:
    """Read and check `folder`/programme.yaml against the loaded ruleset's parameters."""
    data = load_checked(ProgrammeSchema(), load_yaml(Path(folder) / FILE), FILE)
    reader = _Reader(ruleset)
    stages = _stages(data["stages"], _exercises(data["exercises"], _doses(data["doses"]), reader, drawings))
    by_id = {s.id: s for s in stages}

    def stage(name: str, where: str) -> Stage:
        if name not in by_id:
            raise RulesError(f"{FILE}: {where}: unknown stage '{name}'")
        return by_id[name]

    choices = []
    for position, raw in enumerate(data["choose"], start=1):
        where = f"choose #{position}"
        choices.append(
            Choice(
                stage(raw["stage"], where),
                reader.terms(raw["when"], where),
                reader.text(raw["says"], "choice", where),
                source_of(raw, where),
            )
        )
    if choices[-1].terms:
        raise RulesError(f"{FILE}: choose: the last entry must always apply ('when: []'), so every runner has a stage")
    blank = data["no_tested_leg"]
    no_leg = Choice(
        stage(blank["stage"], "no_tested_leg"),
        (),
        reader.text(blank["says"], "choice", "no_tested_leg"),
        source_of(blank, "no_tested_leg"),
    )
    emphasis, withheld, back = data["emphasis"], data["withheld"], data["return_to_run"]
    _check_refer_first(withheld)
    checks = tuple(
        model.Check(
            c["id"],
            reader.text(c["says"], "check", f"return_to_run.{c['id']}"),
            reader.terms(c["when"], f"return_to_run.{c['id']}"),
        )
        for c in back["checks"]
    )
    return ProgrammeRules(
        description=data["description"],
        knee=model.Said(reader.text(data["knee"]["text"], "plain", "knee"), source_of(data["knee"], "knee")),
        goal_without_reference=reader.parameter(data["goal"]["without_reference"], "goal"),
        goal_source=source_of(data["goal"], "goal"),
        stages=stages,
        choices=tuple(choices),
        no_tested_leg=no_leg,
        emphasis=model.Emphasis(
            reader.terms(emphasis["when"], "emphasis"),
            reader.parameter(emphasis["extra_sets"], "emphasis"),
            reader.text(emphasis["says"], "emphasis", "emphasis"),
            source_of(emphasis, "emphasis"),
        ),
        progress_when=reader.said(data["progress_when"], "plain", "progress_when"),
        step_back_when=reader.said(data["step_back_when"], "plain", "step_back_when"),
        withheld=model.Withheld(
            tuple(withheld["referrals"]),
            withheld["red_flag_signs"],
            reader.parameter(withheld["pain_above"], "withheld"),
            reader.text(withheld["says"], "withheld", "withheld"),
            source_of(withheld, "withheld"),
        ),
        return_to_run=model.ReturnToRun(
            reader.parameter(back["within_weeks"], "return_to_run"),
            stage(back["highest_stage"], "return_to_run"),
            reader.text(back["says"], "return_to_run", "return_to_run"),
            " ".join(back["then"].split()),
            checks,
            source_of(back, "return_to_run"),
        ),
    )
