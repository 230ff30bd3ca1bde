"""Sequences of visits through the real store (POST /v1/screenings on a SQLite file and on a real PostgreSQL).

Ruleset 2.2.0's history: facts kept on record (a previous DVT, a dated calf
strain), a visit's own time (`screened_at`: the history as it stood before it,
a late-entered visit ordered by it), deleting one mistaken screening, a
soreness chain only where the reported days reach back, and a personal
baseline of one observation a day over at least two weeks.
"""

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


def at(days_ago: float) -> str:
    return (NOW - timedelta(days=days_ago)).isoformat()


def quiet(runner_id: str, **changes) -> dict:
    """A runner with no risk factor and no calf symptom, changed as given (dotted paths)."""
    intake = copy.deepcopy(EXAMPLE)
    intake["runner"].update(id=runner_id, age=30, prior_calf_strain_weeks_ago=None, previous_running_injury_12m=False)
    intake["training"].update(weekly_distance=[30, 30, 30, 30], longest_run_30d=12, latest_run=12)
    intake["training"]["strength_sessions_per_week"] = 1
    intake["wellness"].update(fatigue=2, soreness=0, soreness_days=None, pain_while_running=0)
    intake["heel_raise"] = {"left": 30, "right": 30}
    return with_changes(intake, changes)


def post(client, intake: dict, team: str = "club-s") -> dict:
    response = client.post("/v1/screenings", json=intake, query_string={"team": team})
    assert response.status_code == 200, response.get_json()
    result = response.get_json()
    assert ResultSchema().validate(result) == {}
    return result


def fired(result: dict) -> list[str]:
    return [entry["rule"] for entry in result["explanation"]]


def test_a_previous_dvt_stays_on_record_unticked_until_corrected_and_is_never_cleared(client):
    first = post(client, quiet("dvt-1", screened_at=at(40), **{"red_flags.previous_dvt": True}))
    assert "red_flags.previous_dvt" in fired(first)
    # A month later the box is left empty: the DVT is on record, dated, and the rule still fires.
    later = post(client, quiet("dvt-1", screened_at=at(10)))
    assert "red_flags.previous_dvt" in fired(later) and "red_flags.previous_dvt" not in later["history"]["cleared"]
    assert later["history"]["on_record"]["previous_dvt"] == {"recorded_at": first["screened_at"], "corrected": False}
    entry = next(e for e in later["explanation"] if e["rule"] == "red_flags.previous_dvt")
    assert entry["sources"]["red_flags.previous_dvt"] == f"recorded on {first['screened_at'][:10]}"
    # With a calf symptom it is urgent, the box still empty.
    sore = post(client, quiet("dvt-1", screened_at=at(5), **{"wellness.soreness": 1, "wellness.soreness_days": 1}))
    assert sore["referral"]["urgency"] == "urgent" and "red_flags.previous_dvt_with_calf_symptom" in fired(sore)
    assert sore["referral"]["escalation"]["text"].startswith("If you become breathless")
    # A clinician corrects it: off the record from then on.
    corrected = post(client, quiet("dvt-1", screened_at=at(3), **{"corrections.previous_dvt_in_error": True}))
    assert not {"red_flags.previous_dvt", "red_flags.previous_dvt_with_calf_symptom"} & set(fired(corrected))
    assert corrected["history"]["on_record"]["previous_dvt"]["corrected"] is True
    after = post(client, quiet("dvt-1", screened_at=at(1), **{"wellness.soreness": 2, "wellness.soreness_days": 1}))
    assert after["referral"]["urgency"] != "urgent" and after["history"]["on_record"]["previous_dvt"] is None
    # Ticked again, it is on record since that screening.
    again = post(client, quiet("dvt-1", screened_at=at(0.5), **{"red_flags.previous_dvt": True}))
    now = post(client, quiet("dvt-1"))
    assert now["history"]["on_record"]["previous_dvt"]["recorded_at"] == again["screened_at"]


def test_a_previous_dvt_stays_on_record_past_the_newest_sixty_screenings(client):
    post(client, quiet("dvt-long", screened_at=at(50), **{"red_flags.previous_dvt": True}))
    for n in range(62):  # more than the 60 screenings a POST reads for the series
        post(client, quiet("dvt-long", screened_at=at(49 - n * 0.5)))
    result = post(client, quiet("dvt-long"))
    assert "red_flags.previous_dvt" in fired(result)
    assert result["history"]["on_record"]["previous_dvt"]["recorded_at"] == (NOW - timedelta(days=50)).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )


def test_a_calf_strain_is_a_date_aged_by_the_time_since_and_drives_the_window_from_it(client):
    first = post(client, quiet("strain-1", screened_at=at(70), **{"runner.prior_calf_strain_weeks_ago": 2}))
    assert "history.calf_strain_within_8_weeks" in fired(first)
    # Ten weeks later nobody retypes "2 weeks ago": the strain is 12 weeks old, on the taper.
    later = post(client, quiet("strain-1"))
    assert "history.calf_strain_recurrence_window" in fired(later)
    entry = next(e for e in later["explanation"] if e["rule"] == "history.calf_strain_recurrence_window")
    assert entry["inputs"]["derived.calf_strain_weeks_ago"] == 12 and entry["points"] == 25
    strain_on = (NOW - timedelta(days=70, weeks=2)).strftime("%Y-%m-%d")
    assert (
        entry["sources"]["derived.calf_strain_weeks_ago"]
        == f"recorded on {first['screened_at'][:10]}: a strain on {strain_on}"
    )
    assert later["history"]["on_record"]["calf_strain"]["date"] == strain_on
    # The strain changed window by time, which the history says; it is not "cleared" as forgotten.
    assert "history.calf_strain_within_8_weeks" in later["history"]["cleared"]
    assert "history.calf_strain_recurrence_window" in later["history"]["newly_fired"]


def test_a_calf_strain_said_to_be_in_error_is_off_the_record(client):
    post(client, quiet("strain-2", screened_at=at(20), **{"runner.prior_calf_strain_weeks_ago": 3}))
    corrected = post(client, quiet("strain-2", screened_at=at(10), **{"corrections.calf_strain_in_error": True}))
    assert not [rule for rule in fired(corrected) if rule.startswith("history.calf_strain")]
    assert not [rule for rule in fired(post(client, quiet("strain-2"))) if rule.startswith("history.calf_strain")]


def test_a_late_entered_visit_reads_the_history_before_it_and_is_ordered_by_its_time(client):
    a = post(client, quiet("late-1", screened_at=at(10)))
    b = post(client, quiet("late-1", screened_at=at(3)))
    c = post(client, quiet("late-1", screened_at=at(7)))  # entered last, happened between them
    assert c["screened_at"] == (NOW - timedelta(days=7)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert c["history"]["previous"]["screening_id"] == a["screening_id"]  # the latest before it, not b
    page = client.get("/v1/runners/late-1/screenings", query_string={"team": "club-s"}).get_json()
    assert [s["screening_id"] for s in page["screenings"]] == [b["screening_id"], c["screening_id"], a["screening_id"]]
    newest = post(client, quiet("late-1"))
    assert newest["history"]["previous"]["screening_id"] == b["screening_id"]


def test_a_visit_in_the_future_is_refused_naming_screened_at_and_nothing_is_stored(client):
    response = client.post("/v1/screenings", json=quiet("late-2", screened_at=at(-1)), query_string={"team": "t"})
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["screened_at"]
    assert "future" in response.get_json()["errors"]["screened_at"][0]
    ok = post(client, quiet("late-2", screened_at=(NOW + timedelta(minutes=2)).isoformat()), team="t")
    assert ok["screened_at"] == (NOW + timedelta(minutes=2)).strftime("%Y-%m-%dT%H:%M:%SZ")  # within the skew
    assert client.get("/v1/runners/late-2/screenings", query_string={"team": "t"}).get_json()["screenings"] != []


def test_deleting_one_screening_takes_it_out_of_the_baseline_and_the_record(client):
    for days in (28, 21, 14, 7):
        post(client, quiet("del-1", screened_at=at(days)))
    mistaken = post(client, quiet("del-1", screened_at=at(3), **{"red_flags.previous_dvt": True}))
    tired = post(client, quiet("del-1", **{"wellness.fatigue": 9}))
    assert "wellness.fatigue_above_baseline" in fired(tired) and "red_flags.previous_dvt" in fired(tired)
    # The screening that recorded a DVT was the wrong runner's: delete it, with a reason.
    assert (
        client.delete(f"/v1/screenings/{mistaken['screening_id']}", query_string={"team": "club-s"}).status_code == 422
    )
    other = client.delete(
        f"/v1/screenings/{mistaken['screening_id']}", query_string={"team": "club-x", "reason": "wrong runner"}
    )
    assert other.status_code == 404  # another team's screening is not found
    deleted = client.delete(
        f"/v1/screenings/{mistaken['screening_id']}", query_string={"team": "club-s", "reason": "wrong runner"}
    )
    assert deleted.status_code == 200
    assert deleted.get_json() == {
        "screening_id": mistaken["screening_id"],
        "runner_id": "del-1",
        "team": "club-s",
        "deleted": True,
        "reason": "wrong runner",
        # Off the disk too on SQLite; PostgreSQL keeps dead row versions until VACUUM (docs/operating.md).
        "on_disk": "erased"
        if client.application.extensions["soleus.store"].engine.dialect.name == "sqlite"
        else "unverified",
    }
    assert client.get(f"/v1/screenings/{mistaken['screening_id']}").status_code == 404
    again = post(client, quiet("del-1", **{"wellness.fatigue": 9}))
    assert "red_flags.previous_dvt" not in fired(again)
    # One of the four baseline days gone, and with it the baseline: too few days now.
    oldest = client.get("/v1/runners/del-1/screenings", query_string={"team": "club-s", "limit": 100}).get_json()
    first = oldest["screenings"][-1]["screening_id"]
    client.delete(f"/v1/screenings/{first}", query_string={"team": "club-s", "reason": "duplicate"})
    last = post(client, quiet("del-1", **{"wellness.fatigue": 9}))
    assert last["history"]["baselines"]["fatigue"] is None
    assert "wellness.fatigue_above_baseline" in last["not_assessed"]


def test_sore_one_day_at_two_visits_a_week_apart_is_two_episodes_and_a_report_that_reaches_back_is_one(client):
    post(client, quiet("sore-1", screened_at=at(7), **{"wellness.soreness": 3, "wellness.soreness_days": 1}))
    two = post(client, quiet("sore-1", **{"wellness.soreness": 3, "wellness.soreness_days": 1}))
    assert "wellness.soreness_persistent" not in fired(two) and two["history"]["soreness_span_days"] is None
    post(client, quiet("sore-2", screened_at=at(7), **{"wellness.soreness": 3, "wellness.soreness_days": 1}))
    one = post(client, quiet("sore-2", **{"wellness.soreness": 3, "wellness.soreness_days": 7}))
    assert "wellness.soreness_persistent" in fired(one) and one["risk"]["band"] == "symptomatic"
    entry = next(e for e in one["explanation"] if e["rule"] == "wellness.soreness_persistent")
    assert entry["sources"]["derived.soreness_lasted_days"] == "as reported"
    post(client, quiet("sore-3", screened_at=at(8), **{"wellness.soreness": 3}))
    post(client, quiet("sore-3", screened_at=at(4), **{"wellness.soreness": 3}))
    chained = post(client, quiet("sore-3", **{"wellness.soreness": 3}))
    entry = next(e for e in chained["explanation"] if e["rule"] == "wellness.soreness_persistent")
    assert entry["sources"]["derived.soreness_lasted_days"] == f"across screenings from {at(8)[:10]}"


def test_screenings_of_one_day_count_once_for_the_baseline_and_it_needs_two_weeks(client):
    for days in (9, 6, 3, 1):  # four days, spanning eight: too short a baseline
        post(client, quiet("base-1", screened_at=at(days)))
    short = post(client, quiet("base-1", **{"wellness.fatigue": 9}))
    assert short["history"]["baselines"]["fatigue"] is None
    # Three more screenings on one UTC day, 20 days ago: one observation, the latest. The hours are counted
    # back from that day's noon, so they stay on one day whatever the time the suite runs (just after
    # midnight UTC, "now minus 3 hours" was the day before).
    noon = (NOW - timedelta(days=20)).replace(hour=12, minute=0, second=0)
    for hours in (1, 2, 3):
        post(client, quiet("base-2", screened_at=(noon - timedelta(hours=hours)).isoformat()))
    for days in (14, 7):
        post(client, quiet("base-2", screened_at=at(days)))
    three_days = post(client, quiet("base-2", **{"wellness.fatigue": 9}))
    assert three_days["history"]["baselines"]["fatigue"] is None  # 3 days, not 5 screenings
    post(client, quiet("base-2", screened_at=at(2)))
    four_days = post(client, quiet("base-2", **{"wellness.fatigue": 9}))
    assert four_days["history"]["baselines"]["fatigue"]["screenings"] == 4
