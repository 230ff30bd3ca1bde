"""Groups (squads): an intake's optional runner.group and a roster's `group` column, stored and filterable on the
team page; a roster's unknown columns refused with the contract column a near miss meant."""

import copy
from datetime import UTC, datetime

import pytest

from api import create_app
from api.commands import main
from screening import default_screener
from screening.errors import ScreeningError
from screening.history.store import Store
from screening.intake.csv_reader import CsvError, read_csv_text
from tests.support.history_rows import EXAMPLE

HEADER = (
    "runner.id,runner.age,training.weekly_distance,wellness.fatigue,wellness.soreness,heel_raise.left,heel_raise.right"
)


def test_an_intake_may_name_the_runners_group_and_a_bad_one_is_refused_naming_the_field():
    core = default_screener()
    payload = copy.deepcopy(EXAMPLE)
    assert core.validate(payload)["runner"]["group"] is None  # absent: none
    payload["runner"]["group"] = "masters 40+"[:7]
    assert core.validate(payload)["runner"]["group"] == "masters"
    payload["runner"]["group"] = "<script>"
    with pytest.raises(ScreeningError) as refused:
        core.validate(payload)
    assert "runner.group" in str(refused.value.errors)


def test_a_posted_group_is_on_the_team_page_and_filters_it(tmp_path):
    app = create_app({"TESTING": True, "AUTH": "off", "DATABASE_URL": f"sqlite:///{tmp_path}/g.sqlite3"})
    client = app.test_client()
    for runner, group in (("m-1", "masters"), ("j-1", "juniors"), ("n-1", None)):
        payload = copy.deepcopy(EXAMPLE)
        payload["runner"].update({"id": runner, "group": group})
        assert client.post("/v1/screenings?team=club-g", json=payload).status_code == 200
    body = client.get("/v1/teams/club-g/runners").get_json()
    assert body["summary"]["groups"] == ["juniors", "masters"]
    assert {r["runner_id"]: r["group"] for r in body["runners"]} == {"j-1": "juniors", "m-1": "masters", "n-1": None}
    filtered = client.get("/v1/teams/club-g/runners?group=masters").get_json()
    assert [r["runner_id"] for r in filtered["runners"]] == ["m-1"]
    page = client.get("/teams/club-g?group=juniors").get_data(as_text=True)
    assert 'data-runner="j-1"' in page and 'data-runner="m-1"' not in page
    assert '<option value="juniors" selected>' in page


def test_a_rosters_group_column_is_stored_with_each_runner(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'history.sqlite3'}"
    monkeypatch.setenv("SOLEUS_DATABASE_URL", url)
    roster = tmp_path / "squads.csv"
    roster.write_text(f"{HEADER},group\nr-1,30,30;31,2,0,25,25,elite\nr-2,31,20;21,3,0,24,24,\n", encoding="utf-8")
    assert main(["roster", str(roster), "--out", str(tmp_path / "out"), "--quiet", "--store", "--team", "t"]) == 0
    groups = {runner.runner_id: runner.group for runner in Store.open(url, upgrade=False).team_runners("t")}
    assert groups == {"r-1": "elite", "r-2": None}


@pytest.mark.parametrize(
    ("column", "meant"),
    [("Runner ID", "runner.id"), ("heel_raise.lft", "heel_raise.left"), ("Wellness Fatigue", "wellness.fatigue")],
)
def test_an_unknown_column_that_is_a_near_miss_says_which_column_it_likely_means(column, meant):
    with pytest.raises(CsvError) as refused:
        read_csv_text(HEADER.replace(meant, column) + "\n")
    assert f"'{column}' (did you mean '{meant}'?)" in str(refused.value)


def test_an_unknown_column_like_no_contract_column_gets_no_suggestion():
    with pytest.raises(CsvError) as refused:
        read_csv_text(HEADER + ",notes\n")
    assert "'notes':" in str(refused.value) and "did you mean" not in str(refused.value)


def test_the_group_is_read_only_by_the_team_page_never_by_a_rule():
    core = default_screener()
    payload = copy.deepcopy(EXAMPLE)
    at = datetime(2026, 3, 2, tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    plain = core.screen_valid(core.validate(payload), screening_id="a" * 32, screened_at=at)
    payload["runner"]["group"] = "elite"
    grouped = core.screen_valid(core.validate(payload), screening_id="a" * 32, screened_at=at)
    assert grouped["risk"] == plain["risk"] and grouped["explanation"] == plain["explanation"]
