"""The soleus programme as loaded from rules/programme.yaml: plain immutable records.

Every number and choice carries a `Source`: the evidence it rests on, or the
reason for a design choice (the loader refuses one with neither).
"""

from dataclasses import dataclass

from screening.ruleset.model import Evidence, evidence_list

VALUES = ("weakest", "strongest", "goal", "deficit", "lsi", "gap", "pain_while_running")  # what a term may read
STATUSES = ("prescribed", "withheld")
LEGS = ("both", "left", "right")


@dataclass(frozen=True)
class Source:
    """Why a number or a choice is what it is: `basis` evidence (with `evidence`) or design choice (with `reason`)."""

    basis: str
    evidence: tuple[Evidence, ...] = ()
    reason: str | None = None

    def as_evidence(self) -> list[dict]:
        """As the result's evidence list: a design choice is one entry graded 'design choice'."""
        if self.basis == "design choice":
            return [{"citation": f"Design choice: {self.reason}", "grade": "design choice"}]
        return evidence_list(self.evidence)


@dataclass(frozen=True)
class ProgrammeTerm:
    """One comparison of the programme's choices and checks: `value` op `threshold`'s value (times `of` when
    given), or `value` op `of` alone. (A rule's comparison is `screening.ruleset.model.Term`.)"""

    value: str
    op: str
    threshold: str | None = None
    of: str | None = None


@dataclass(frozen=True)
class Sourced:
    """A value of the programme with its source (a dose's sets, its tempo, the HSR progression)."""

    value: object
    source: Source


@dataclass(frozen=True)
class Dose:
    name: str
    sets: Sourced
    reps: Sourced
    tempo: Sourced
    sessions_per_week: Sourced
    load: Sourced | None = None
    progression: Sourced | None = None


@dataclass(frozen=True)
class Exercise:
    id: str
    title: str
    how: str
    drawing: str  # an SVG file of screening/programme/drawings/
    per_leg: bool
    extra_set_how: str  # said with {leg}: the weaker leg's extra set
    dose: Dose


@dataclass(frozen=True)
class Stage:
    id: str
    number: int
    title: str
    exercises: tuple[Exercise, ...]
    source: Source


@dataclass(frozen=True)
class Choice:
    """One entry of `choose`: this stage when every term holds, said with `says`."""

    stage: Stage
    terms: tuple[ProgrammeTerm, ...]
    says: str
    source: Source


@dataclass(frozen=True)
class Check:
    """One item of the return-to-run checklist; without terms it is for the clinician to check."""

    id: str
    says: str
    terms: tuple[ProgrammeTerm, ...]


@dataclass(frozen=True)
class ReturnToRun:
    within_weeks: str  # a parameter name
    highest_stage: Stage
    says: str
    then: str
    checks: tuple[Check, ...]
    source: Source


@dataclass(frozen=True)
class Withheld:
    referrals: tuple[str, ...]
    red_flag_signs: bool
    pain_above: str  # a parameter name
    says: str
    source: Source


@dataclass(frozen=True)
class Emphasis:
    terms: tuple[ProgrammeTerm, ...]
    extra_sets: str  # a parameter name
    says: str
    source: Source


@dataclass(frozen=True)
class Said:
    says: str
    source: Source


@dataclass(frozen=True)
class ProgrammeRules:
    """rules/programme.yaml, checked."""

    description: str
    knee: Said
    goal_without_reference: str  # a parameter name
    goal_source: Source
    stages: tuple[Stage, ...]
    choices: tuple[Choice, ...]
    no_tested_leg: Choice
    emphasis: Emphasis
    progress_when: Said
    step_back_when: Said
    withheld: Withheld
    return_to_run: ReturnToRun

    def stage(self, stage_id: str) -> Stage:
        return next(s for s in self.stages if s.id == stage_id)
