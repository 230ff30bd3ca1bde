"""The stage from one screening's heel raises and pain: the programme's values and its `choose` list.

Pure and small: the values are read from the rule inputs derive() computed,
each term compared as the rule terms are (a missing value never holds), the
first `choose` entry whose every term holds gives the stage, and a recent
calf strain keeps the stage at or below the return-to-run stage.
"""

from dataclasses import replace
from typing import NamedTuple

from screening.programme.model import Choice, ProgrammeRules, ProgrammeTerm
from screening.ruleset.compare import COMPARE
from screening.ruleset.model import Ruleset


class Legs(NamedTuple):
    left: int | None
    right: int | None

    @property
    def tested(self) -> list[int]:
        return [reps for reps in self if reps is not None]

    @property
    def weaker(self) -> str:
        """Which leg is the weaker in words: left, right, the only one tested, or both legs alike."""
        if self.left is None and self.right is None:
            return "neither tested"
        if self.left is None or self.right is None:
            return f"{'left' if self.right is None else 'right'}, the only one tested"
        if self.left == self.right:
            return "both legs alike"
        return "left" if self.left < self.right else "right"


def values(legs: Legs, goal: int, pain: int | None) -> dict[str, float | None]:
    """The values a term may read (model.VALUES) for these heel raises, goal and pain while running."""
    tested = legs.tested
    weakest = min(tested) if tested else None
    strongest = max(tested) if tested else None
    lsi = None
    if len(tested) == 2:
        lsi = round(min(tested) / max(tested), 9) if max(tested) else 0.0
    return {
        "weakest": weakest,
        "strongest": strongest,
        "goal": goal,
        "deficit": None if weakest is None else goal - weakest,
        "lsi": lsi,
        "gap": abs(tested[0] - tested[1]) if len(tested) == 2 else None,
        "pain_while_running": pain,
    }


def holds(term: ProgrammeTerm, found: dict, ruleset: Ruleset) -> bool:
    left = found[term.value]
    right = ruleset.parameter(term.threshold) if term.threshold else None
    if term.of is not None:
        other = found[term.of]
        if other is None:
            return False
        right = other if right is None else right * other
    return left is not None and COMPARE[term.op](left, right)


def all_hold(terms, found: dict, ruleset: Ruleset) -> bool:
    return all(holds(term, found, ruleset) for term in terms)


class Chosen(NamedTuple):
    choice: Choice
    capped: bool  # a recent calf strain kept it at the return-to-run stage


def choose(rules: ProgrammeRules, found: dict, ruleset: Ruleset, strain_recent: bool) -> Chosen:
    """The first `choose` entry that applies (no tested leg: `no_tested_leg`), capped after a recent strain."""
    if found["weakest"] is None:
        choice = rules.no_tested_leg
    else:
        choice = next(c for c in rules.choices if all_hold(c.terms, found, ruleset))
    highest = rules.return_to_run.highest_stage
    if strain_recent and choice.stage.number > highest.number:
        return Chosen(replace(choice, stage=highest), True)
    return Chosen(choice, False)


def moves_on_at(
    rules: ProgrammeRules,
    legs: Legs,
    goal: int,
    pain: int | None,
    ruleset: Ruleset,
    stage: int,
    highest: int | None = None,
) -> int | None:
    """The fewest heel raises of the weaker leg (the other at least as many) at which a screening would choose a
    later stage than `stage` (and none past `highest`, after a recent strain); None when more reps alone would
    not (pain, the last stage, or the return-to-run stage)."""
    if not legs.tested:
        return None
    weaker_is_left = legs.right is None or (legs.left is not None and legs.left <= legs.right)
    other = legs.right if weaker_is_left else legs.left

    def stage_at(reps: int) -> int:
        lifted = None if other is None else max(other, reps)  # the other leg at least as strong
        tried = Legs(reps, lifted) if weaker_is_left else Legs(lifted, reps)
        found = values(tried, goal, pain)
        return next(c for c in rules.choices if all_hold(c.terms, found, ruleset)).stage.number

    # More reps never choose an earlier stage (tests/screening/programme/test_programme_stages.py checks it of
    # the rule data), so the first count past `stage` is found by bisection between this count and twice the goal.
    low, high = min(legs.tested), 2 * max(goal, min(legs.tested)) + 1
    if stage_at(high) <= stage:
        return None
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (low, middle) if stage_at(middle) > stage else (middle, high)
    reached = stage_at(high)
    return high if highest is None or reached <= highest else None
