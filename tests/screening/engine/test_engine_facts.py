"""The engine asserts only validated numbers and booleans: durable_rules compares anything else as text."""

import math

import pytest

from screening import EngineError, default_screener
from screening.derive import derive
from screening.engine import fact_keys
from tests.support.intakes import healthy


def _inputs() -> dict:
    screener = default_screener()
    return derive(screener.validate(healthy()), screener.ruleset)[0]


@pytest.mark.parametrize(
    "value",
    ["45", "10", b"45", math.nan, math.inf, -math.inf, [45], {"years": 45}],
    ids=["digits", "small digits", "bytes", "nan", "inf", "-inf", "list", "object"],
)
def test_the_engine_refuses_a_fact_that_is_not_a_validated_number_or_boolean(value):
    engine = default_screener().engine
    inputs = {**_inputs(), "runner.age": value}

    with pytest.raises(EngineError, match=r"input runner\.age is \w+, not a validated number or boolean"):
        engine.fact(inputs)
    with pytest.raises(EngineError, match=r"runner\.age"):
        engine.fire(inputs)


def test_a_fact_holds_every_input_a_rule_reads_by_its_short_key_and_leaves_missing_and_unread_ones_out():
    ruleset = default_screener().ruleset
    engine = default_screener().engine
    keys = fact_keys(ruleset)
    inputs = {**_inputs(), "wellness.soreness": None}

    fact = engine.fact(inputs)

    expected = {keys[name]: value for name, value in inputs.items() if value is not None and name in keys}
    assert fact == {"s": 1, **expected}
    assert keys["wellness.soreness"] not in fact
    unread = set(ruleset.inputs) - set(keys)
    assert unread, "every input is read by a rule: this test no longer shows that unread ones are left out"
    assert not any(name in fact for name in unread)
    assert all(len(key) <= 3 for key in fact)


def test_an_input_no_rule_reads_is_still_type_checked():
    ruleset = default_screener().ruleset
    unread = sorted(set(ruleset.inputs) - set(fact_keys(ruleset)))[0]

    with pytest.raises(EngineError, match=f"input {unread} is str"):
        default_screener().engine.fact({**_inputs(), unread: "45"})
