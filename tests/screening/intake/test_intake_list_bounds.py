"""An over-long list is refused before any of its items is read; an intake body is refused past 64 KiB unparsed."""

import io
import json

import pytest

from screening import IntakeError, Screener, default_screener
from screening.intake.bounds import ListBounds
from screening.intake.schema import IntakeSchema

HUGE = 2_000_000


def test_every_list_with_a_maximum_length_is_bounded():
    assert ("training", "weekly_distance") in [path for path, _, _ in ListBounds(IntakeSchema()).bounds]


def test_a_weekly_distance_of_millions_is_refused_without_marshmallow_reading_it(example_intake, monkeypatch):
    # marshmallow reads every item before it checks the length: 20 s for 7 million.
    screener = Screener()
    monkeypatch.setattr(screener._schema, "load", lambda *args, **kwargs: pytest.fail("marshmallow read the list"))
    example_intake["training"]["weekly_distance"] = [1] * HUGE
    with pytest.raises(IntakeError) as refused:
        screener.validate(example_intake)
    assert refused.value.errors == {"training.weekly_distance": ["Length must be between 1 and 12."]}


def test_a_list_within_its_bounds_still_gets_every_item_error(example_intake):
    example_intake["training"]["weekly_distance"] = [1, "2", 3]
    with pytest.raises(IntakeError) as refused:
        default_screener().validate(example_intake)
    assert "training.weekly_distance.1" in refused.value.errors


def test_a_huge_list_in_a_batch_row_is_that_rows_error_and_the_others_are_screened(client, example_intake):
    huge = json.loads(json.dumps(example_intake))
    huge["training"]["weekly_distance"] = [1] * HUGE
    response = client.post("/v1/screenings/batch", json=[huge, example_intake])
    assert response.status_code == 200
    body = response.get_json()
    assert body["errors"] == [{"row": 1, "errors": {"training.weekly_distance": ["Length must be between 1 and 12."]}}]
    assert [row["row"] for row in body["results"]] == [2]


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_one_intake_past_64_kib_is_refused_before_it_is_parsed(client, example_intake, chunked):
    example_intake["training"]["weekly_distance"] = [1] * 40_000
    body = json.dumps(example_intake).encode()
    extra = {"environ_overrides": {"CONTENT_LENGTH": "", "wsgi.input_terminated": True}} if chunked else {}
    response = client.post("/v1/screenings", input_stream=io.BytesIO(body), content_type="application/json", **extra)
    assert response.status_code == 413
    assert "65,536 bytes" in response.get_json()["detail"]
