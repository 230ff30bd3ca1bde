"""The programme across visits through the real store (POST /v1/screenings on SQLite and on PostgreSQL):
three visits that move up a stage each time, three that step back, each said in words with the reps per
leg and the stage at every earlier screening."""

import copy
from datetime import UTC, datetime, timedelta

import pytest

from api import create_app
from screening.history import migrate
from screening.history.database import make_engine
from screening.result.schema import ResultSchema
from tests.support.history_rows import EXAMPLE
from tests.support.intakes import with_changes

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def client(database_url):
    migrate.upgrade(make_engine(database_url))
    return create_app({"TESTING": True, "DATABASE_URL": database_url}).test_client()


def visit(runner_id: str, days_ago: int, left: int, right: int, pain: int = 0) -> dict:
    """A 30-year-old woman (reference 30 reps) with no other risk factor, her heel raises and pain as given."""
    intake = copy.deepcopy(EXAMPLE)
    intake["runner"].update(id=runner_id, age=30, prior_calf_strain_weeks_ago=None, previous_running_injury_12m=False)
    intake["training"].update(weekly_distance=[30, 30, 30, 30], longest_run_30d=12, latest_run=12)
    intake["training"]["strength_sessions_per_week"] = 1
    intake["wellness"].update(fatigue=2, soreness=0, soreness_days=None, pain_while_running=pain)
    intake["heel_raise"] = {"left": left, "right": right}
    return with_changes(intake, {"screened_at": (NOW - timedelta(days=days_ago)).isoformat()})


def post(client, intake: dict) -> dict:
    response = client.post("/v1/screenings", json=intake, query_string={"team": "club-p"})
    assert response.status_code == 200, response.get_json()
    result = response.get_json()
    assert ResultSchema().validate(result) == {}
    return result["programme"]


def _day(days_ago: int) -> str:
    at = NOW - timedelta(days=days_ago)
    return f"{at.day} {at:%b %Y}"


def test_three_visits_that_move_up_a_stage_each_time_say_the_change_in_words(client):
    first = post(client, visit("up-1", 42, 12, 20))  # under half of 30 on the left: stage 1
    assert first["stage"]["number"] == 1
    assert first["history"] == {"earlier": [], "change": None}
    second = post(client, visit("up-1", 21, 18, 22))
    assert second["stage"]["number"] == 2
    assert (
        second["history"]["change"]
        == f"left 12 -> 18 reps, right 20 -> 22 reps since {_day(42)}; moved from stage 1 to stage 2"
    )
    third = post(client, visit("up-1", 0, 26, 27))
    assert third["stage"]["number"] == 3
    assert (
        third["history"]["change"]
        == f"left 18 -> 26 reps, right 22 -> 27 reps since {_day(21)}; moved from stage 2 to stage 3"
    )
    assert [(e["left"], e["right"], e["stage"]) for e in third["history"]["earlier"]] == [
        (18, 22, "stage_2"),
        (12, 20, "stage_1"),
    ]


def test_three_visits_that_step_back_and_then_withhold_say_so(client):
    post(client, visit("back-1", 30, 30, 31))  # at the reference: loaded
    second = post(client, visit("back-1", 14, 29, 30, pain=4))  # pain 4/10 while running: split stance
    assert second["stage"]["number"] == 2
    assert second["history"]["change"].endswith("stepped back from stage 4 to stage 2")
    third = post(client, visit("back-1", 0, 29, 30, pain=7))  # severe pain: refer first
    assert third["status"] == "withheld"
    assert (
        third["history"]["change"]
        == f"left 29 -> 29 reps, right 30 -> 30 reps since {_day(14)}; withheld now (stage 2 last time)"
    )
    assert [e["stage"] for e in third["history"]["earlier"]] == ["stage_2", "stage_4"]


def test_a_leg_not_tested_at_one_visit_is_said_so_never_guessed(client):
    post(client, visit("one-leg", 10, 20, 22))
    intake = visit("one-leg", 0, 24, 22)
    intake["heel_raise"]["right"] = None
    programme = post(client, intake)
    assert programme["history"]["change"].startswith(
        f"left 20 -> 24 reps, right not tested (was 22 reps) since {_day(10)}"
    )
