"""Evaluate a loaded ruleset in plain Python, independently of durable_rules (test code only).

The differential test runs this and the engine on the same inputs: both read
the same rule data, so any difference is the engine's compilation or its
evaluation. The semantics are the rule language's, written out plainly:

- a term whose input (or `of` input) is missing or None is false, so its rule
  does not fire;
- `input op threshold`, `input op of`, and `input op threshold x of`, where the
  right side is computed in float exactly as `of_value * threshold_value`;
- `input is true/false` for booleans;
- a rule fires when all its terms hold.
"""

import operator

from screening.ruleset.model import Ruleset, Term

COMPARE = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}


def term_holds(term: Term, ruleset: Ruleset, inputs: dict) -> bool:
    """Whether one comparison is true for these inputs (False when an input it reads is missing)."""
    left = inputs.get(term.input)
    if left is None:
        return False
    if term.is_ is not None:
        return left is term.is_
    if term.of is not None:
        right = inputs.get(term.of)
        if right is None:
            return False
        if term.threshold is not None:
            right = right * ruleset.parameters[term.threshold].value
    else:
        right = ruleset.parameters[term.threshold].value
    return COMPARE[term.op](left, right)


def fired(ruleset: Ruleset, inputs: dict) -> list[str]:
    """The ids of every rule whose terms all hold, in ruleset order (as the engine reports them)."""
    return [rule.id for rule in ruleset.rules if all(term_holds(t, ruleset, inputs) for t in rule.terms)]
