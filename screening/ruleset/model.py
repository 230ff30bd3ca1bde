"""The ruleset as loaded from rules/: plain immutable records, no behaviour
beyond describing themselves in words a clinician can check."""

from dataclasses import dataclass, field

REFERRAL_ORDER = ("none", "routine", "soon", "urgent")  # a rule's referral effect, least urgent first
URGENCIES = REFERRAL_ORDER[1:]  # a referral's urgency: every effect but "none"
BANDS = ("low", "moderate", "high")  # risk bands, lowest first; rules/ruleset.yaml gives each its start
OPERATORS = ("<", "<=", ">", ">=", "==", "!=")


@dataclass(frozen=True)
class Evidence:
    citation: str
    grade: str

    def as_dict(self) -> dict:
        return {"citation": self.citation, "grade": self.grade}


@dataclass(frozen=True)
class Parameter:
    """A named threshold with its unit and the source that sets it."""

    name: str
    description: str
    unit: str
    value: float
    basis: str  # "evidence" or "design choice"
    reference: tuple[Evidence, ...]

    def formatted(self) -> str:
        return format_number(self.value, self.unit)

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "description": self.description,
            "unit": self.unit,
            "value": self.value,
            "basis": self.basis,
            "reference": evidence_list(self.reference),
        }


@dataclass(frozen=True)
class InputSpec:
    """An input a rule may read: an intake field or a derived value."""

    name: str
    type: str  # "number" or "boolean"
    unit: str | None
    description: str
    absent: str  # "not_assessed" or "none_known"
    needs: str | None

    @property
    def needed_data(self) -> str:
        """What must be recorded for a rule reading this input to be assessed (its `needs`, else its name)."""
        return self.needs or self.name

    @property
    def fact_key(self) -> str:
        """The key under which the engine sees this input (no dots)."""
        return self.name.replace(".", "__")


@dataclass(frozen=True)
class Term:
    """One comparison: `input op [threshold x] [of]`, or `input is true/false`."""

    input: str
    op: str | None = None
    threshold: str | None = None
    of: str | None = None
    is_: bool | None = None

    @property
    def inputs(self) -> tuple[str, ...]:
        return (self.input,) if self.of is None else (self.input, self.of)


@dataclass(frozen=True)
class Rule:
    id: str
    group: str
    title: str
    terms: tuple[Term, ...]
    points: int
    referral: str
    recommendations: tuple[str, ...]
    evidence: tuple[Evidence, ...]
    basis: str
    context: tuple[str, ...] = ()
    note: str | None = None
    index: int = 0

    @property
    def inputs(self) -> tuple[str, ...]:
        """Every input the condition reads, in order, each once."""
        seen = dict.fromkeys(name for term in self.terms for name in term.inputs)
        return tuple(seen)

    @property
    def thresholds(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(t.threshold for t in self.terms if t.threshold))


@dataclass(frozen=True)
class Recommendation:
    id: str
    text: str
    evidence: tuple[Evidence, ...]
    index: int


@dataclass(frozen=True)
class NormBand:
    age_from: int
    age_to: int
    female: int
    male: int


@dataclass(frozen=True)
class Norms:
    description: str
    unit: str
    basis_label: str
    reference: tuple[Evidence, ...]
    bands: tuple[NormBand, ...]


@dataclass(frozen=True)
class Band:
    band: str
    start: int


@dataclass(frozen=True)
class Ruleset:
    name: str
    version: str
    title: str
    disclaimer: str
    score_min: int
    score_max: int
    bands: tuple[Band, ...]
    scoring_note: str
    referral_to: dict
    inputs: dict = field(repr=False)
    parameters: dict = field(repr=False)
    rules: tuple[Rule, ...] = field(repr=False)
    recommendations: dict = field(repr=False)
    heel_raise_norms: Norms = field(repr=False)

    def rule(self, rule_id: str) -> Rule:
        return self._rules_by_id[rule_id]

    @property
    def ref(self) -> dict:
        """The ruleset's name and version, as every result and answer names it (`RulesetRef`)."""
        return {"name": self.name, "version": self.version}

    @property
    def _rules_by_id(self) -> dict:
        cache = self.__dict__.get("_by_id")
        if cache is None:
            cache = {r.id: r for r in self.rules}
            object.__setattr__(self, "_by_id", cache)
        return cache

    def describe_term(self, term: Term) -> str:
        """Say one comparison in words, with the threshold's value and unit."""
        if term.is_ is not None:
            return f"{term.input} is {'true' if term.is_ else 'false'}"
        right = []
        if term.threshold:
            parameter = self.parameters[term.threshold]
            right.append(
                parameter.formatted()
                if term.of is None
                else format_number(parameter.value, "ratio" if parameter.unit == "ratio" else None)
            )
        if term.of:
            right.append(term.of)
        return f"{term.input} {term.op} {' x '.join(right)}"

    def describe(self, rule: Rule) -> str:
        return " and ".join(self.describe_term(t) for t in rule.terms)

    def rule_basis(self, rule: Rule) -> dict:
        """What a rule checks and rests on, as results and the rules API both show it."""
        return {
            "title": rule.title,
            "condition": self.describe(rule),
            "thresholds": {name: self.parameters[name].as_dict() for name in rule.thresholds},
            "points": rule.points,
            "referral": rule.referral,
            "recommendations": list(rule.recommendations),
            "evidence": evidence_list(rule.evidence),
            "basis": rule.basis,
            "note": rule.note,
        }


def evidence_list(items) -> list[dict]:
    return [item.as_dict() for item in items]


def format_number(value, unit: str | None = None) -> str:
    """Print a threshold as a clinician would write it (1.10, 40 years)."""
    if isinstance(value, float) and not value.is_integer():
        text = f"{value:.2f}" if round(value, 2) == value else f"{value:g}"
    elif isinstance(value, float) and unit == "ratio":
        text = f"{value:.2f}"
    else:
        text = str(int(value))
    if unit and unit not in ("ratio",) and not unit.startswith("0-"):
        text = f"{text} {unit}"
    return text
