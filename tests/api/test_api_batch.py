"""POST /v1/screenings/batch: JSON arrays and CSV rosters, row by row, with a summary and a row limit."""

import io
from collections import Counter

import pytest

from api import create_app
from screening import default_screener

HEADER = (
    "runner.id,runner.age,runner.sex,training.weekly_distance,wellness.fatigue,wellness.soreness,"
    "heel_raise.left,heel_raise.right,red_flags.calf_swelling"
)
ROWS = [
    "club-1,44,female,38;40;41;55,7,5,14,26,false",  # 1: asymmetric heel raises after a load spike
    "club-2,thirty,male,30;30;30;30,2,1,30,31,no",  # 2: age is not a number
    "club-3,30,male,30;31;30;32,2,1,32,33,no",  # 3: steady training, strong and symmetric
    "club-4,52,female,20;20;20;20,3,2,,,yes",  # 4: calf swelling (a red flag), heel raises not tested
]
CSV = "\n".join([HEADER, *ROWS]) + "\n"


def csv_post(client, text: str):
    return client.post("/v1/screenings/batch", data=text.encode(), content_type="text/csv")


def intake(runner_id: str, **changes) -> dict:
    base = {
        "runner": {"id": runner_id, "age": 35},
        "training": {"weekly_distance": [30, 30, 30, 30]},
        "wellness": {"fatigue": 2, "soreness": 1},
        "heel_raise": {"left": 30, "right": 30},
    }
    for section, values in changes.items():
        base[section] = {**base[section], **values}
    return base


def test_batch_csv_gives_each_row_a_result_or_its_errors_by_row_number(client):
    response = csv_post(client, CSV)
    assert response.status_code == 200
    body = response.get_json()
    assert [entry["row"] for entry in body["results"]] == [1, 3, 4]
    assert [entry["result"]["runner_id"] for entry in body["results"]] == ["club-1", "club-3", "club-4"]
    assert body["errors"] == [{"row": 2, "errors": {"runner.age": ["Expected a number, got 'thirty'."]}}]


def test_batch_summary_counts_what_the_rows_got(client):
    body = csv_post(client, CSV).get_json()
    results = [entry["result"] for entry in body["results"]]
    summary = body["summary"]
    assert (summary["rows"], summary["screened"], summary["invalid"]) == (4, 3, 1)
    assert summary["bands"] == {
        band: sum(r["risk"]["band"] == band for r in results) for band in ("low", "moderate", "high", "symptomatic")
    }
    urgencies = Counter(r["referral"]["urgency"] for r in results if r["referral"]["required"])
    assert summary["referrals"] == {
        "total": sum(urgencies.values()),
        "urgent": urgencies["urgent"],
        "soon": urgencies["soon"],
        "routine": urgencies["routine"],
    }
    # The red flag in row 4 always refers urgently, whatever the score.
    assert results[2]["runner_id"] == "club-4" and results[2]["referral"]["urgency"] == "urgent"


def test_batch_summary_names_runner_ids_on_more_than_one_row_and_still_screens_each(client):
    rows = [
        intake("club-7"),
        intake("club-8"),
        intake("club-7", wellness={"fatigue": 9}),
        intake("club-9", runner={"age": "old"}),
        intake("club-9"),
        intake("club-7"),
    ]
    body = client.post("/v1/screenings/batch", json=rows).get_json()
    assert [entry["row"] for entry in body["results"]] == [1, 2, 3, 5, 6]
    # club-9's invalid row 4 was not screened, so only one club-9 row stands.
    assert body["summary"]["repeated_runner_ids"] == [{"runner_id": "club-7", "count": 3, "rows": [1, 3, 6]}]


def test_batch_summary_lists_no_repeated_ids_when_every_id_is_distinct(client):
    body = csv_post(client, CSV).get_json()
    assert body["summary"]["repeated_runner_ids"] == []


def test_batch_json_array_validates_each_item_on_its_own(client):
    roster = [intake("a-1"), {"runner": "not an object"}, 42, intake("a-4", heel_raise={"left": 7.5})]
    body = client.post("/v1/screenings/batch", json=roster).get_json()
    assert [entry["row"] for entry in body["results"]] == [1]
    assert [(entry["row"], sorted(entry["errors"])) for entry in body["errors"]] == [
        (2, ["heel_raise", "runner", "training", "wellness"]),
        (3, ["_schema"]),
        (4, ["heel_raise.left"]),
    ]


def test_batch_row_result_matches_screening_it_alone(client):
    roster = [intake("b-1"), intake("b-2", wellness={"fatigue": 9, "soreness": 6})]
    body = client.post("/v1/screenings/batch", json=roster).get_json()
    for entry, one in zip(body["results"], roster, strict=False):
        alone = client.post("/v1/screenings", json=one).get_json()
        assert entry["result"]["explanation"] == alone["explanation"]
        assert entry["result"]["risk"] == alone["risk"]


def test_batch_names_the_ruleset_it_used(client):
    ruleset = default_screener().ruleset
    body = client.post("/v1/screenings/batch", json=[]).get_json()
    assert body["ruleset"] == {"name": ruleset.name, "version": ruleset.version}
    assert body["summary"]["rows"] == 0


@pytest.mark.parametrize(
    "text, row",
    [
        (HEADER + "\n" + ROWS[0] + '\nclub-2,"30,male,30,2,1,30,31,no\n', 2),  # unbalanced quote
        (HEADER + "\n" + ROWS[0] + "\n" + ROWS[2] + "\nclub-9,30\n", 3),  # too few cells
        ("runner.id,runner.name\nclub-1,Jane\n", 0),  # a column outside the contract
        ("runner.id,runner.age\nclub-1,30\n", 0),  # required columns missing
    ],
)
def test_batch_malformed_csv_is_400_naming_the_row(client, text, row):
    response = csv_post(client, text)
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["row"] == row


def test_batch_csv_that_is_not_utf8_is_400(client):
    response = client.post(
        "/v1/screenings/batch", data=(HEADER + "\nM\xfcller,30").encode("latin-1"), content_type="text/csv"
    )
    assert response.status_code == 400
    assert "UTF-8" in response.get_json()["detail"]


def test_batch_refuses_a_multipart_upload_a_form_on_another_site_could_send(client):
    upload = {"file": (io.BytesIO(CSV.encode()), "roster.csv", "text/csv")}
    response = client.post("/v1/screenings/batch", data=upload, content_type="multipart/form-data")
    assert response.status_code == 415
    assert response.headers["Accept-Post"] == "application/json, text/csv"


def test_batch_json_that_is_not_an_array_is_422(client):
    response = client.post("/v1/screenings/batch", json=intake("c-1"))
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"_schema": ["Expected a JSON array of intakes."]}


@pytest.mark.parametrize("rows, status", [(2, 200), (3, 413)])
def test_batch_json_past_the_row_limit_is_413_with_the_limit(rows, status):
    client = create_app({"TESTING": True, "BATCH_MAX_ROWS": 2}).test_client()
    response = client.post("/v1/screenings/batch", json=[intake(f"d-{n}") for n in range(rows)])
    assert response.status_code == status
    if status == 413:
        assert response.get_json()["limit"] == 2


@pytest.mark.parametrize("rows, status", [(2, 200), (3, 413)])
def test_batch_csv_past_the_row_limit_is_413_with_the_limit(rows, status):
    client = create_app({"TESTING": True, "BATCH_MAX_ROWS": 2}).test_client()
    text = "\n".join([HEADER, *[ROWS[2].replace("club-3", f"e-{n}") for n in range(rows)]])
    response = csv_post(client, text)
    assert response.status_code == status
    if status == 413:
        assert response.get_json()["limit"] == 2


def test_batch_row_limit_defaults_to_ten_thousand(app):
    assert app.config["BATCH_MAX_ROWS"] == 10_000


def test_batch_row_limit_can_be_set_from_the_environment(monkeypatch):
    monkeypatch.setenv("SOLEUS_BATCH_MAX_ROWS", "1")
    client = create_app({"TESTING": True}).test_client()
    assert client.post("/v1/screenings/batch", json=[intake("f-1"), intake("f-2")]).status_code == 413
