"""The engine asserts only validated numbers and booleans: durable_rules compares anything else as text."""

import math

import pytest
from intakes import healthy

from screening import EngineError, default_screener
from screening.derive import derive


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


def test_a_fact_holds_every_known_input_by_its_key_and_leaves_missing_ones_out():
    engine = default_screener().engine
    inputs = {**_inputs(), "wellness.soreness_days": None}

    fact = engine.fact(inputs)

    specs = default_screener().ruleset.inputs
    expected = {specs[name].fact_key: value for name, value in inputs.items() if value is not None and name in specs}
    assert fact == {"sentinel": 1, **expected}
    assert specs["wellness.soreness_days"].fact_key not in fact
