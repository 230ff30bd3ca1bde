"""Where a rule's points come from: a study's relative effect, Sullivan's rounding, and a taper.

A rule's points are round(ln(effect) / ln(B)), halves away from zero (B is
the ruleset's `points_base`, 2^(1/points_per_doubling)); a tapering rule's
points fall linearly with an input between two thresholds. The records here
are immutable, like the rest of the ruleset's model.
"""

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Effect:
    """A relative effect from a study: the data a rule's points are computed from."""

    measure: str  # "HR", "OR" or "RR"
    value: float
    ci: tuple[float, float]
    population: str
    citation: str
    grade: str

    @property
    def ci_includes_one(self) -> bool:
        return self.ci[0] <= 1.0 <= self.ci[1]

    def describe(self) -> str:
        value, low, high = _same_decimals(self.value, *self.ci)
        return f"{self.measure} {value} (95% CI {low}-{high}), {self.population}"

    def as_dict(self) -> dict:
        return {
            "measure": self.measure,
            "value": self.value,
            "ci": list(self.ci),
            "population": self.population,
            "citation": self.citation,
            "grade": self.grade,
        }


def _same_decimals(*values: float) -> list[str]:
    """Numbers written with the decimals the most precise of them has (1.16-2.00, not 1.16-2)."""
    decimals = max(len(repr(v).split(".")[1].rstrip("0")) if "." in repr(v) else 0 for v in values)
    return [f"{v:.{decimals}f}" for v in values]


def effect_points(value: float, base: float) -> int:
    """Sullivan's points for a relative effect: round(ln(value) / ln(B)), halves away from zero."""
    return round_half_away(math.log(value) / math.log(base))


def round_half_away(exact: float) -> int:
    return int(math.copysign(math.floor(abs(exact) + 0.5), exact))


@dataclass(frozen=True)
class Taper:
    """Points that fall linearly with an input: the rule's points at `start` (a threshold's value), `end_points`
    at `end`, rounded half away from zero; `basis` says why (a design choice)."""

    input: str
    start: str  # threshold names
    end: str
    end_points: int
    basis: str
