"""The engine fires exactly the rules a plain-Python reading of the same rule data fires.

10,000 seeded random intakes (tests/support/intakes.py: every range, values exactly on
the thresholds and one float step either side, zeros, nulls, miles, tiny
distances), each with a random history of earlier screenings or none
(tests/support/histories.py), are derived once; for each, `engine.fire(inputs)` must equal
tests/support/reference_evaluator.py's answer. A deliberately broken compilation
(one threshold or one operator changed in a copy of the ruleset) must be
caught by the same comparison, so the comparison can fail.
"""

import dataclasses
import functools
import random

import pytest

from screening import default_screener
from screening.derive import derive
from screening.engine import RulesEngine
from tests.support import reference_evaluator
from tests.support.histories import NOW, history_of, random_earlier
from tests.support.intakes import random_intakes

COUNT = 10_000
SEED = 2024


@functools.cache
def _derived_inputs() -> tuple:
    """(intake, inputs) for every random intake, validated as the service would."""
    screener = default_screener()
    pairs = []
    rng = random.Random(SEED + 1)  # its own stream: the intakes stay those of earlier versions
    for payload in random_intakes(COUNT, SEED):
        intake = screener.validate(payload)
        history = history_of(random_earlier(rng))
        pairs.append((payload, derive(intake, screener.ruleset, history, NOW if history is not None else None)[0]))
    return tuple(pairs)


def _mismatches(engine: RulesEngine, ruleset, pairs) -> list[dict]:
    """Every intake on which the engine and the reference evaluator disagree."""
    found = []
    for payload, inputs in pairs:
        by_engine, by_reference = engine.fire(inputs), reference_evaluator.fired(ruleset, inputs)
        if by_engine != by_reference:
            found.append(
                {
                    "intake": payload,
                    "only_engine": sorted(set(by_engine) - set(by_reference)),
                    "only_reference": sorted(set(by_reference) - set(by_engine)),
                }
            )
    return found


def _report(found: list[dict]) -> str:
    lines = [f"{len(found)} of {COUNT} intakes differ; first ones:"]
    lines += [
        f"  fired only by the engine {m['only_engine']}, only by the reference {m['only_reference']}"
        f" for intake {m['intake']}"
        for m in found[:5]
    ]
    return "\n".join(lines)


def test_engine_agrees_with_the_reference_evaluator_on_random_intakes():
    screener = default_screener()
    found = _mismatches(screener.engine, screener.ruleset, _derived_inputs())
    assert not found, _report(found)


def test_random_intakes_reach_every_rule_and_both_sides_of_it():
    """Guard the generator: a comparison that never fires a rule cannot check it."""
    ruleset = default_screener().ruleset
    counts = dict.fromkeys((rule.id for rule in ruleset.rules), 0)
    for _, inputs in _derived_inputs():
        for rule_id in reference_evaluator.fired(ruleset, inputs):
            counts[rule_id] += 1
    never = [rule_id for rule_id, count in counts.items() if count == 0]
    always = [rule_id for rule_id, count in counts.items() if count == COUNT]
    assert not never and not always, f"never fired: {never}; always fired: {always}"


def test_random_intakes_sit_exactly_on_the_spike_and_symmetry_boundaries():
    """The boundary values must occur as the rules see them, or the edges go untested."""
    parameters = default_screener().ruleset.parameters
    ratios = [parameters[f"load.spike_ratio_{size}"].value for size in ("small", "large", "extreme")]
    on_spike = {ratio: 0 for ratio in ratios}
    on_symmetry = {0.90: 0, 0.80: 0}
    for _, inputs in _derived_inputs():
        latest, longest = inputs["training.latest_run"], inputs["training.longest_run_30d"]
        for ratio in ratios:
            if latest is not None and longest and latest == longest * ratio:
                on_spike[ratio] += 1
        lsi = inputs["derived.limb_symmetry_index"]
        if lsi in on_symmetry and inputs["derived.heel_raise_gap"] in (6, 7):
            on_symmetry[lsi] += 1
    assert all(on_spike.values()) and all(on_symmetry.values()), (on_spike, on_symmetry)


def _with_parameter(ruleset, name: str, value):
    parameters = dict(ruleset.parameters)
    parameters[name] = dataclasses.replace(parameters[name], value=value)
    return dataclasses.replace(ruleset, parameters=parameters)


def _with_operator(ruleset, rule_id: str, op: str):
    rules = []
    for rule in ruleset.rules:
        if rule.id == rule_id:
            rule = dataclasses.replace(rule, terms=(dataclasses.replace(rule.terms[0], op=op), *rule.terms[1:]))
        rules.append(rule)
    return dataclasses.replace(ruleset, rules=tuple(rules))


BROKEN = [
    pytest.param(
        lambda r: _with_parameter(r, "load.spike_ratio_small", 1.11),
        {"load.single_run_spike"},
        id="spike ratio 1.10 compiled as 1.11",
    ),
    # Both asymmetry rules read this threshold, so both must be caught.
    pytest.param(
        lambda r: _with_parameter(r, "strength.lsi_marked", 0.79),
        {"strength.asymmetry", "strength.asymmetry_marked"},
        id="marked asymmetry below 0.80 compiled as below 0.79",
    ),
    pytest.param(
        lambda r: _with_operator(r, "history.age_40_plus", ">"),
        {"history.age_40_plus"},
        id="age >= 40 compiled as > 40",
    ),
    pytest.param(
        lambda r: _with_operator(r, "load.single_run_spike_extreme", ">="),
        {"load.single_run_spike_extreme"},
        id="spike > 2.00x compiled as >= 2.00x",
    ),
]


@pytest.mark.parametrize(("break_ruleset", "rule_ids"), BROKEN)
def test_a_broken_compilation_is_caught_by_the_comparison(break_ruleset, rule_ids):
    ruleset = default_screener().ruleset
    broken_engine = RulesEngine(break_ruleset(ruleset))
    found = _mismatches(broken_engine, ruleset, _derived_inputs())
    assert found, "the comparison did not notice a broken compilation"
    differing = {rule for m in found for rule in (*m["only_engine"], *m["only_reference"])}
    assert differing == rule_ids
