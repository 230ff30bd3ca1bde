"""Every JSON answer is written by one encoder (orjson, api/plumbing/json_provider.py), in the contract's key order."""

import json

import pytest

from api.plumbing.json_provider import encode
from screening import default_screener

ANSWERS = [
    ("post", "/v1/screenings", "example"),  # a result (the store is off in the test app)
    ("post", "/v1/screenings", "invalid"),  # problem+json with errors
    ("get", "/v1/rules", None),  # the rules catalogue
    ("get", "/no/such/page.json", None),  # a 404 problem
    ("get", "/fhir/metadata", None),  # a FHIR resource
    ("get", "/cds-services", None),  # CDS Hooks discovery
]


@pytest.mark.parametrize(("method", "path", "body"), ANSWERS, ids=[f"{m} {p} {b or ''}" for m, p, b in ANSWERS])
def test_a_json_answer_is_byte_for_byte_what_the_one_encoder_writes(client, example_intake, method, path, body):
    payload = {"example": example_intake, "invalid": {"runner": {"id": "r1"}}, None: None}[body]

    response = getattr(client, method)(path, json=payload) if payload is not None else getattr(client, method)(path)

    assert response.is_json or response.mimetype.endswith("+json"), response.mimetype
    parsed = json.loads(response.data)
    assert response.data in (encode(parsed), encode(parsed, newline=True))


def test_the_openapi_document_is_written_indented_by_the_same_encoder(client):
    response = client.get("/openapi.json")

    assert response.data == encode(json.loads(response.data), indent=True)


def test_a_result_keeps_the_order_the_core_built_not_sorted_keys(client, example_intake):
    answered = client.post("/v1/screenings", json=example_intake).get_json()

    built = default_screener().screen(example_intake)
    assert [key for key in answered if key in built] == list(built) != sorted(built)
    assert list(answered["risk"]) == list(built["risk"])


def test_an_answer_holding_an_integer_past_64_bits_is_still_written_in_the_compact_form():
    assert encode({"value": 10**30, "text": "≥"}) == '{"value":1000000000000000000000000000000,"text":"≥"}'.encode()
    assert encode({"a": 2**70}, newline=True).endswith(b"}\n")
    assert encode({"a": 1}) == b'{"a":1}'
