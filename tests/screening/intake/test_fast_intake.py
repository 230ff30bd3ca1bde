"""The intake fast path only ever accepts, and what it accepts is exactly what marshmallow loads.

The reference is the path every JSON intake took before: `json.loads` of the
body, then the marshmallow schema. Whatever the fast path returns must be
equal to that, value for value and type for type (38 stays an int, -0.0 stays
-0.0); whatever marshmallow or json.loads would refuse it must not accept.
"""

import copy
import json
import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import EXCLUDE, fields, pre_load, validate, validates, validates_schema

from api import create_app
from screening import IntakeError, Screener, default_screener
from screening.intake.fast import FastIntake, Untranslatable
from screening.intake.fields import StrictNumber, WholeNumber
from screening.intake.flat import FIELD_KINDS
from screening.intake.schema import IntakeSchema, StrictSchema
from tests.support.intakes import bare, healthy, pool
from tests.support.paths import ROOT
from tests.support.strategies import WHOLE_FIELDS, invalid_intakes, valid_intakes

EXAMPLE = (ROOT / "examples" / "intake.json").read_bytes()
FAST = FastIntake(IntakeSchema())
SCREENER = default_screener()


def marshmallow_loads(body: bytes):
    """The reference: the intake as json.loads and marshmallow load it, or None if either refuses it."""
    try:
        return default_screener().validate(json.loads(body))
    except (ValueError, RecursionError, IntakeError):
        return None


def assert_identical(fast, reference, path="intake"):
    """Equal values of identical types all the way down (a float compared by its bits)."""
    assert type(fast) is type(reference), f"{path}: {type(fast).__name__} vs {type(reference).__name__}"
    if isinstance(reference, dict):
        assert list(fast) == list(reference), path
        for key in reference:
            assert_identical(fast[key], reference[key], f"{path}.{key}")
    elif isinstance(reference, list):
        assert len(fast) == len(reference), path
        for index, (one, other) in enumerate(zip(fast, reference, strict=False)):
            assert_identical(one, other, f"{path}.{index}")
    elif isinstance(reference, float):
        assert fast.hex() == reference.hex(), path
    else:
        assert fast == reference, path


def assert_accepts_only_what_marshmallow_loads(body: bytes) -> bool:
    accepted = FAST.accept(body)
    if accepted is not None:
        reference = marshmallow_loads(body)
        assert reference is not None, "the fast path accepted a body the service refuses"
        assert_identical(accepted, reference)
    return accepted is not None


def whole_numbers_as_ints(payload: dict) -> dict:
    """The same intake with every whole number written as an int (7, not 7.0)."""
    payload = copy.deepcopy(payload)
    for path in WHOLE_FIELDS:
        section, name = path.split(".")
        value = payload.get(section, {}).get(name)
        if isinstance(value, float):
            payload[section][name] = int(value)
    return payload


def test_the_intake_schema_compiles_so_the_service_takes_the_fast_path():
    assert default_screener().accept_json(EXAMPLE) is not None


@pytest.mark.parametrize("intake", [healthy(), bare(), *pool(48)], ids=lambda intake: intake["runner"]["id"])
def test_accepts_the_test_intakes_exactly_as_marshmallow_loads_them(intake):
    assert assert_accepts_only_what_marshmallow_loads(json.dumps(whole_numbers_as_ints(intake)).encode())


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(valid_intakes())
def test_accepts_any_valid_intake_written_with_whole_numbers_as_ints(payload):
    assert assert_accepts_only_what_marshmallow_loads(json.dumps(whole_numbers_as_ints(payload)).encode())


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(valid_intakes())
def test_what_it_accepts_of_any_valid_intake_is_what_marshmallow_loads(payload):
    assert_accepts_only_what_marshmallow_loads(json.dumps(payload).encode())


@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow])
@given(invalid_intakes())
def test_never_accepts_an_intake_broken_in_any_one_way(case):
    payload, path = case
    # Through the screener: a visit time in the future is judged against its clock, which the bare
    # fast path (FastIntake) does not know of.
    assert SCREENER.accept_json(json.dumps(payload).encode()) is None, path


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_body_changed_at_any_byte_is_accepted_only_as_marshmallow_loads_it(data):
    body = bytearray(EXAMPLE)
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(body) - 1))
        change = data.draw(st.sampled_from(("replace", "insert", "delete")))
        byte = data.draw(st.sampled_from(b' 0123456789.-eE+",:[]{}ntfalsu\\\n\x00\xff'))
        if change == "replace":
            body[at] = byte
        elif change == "insert":
            body.insert(at, byte)
        else:
            del body[at]
    assert_accepts_only_what_marshmallow_loads(bytes(body))


def _edit(old: bytes, new: bytes) -> bytes:
    assert old in EXAMPLE
    return EXAMPLE.replace(old, new, 1)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(_edit(b'"age": 44', b'"age": 44.0'), id="whole-float"),  # valid: marshmallow makes it 44
        pytest.param(_edit(b'"club-0042"', b'"club-0042\\n"'), id="id-trailing-newline"),  # must match in full
        pytest.param(_edit(b'"club-0042"', b'"Jane Doe"'), id="id-a-name"),
        pytest.param(_edit(b'"latest_run": 24', b'"latest_run": 400.5'), id="past-400-km"),
        pytest.param(
            _edit(b'"unit": "km"', b'"unit": "mi"').replace(b'"latest_run": 24', b'"latest_run": 249'),
            id="past-400-km-in-miles",
        ),
        pytest.param(_edit(b'"left": 14', b'"left": true'), id="boolean-for-reps"),
        pytest.param(_edit(b'"left": 14', b'"left": 201'), id="reps-out-of-range"),
        pytest.param(_edit(b'"left": 14', b'"left": NaN'), id="NaN"),
        pytest.param(_edit(b'"latest_run": 24', b'"latest_run": 1e999'), id="infinity"),
        pytest.param(_edit(b'"previous_dvt": false', b'"previous_dvt": 0'), id="number-for-red-flag"),
        pytest.param(_edit(b'"sex": "female"', b'"sex": "Female"'), id="choice-case"),
        pytest.param(_edit(b'"soreness": 5', b'"soreness": 5, "mood": 3'), id="unknown-field"),
        pytest.param(_edit(b'"weekly_distance": [38, 40, 41, 55]', b'"weekly_distance": []'), id="no-weeks"),
        pytest.param(b"\xef\xbb\xbf" + EXAMPLE, id="byte-order-mark"),  # json.loads refuses it
        pytest.param(EXAMPLE.decode().encode("utf-16"), id="utf-16"),  # left to api/plumbing/body.py, which refuses it
        pytest.param(_edit(b'"runner"', b'"\xffunner"'), id="bad-utf-8-in-a-key"),
        pytest.param(b"[" + EXAMPLE + b"]", id="array"),
        pytest.param(b"", id="empty"),
    ],
)
def test_leaves_anything_unusual_to_marshmallow(body):
    assert FAST.accept(body) is None


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(_edit(b'"fatigue": 7', b'"fatigue": 2, "fatigue": 7'), id="same-section"),
        pytest.param(_edit(b'"calf_swelling": false', b'"calf_swelling": true, "calf_swelling": false'), id="red"),
        pytest.param(_edit(b'"fatigue": 7', b'"fatigue": 7, "fatig\\u0075e": 2'), id="escaped-repeat"),
    ],
)
def test_a_repeated_key_is_left_to_marshmallow_which_refuses_it(body):
    assert FAST.accept(body) is None


def test_no_two_fields_share_a_name_so_a_repeated_name_is_a_repeated_key():
    sections = {path.split(".")[0] for path in FIELD_KINDS if "." in path}
    names = [path.rsplit(".", 1)[-1] for path in FIELD_KINDS] + sorted(sections)
    assert sorted(set(names)) == sorted(names)


def test_a_missing_optional_section_gets_marshmallow_defaults():
    intake = bare()
    accepted = FAST.accept(json.dumps(intake).encode())
    assert accepted["red_flags"] == default_screener().validate(intake)["red_flags"]
    assert accepted["training"]["unit"] == "km" and accepted["runner"]["sex"] is None


class _Runner(StrictSchema):
    id = fields.String(required=True)


class _Training(StrictSchema):
    weeks = fields.List(StrictNumber(), required=True)

    @validates_schema
    def check(self, data, **kwargs):
        pass


@pytest.mark.parametrize(
    "schema",
    [
        StrictSchema.from_dict({"count": fields.Integer(required=True)})(),  # coerces: not one of the strict fields
        StrictSchema.from_dict({"count": WholeNumber(required=True, data_key="n")})(),
        StrictSchema.from_dict({"count": WholeNumber()})(),  # optional, no default: marshmallow leaves it out
        StrictSchema.from_dict({"count": WholeNumber(load_default=[])})(),
        StrictSchema.from_dict({"runners": fields.Nested(_Runner, many=True, required=True)})(),
        StrictSchema.from_dict({"weeks": fields.List(StrictNumber(), validate=validate.ContainsOnly([1]))})(),
        StrictSchema.from_dict({"count": WholeNumber(required=True)})(unknown=EXCLUDE),
        StrictSchema.from_dict({"training": fields.Nested(_Training, load_default=dict)})(),
        StrictSchema.from_dict({"runner": fields.Nested(_Runner, required=True, validate=validate.Length(1))})(),
    ],
    ids=[
        "Integer",
        "data_key",
        "optional-without-default",
        "mutable-default",
        "nested-many",
        "list-validator",
        "exclude-unknown",
        "optional-section-with-checks",
        "nested-validator",
    ],
)
def test_refuses_a_schema_it_cannot_translate_exactly(schema):
    with pytest.raises(Untranslatable):
        FastIntake(schema)


class _Trimmed(StrictSchema):
    name = fields.String(required=True)

    @pre_load
    def trim(self, data, **kwargs):
        return data


class _Checked(StrictSchema):
    name = fields.String(required=True)

    @validates("name")
    def check(self, value, **kwargs):
        pass


@pytest.mark.parametrize("schema", [_Trimmed(), _Checked()], ids=["pre_load", "validates"])
def test_refuses_a_schema_with_hooks_it_does_not_run(schema):
    with pytest.raises(Untranslatable):
        FastIntake(schema)


def test_a_schema_it_refuses_is_still_screened_by_marshmallow(monkeypatch, caplog):
    def refuse(schema):
        raise Untranslatable("for this test")

    monkeypatch.setattr("screening.service.FastIntake", refuse)
    with caplog.at_level(logging.WARNING, logger="soleus"):
        screener = Screener()
    assert screener.accept_json(EXAMPLE) is None
    assert "fast path off" in caplog.text
    result = screener.screen(json.loads(EXAMPLE))
    assert result["risk"] == default_screener().screen(json.loads(EXAMPLE))["risk"]


def test_the_api_screens_a_valid_json_intake_without_marshmallow(client, monkeypatch):
    core = client.application.extensions["soleus.screener"]
    monkeypatch.setattr(core, "validate", lambda payload: pytest.fail("marshmallow loaded a fast-path intake"))
    response = client.post("/v1/screenings", data=EXAMPLE, content_type="application/json")
    assert response.status_code == 200
    assert response.get_json()["runner_id"] == "club-0042"


def test_the_api_answers_the_same_with_and_without_the_fast_path(monkeypatch):
    # No store: with one, the second POST of a runner would read the first as its history.
    client = create_app({"TESTING": True, "STORE": "off"}).test_client()
    core = client.application.extensions["soleus.screener"]
    bodies = [json.dumps(intake).encode() for intake in (healthy(), bare(), *pool(12))]
    fast = [client.post("/v1/screenings", data=body, content_type="application/json").get_json() for body in bodies]
    monkeypatch.setattr(core, "accept_json", lambda body: None)
    slow = [client.post("/v1/screenings", data=body, content_type="application/json").get_json() for body in bodies]
    for one, other in zip(fast, slow, strict=False):
        for varying in ("screening_id", "screened_at"):
            one.pop(varying), other.pop(varying)
        assert one == other
