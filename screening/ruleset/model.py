"""The ruleset as loaded from rules/: plain immutable records, no behaviour
beyond describing themselves in words a clinician can check."""

from dataclasses import dataclass, field

from screening.ruleset.points import Effect, Taper, round_half_away

REFERRAL_ORDER = ("none", "routine", "soon", "urgent")  # a rule's referral effect, least urgent first
URGENCIES = REFERRAL_ORDER[1:]  # a referral's urgency: every effect but "none"
SCORE_BANDS = (
    "low",
    "moderate",
    "high",
)  # the score's risk bands, lowest first; rules/ruleset.yaml gives each its start
SYMPTOMATIC = "symptomatic"  # a band of its own: symptoms of a present injury, whatever the score
BANDS = (*SCORE_BANDS, SYMPTOMATIC)  # every band a result may carry, in the order a change is ranked
RECOMMENDATION_KINDS = ("referral", "hold", "safety", "criteria", "training", "loading")
VOICES = ("runner", "clinician")  # whom a recommendation's text speaks to
HOLD_WHEN = ("urgent", SYMPTOMATIC, "soon")  # what withholds training advice (ruleset.yaml: advice_held)
RED_FLAG_KINDS = ("sign", "risk_factor")  # a red flag refers urgently alone, or only with a calf symptom
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
    kind: str | None = None  # red flags only: "sign" or "risk_factor"

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
class Escalation:
    """A line said first with an urgent referral of the rules that name it (breathless: call the emergency number)."""

    id: str
    text: str
    evidence: tuple["Evidence", ...]


@dataclass(frozen=True)
class Hold:
    """While `when` applies (an urgent or soon referral, or the symptomatic band), no advice of these kinds:
    `instead` is said in its place."""

    when: str
    kinds: tuple[str, ...]
    instead: str


@dataclass(frozen=True)
class SymptomaticBand:
    band: str
    description: str
    basis: str
    reference: tuple["Evidence", ...]


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
    points_basis: str = "design choice"
    effect: Effect | None = None
    referral_to: str | None = None
    present_injury: bool = False  # a symptom of a present injury: the band is symptomatic
    escalation: str | None = None  # ruleset.escalations id said first with its urgent referral
    taper: Taper | None = None  # points that fall with an input (points is then the most it scores)

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
    kind: str = "training"  # RECOMMENDATION_KINDS
    voice: str = "runner"


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
    start: int  # points
    relative_risk: float  # the risk multiple the band starts at


@dataclass(frozen=True)
class Question:
    """One question of a scored instrument: the points of each answer, by index."""

    name: str
    points: tuple[int, ...]
    substantial_from: int | None  # the answer index from which the problem is substantial
    time_loss_from: int | None = None  # the answer index that means the runner could not take part


@dataclass(frozen=True)
class Instrument:
    name: str
    description: str
    reference: tuple[Evidence, ...]
    questions: tuple[Question, ...]


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
    points_base: float = 2**0.1
    points_per_doubling: int = 10
    design_choice_max_points: int = 0
    caps: dict = field(default_factory=dict, repr=False)
    independence_note: str = ""
    scoring_reference: tuple[Evidence, ...] = ()
    healthy_recommendation: str = ""
    instruments: dict = field(default_factory=dict, repr=False)
    symptomatic: SymptomaticBand | None = field(default=None, repr=False)
    advice_held: tuple[Hold, ...] = field(default=(), repr=False)
    escalations: dict = field(default_factory=dict, repr=False)

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

    def points_of(self, rule: Rule, inputs: dict) -> int:
        """The points a fired rule adds for these inputs: its own, or where its taper puts this runner."""
        taper = rule.taper
        if taper is None:
            return rule.points
        start, end = self.parameter(taper.start), self.parameter(taper.end)
        value = min(max(inputs[taper.input], start), end)
        return round_half_away(rule.points + (value - start) / (end - start) * (taper.end_points - rule.points))

    def relative_risk(self, score: int) -> float:
        """The risk multiple a score stands for: B ** score (assumes independent effects)."""
        return self.points_base**score

    def parameter(self, name: str) -> float:
        return self.parameters[name].value

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
            "points_basis": rule.points_basis,
            "effect": rule.effect.as_dict() if rule.effect else None,
            "referral": rule.referral,
            "referral_to": rule.referral_to,
            "recommendations": list(rule.recommendations),
            "evidence": evidence_list(rule.evidence),
            "basis": rule.basis,
            "note": rule.note,
            "present_injury": rule.present_injury,
            **({"taper": self.taper_of(rule)} if rule.taper else {}),
        }

    def taper_of(self, rule: Rule) -> dict:
        """A tapering rule's points as data: where they start and end, and why."""
        taper = rule.taper
        assert taper is not None
        return {
            "input": taper.input,
            "from": {"value": self.parameter(taper.start), "points": rule.points},
            "to": {"value": self.parameter(taper.end), "points": taper.end_points},
            "basis": taper.basis,
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
