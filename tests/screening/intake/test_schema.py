"""The intake schema enforces the contract: strict types, ranges, paths in errors."""

import copy
import json

import pytest
from marshmallow.utils import missing

from screening import IntakeError, default_screener
from screening.intake.schema import IntakeSchema
from tests.support.paths import ROOT

EXAMPLE = json.loads((ROOT / "examples" / "intake.json").read_text())


def _with(path: str, value, base=None):
    """A copy of the example intake with one dotted path set (or removed, for value ...)."""
    payload = copy.deepcopy(base or EXAMPLE)
    *parents, last = path.split(".")
    node = payload
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    if value is ...:
        del node[last]
    elif isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return payload


def _errors(payload) -> dict:
    with pytest.raises(IntakeError) as raised:
        default_screener().validate(payload)
    return raised.value.errors


def test_contract_example_is_valid():
    intake = default_screener().validate(EXAMPLE)
    assert intake["runner"]["id"] == "club-0042"
    assert intake["training"]["weekly_distance"] == [38, 40, 41, 55]


@pytest.mark.parametrize(
    "path, value, expected",
    [
        ("heel_raise.left", 7.0, 7),
        ("runner.age", 44.0, 44),
        ("training.unit", ..., "km"),
        ("runner.sex", ..., None),
        ("runner.prior_calf_strain_weeks_ago", None, None),
        ("heel_raise.left", None, None),
        ("training.weekly_distance.0", 38.5, 38.5),
    ],
)
def test_accepts_what_the_contract_allows(path, value, expected):
    intake = default_screener().validate(_with(path, value))
    node = intake
    for part in path.split("."):
        node = node[int(part)] if isinstance(node, list) else node[part]
    assert node == expected


def test_absent_red_flags_default_to_false():
    intake = default_screener().validate(_with("red_flags", ...))
    assert set(intake["red_flags"].values()) == {False}


@pytest.mark.parametrize(
    "path, value, message",
    [
        ("heel_raise.left", 7.5, "whole number"),
        ("heel_raise.right", True, "got a boolean"),
        ("runner.age", "44", "got a string"),
        ("runner.age", 11, "12"),
        ("runner.age", 101, "100"),
        ("runner.id", "Jane Doe", "pseudonymous"),
        ("runner.id", "x" * 65, "pseudonymous"),
        ("runner.id", "", "pseudonymous"),
        ("runner.id", "club-0042\n", "pseudonymous"),
        ("runner.sex", "f", "Must be one of"),
        ("training.unit", "miles", "Must be one of"),
        ("training.weekly_distance", [], "Length"),
        ("training.weekly_distance", [10] * 13, "Length"),
        ("training.weekly_distance.3", -1, "greater than or equal to 0"),
        ("training.weekly_distance.3", "55", "got a string"),
        ("training.weekly_distance.3", 400.5, "400 km"),
        ("training.latest_run", float("inf"), "finite"),
        ("training.strength_sessions_per_week", 15, "14"),
        ("wellness.fatigue", 11, "10"),
        ("wellness.soreness", 4.5, "whole number"),
        ("heel_raise.left", 201, "200"),
        ("heel_raise.right", ..., "Missing: give the number of heel raises"),
        ("wellness", ..., "Missing data"),
        ("red_flags.calf_swelling", "yes", "true or false"),
        ("red_flags.calf_swelling", 1, "true or false"),
        ("red_flags.calf_swelling", None, "null"),
        ("runner.nickname", "Jo", "Unknown field"),
        ("shoe_size", 42, "Unknown field"),
    ],
)
def test_rejects_with_the_field_path_and_what_was_expected(path, value, message):
    errors = _errors(_with(path, value))
    assert path in errors, errors
    assert any(message in text for text in errors[path]), errors[path]


def test_a_distance_in_miles_is_limited_to_400_km():
    in_miles = _with("training.unit", "mi")
    assert default_screener().validate(_with("training.weekly_distance.0", 248.5, in_miles))
    errors = _errors(_with("training.weekly_distance.0", 248.6, in_miles))
    assert errors == {"training.weekly_distance.0": ["Must be at most 248.5 mi (400 km)."]}


def test_every_broken_field_is_reported_at_once_with_list_indices_kept():
    payload = _with("training.weekly_distance", [38, "40", 500, 41.0])
    payload = _with("heel_raise.left", 7.5, payload)
    payload = _with("runner.age", True, payload)
    errors = _errors(payload)
    assert set(errors) == {"training.weekly_distance.1", "training.weekly_distance.2", "heel_raise.left", "runner.age"}


@pytest.mark.parametrize("payload", [[EXAMPLE], "intake", 42, None])
def test_a_body_that_is_not_an_object_is_rejected(payload):
    assert _errors(payload) == {"_schema": ["Expected an object."]}


def _schema_field(path: str):
    schema = IntakeSchema()
    *parents, last = path.split(".")
    for part in parents:
        schema = schema.fields[part].schema
    return schema.fields[last]


def test_an_input_the_schema_fills_in_is_never_described_as_not_assessed():
    """/v1/rules tells clinicians what an absent input means; it must match what validation does.

    A field with a default (red flags default to false, as the contract says) is
    never missing when the rules run, so its rule data must say `none_known`.
    """
    ruleset = default_screener().ruleset
    filled = {
        name
        for name in ruleset.inputs
        if not name.startswith("derived.") and _schema_field(name).load_default not in (missing, None)
    }
    assert {f"red_flags.{flag}" for flag in EXAMPLE["red_flags"]} <= filled
    assert {name: ruleset.inputs[name].absent for name in filled} == dict.fromkeys(filled, "none_known")


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda heel_raise: heel_raise.update(left="not tested"), id="not-tested-as-text"),
        pytest.param(lambda heel_raise: heel_raise.pop("left"), id="missing-key"),
        pytest.param(lambda heel_raise: heel_raise.update(left=True), id="boolean"),
    ],
)
def test_a_heel_raise_that_is_not_a_count_says_null_means_not_tested(example_intake, change):
    change(example_intake["heel_raise"])
    with pytest.raises(IntakeError) as refused:
        default_screener().validate(example_intake)
    [message] = refused.value.errors["heel_raise.left"]
    assert "null if the leg was not tested" in message
