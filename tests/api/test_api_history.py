"""The history over HTTP (in process), on a SQLite file and on a real PostgreSQL: store, show again, list, erase."""

import copy
import json
from datetime import UTC, datetime, timedelta

import pytest

from api import create_app
from screening.history import migrate
from screening.history.database import make_engine
from screening.result.schema import ResultSchema
from tests.support.history_rows import EXAMPLE


@pytest.fixture
def history_client(database_url):
    migrate.upgrade(make_engine(database_url))
    return create_app({"TESTING": True, "DATABASE_URL": database_url}).test_client()


def post(client, payload=EXAMPLE, team=None):
    response = client.post("/v1/screenings", json=payload, query_string={"team": team} if team else None)
    assert response.status_code == 200, response.get_json()
    return response


def test_a_posted_screening_is_stored_and_shown_again_byte_for_byte(history_client):
    sent = post(history_client, team="club-a")
    result = sent.get_json()
    assert result["stored"] is True
    assert ResultSchema().validate(result) == {}
    again = history_client.get(f"/v1/screenings/{result['screening_id']}")
    assert again.status_code == 200
    assert again.mimetype == "application/json"
    assert again.headers["Cache-Control"] == "no-store"
    assert again.data == sent.data


def test_the_list_is_newest_first_by_team_and_pages_with_the_cursor(history_client):
    ids = [post(history_client, team="club-a").get_json()["screening_id"] for _ in range(5)]
    post(history_client, team="club-b")
    post(history_client)
    seen, cursor = [], None
    while True:
        query = {"team": "club-a", "limit": 2, **({"cursor": cursor} if cursor else {})}
        page = history_client.get("/v1/runners/club-0042/screenings", query_string=query).get_json()
        assert page["runner_id"] == "club-0042" and page["team"] == "club-a"
        seen += page["screenings"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(s["screening_id"] for s in seen) == sorted(ids)
    assert [s["screened_at"] for s in seen] == sorted((s["screened_at"] for s in seen), reverse=True)
    no_team = history_client.get("/v1/runners/club-0042/screenings").get_json()
    assert len(no_team["screenings"]) == 1 and no_team["team"] is None


def test_the_trend_gives_each_screenings_score_and_what_was_reported(history_client):
    intake = copy.deepcopy(EXAMPLE)
    intake["ostrc_o2"] = {"participation": 1, "training_modification": 2, "performance": 1, "pain": 2}
    results = []
    for soreness in (2, 6):
        intake["wellness"]["soreness"] = soreness
        results.append(post(history_client, intake, team="club-a").get_json())
    trend = history_client.get("/v1/runners/club-0042/trend", query_string={"team": "club-a"}).get_json()
    assert [p["soreness"] for p in trend["points"]] == [2, 6]
    for point, result in zip(trend["points"], results, strict=True):
        assert point["screening_id"] == result["screening_id"]
        assert point["screened_at"] == result["screened_at"]
        assert (point["score"], point["band"]) == (result["risk"]["score"], result["risk"]["band"])
        assert point["urgency"] == result["referral"]["urgency"]
        assert point["fatigue"] == 7 and point["weekly_km"] == 55
        assert point["ostrc_o2_severity"] == result["derived"]["ostrc_o2_severity"] is not None


def test_after_erasure_nothing_of_the_runner_is_readable_anywhere(history_client):
    mine = [post(history_client, team="club-a").get_json()["screening_id"] for _ in range(3)]
    other = post(history_client, team="club-b").get_json()["screening_id"]
    erased = history_client.delete("/v1/runners/club-0042", query_string={"team": "club-a"})
    assert erased.status_code == 200
    on_disk = (
        "erased"
        if history_client.application.extensions["soleus.database"].engine.dialect.name == "sqlite"
        else "unverified"
    )
    answer = erased.get_json()
    not_covered = answer.pop("not_covered")
    assert answer == {"runner_id": "club-0042", "team": "club-a", "erased": 3, "on_disk": on_disk}
    # What the API's erasure does not reach is said, with the command that redacts run folders.
    assert any("--runs" in line and "results.csv" in line for line in not_covered)
    assert any("backup" in line for line in not_covered)
    for screening_id in mine:
        assert history_client.get(f"/v1/screenings/{screening_id}").status_code == 404
    query = {"team": "club-a"}
    assert history_client.get("/v1/runners/club-0042/screenings", query_string=query).get_json()["screenings"] == []
    assert history_client.get("/v1/runners/club-0042/trend", query_string=query).get_json()["points"] == []
    assert history_client.get(f"/v1/screenings/{other}").status_code == 200
    # The rows are gone from the database itself, not marked.
    with history_client.application.extensions["soleus.store"].engine.connect() as connection:
        from sqlalchemy import text

        rows = connection.execute(text("SELECT team, runner_id, intake, result FROM screenings")).all()
    assert [row.team for row in rows] == ["club-b"]
    assert all(screening_id not in row.result for row in rows for screening_id in mine)


@pytest.mark.parametrize(
    "method, path, query",
    [
        ("post", "/v1/screenings", {"team": "a b"}),
        ("get", "/v1/runners/club-0042/screenings", {"team": "x" * 65}),
        ("get", "/v1/runners/club-0042/trend", {"limit": "0"}),
        ("get", "/v1/runners/club-0042/screenings", {"limit": "101"}),
        ("delete", "/v1/runners/club-0042", {"team": "name@club"}),
    ],
)
def test_an_invalid_team_or_limit_is_a_422_naming_it(client, method, path, query):
    response = getattr(client, method)(path, query_string=query, json=EXAMPLE if method == "post" else None)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert set(response.get_json()["errors"]) == set(query)


def test_a_cursor_that_names_no_screening_of_the_runner_is_404(history_client):
    other = post(history_client, team="club-b").get_json()["screening_id"]
    response = history_client.get("/v1/runners/club-0042/screenings", query_string={"cursor": other})
    assert response.status_code == 404


def test_with_the_store_off_results_claim_nothing_and_history_is_404(tmp_path):
    client = create_app({"TESTING": True, "STORE": "off", "DATABASE_URL": f"sqlite:///{tmp_path}/no.db"}).test_client()
    result = post(client).get_json()
    assert "stored" not in result
    assert client.get(f"/v1/screenings/{result['screening_id']}").status_code == 404
    assert client.get("/v1/runners/club-0042/trend").status_code == 404
    assert not (tmp_path / "no.db").exists()


def test_a_write_that_fails_is_a_503_and_stores_nothing_and_logs_no_intake(tmp_path, caplog):
    caplog.set_level("INFO")
    url = f"sqlite:///{tmp_path}/full.db"
    app = create_app({"TESTING": True, "DATABASE_URL": url})
    engine = app.extensions["soleus.store"].engine
    with engine.begin() as connection:
        from sqlalchemy import text

        connection.execute(
            text("CREATE TRIGGER refuse BEFORE INSERT ON screenings BEGIN SELECT RAISE(ABORT, 'disk full'); END")
        )
    response = app.test_client().post("/v1/screenings", json=EXAMPLE)
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert "nothing was stored" in response.get_json()["detail"]
    assert app.extensions["soleus.store"].count() == 0
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "history store failed: IntegrityError" in logged
    assert "club-0042" not in logged and "weekly_distance" not in logged


def test_the_embedded_database_is_created_and_upgraded_on_first_start(tmp_path):
    url = f"sqlite:///{tmp_path}/new/../first.db"
    (tmp_path / "new").mkdir()
    app = create_app({"TESTING": True, "DATABASE_URL": url})
    assert migrate.current(app.extensions["soleus.store"].engine) == migrate.head()
    assert json.loads(post(app.test_client()).data)["stored"] is True


def test_the_history_section_says_what_changed_since_the_runners_previous_screening(history_client):
    first = post(history_client, team="club-h").get_json()
    assert first["history"] == {
        "previous": None,
        "score_change": None,
        "band_change": None,
        "newly_fired": [],
        "cleared": [],
        "baselines": {"window_days": 56, "fatigue": None, "soreness": None},
        "soreness_span_days": None,
        "on_record": {"previous_dvt": None, "calf_strain": None},  # nothing stored before the first
    }
    worse = copy.deepcopy(EXAMPLE)
    worse["red_flags"]["calf_swelling"] = True
    worse["wellness"]["fatigue"] = 2
    second = post(history_client, worse, team="club-h").get_json()
    history = second["history"]
    assert history["previous"] == {
        "screening_id": first["screening_id"],
        "screened_at": first["screened_at"],
        "score": first["risk"]["score"],
        "band": first["risk"]["band"],
        "urgency": first["referral"]["urgency"],
        "ruleset_version": first["ruleset"]["version"],
    }
    assert history["score_change"] == second["risk"]["score"] - first["risk"]["score"]
    # The example's strain (10 weeks before the first screening) is on record, dated, from then on.
    strain = history["on_record"]["calf_strain"]
    assert (strain["recorded_at"], strain["weeks_ago"], strain["corrected"]) == (first["screened_at"], 10, False)
    fired_before = {e["rule"] for e in first["explanation"] if e["fired"]}
    fired_now = {e["rule"] for e in second["explanation"] if e["fired"]}
    assert set(history["newly_fired"]) == fired_now - fired_before and history["newly_fired"]
    assert set(history["cleared"]) == fired_before - fired_now and "wellness.fatigue_high" in history["cleared"]
    assert ResultSchema().validate(second) == {}
    # Another team's runner with the same id has a history of their own.
    assert post(history_client, team="club-other").get_json()["history"]["previous"] is None


def _days_ago(days: float) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="seconds")


def test_the_history_rules_read_the_runners_stored_screenings(history_client):
    """Four quiet weekly screenings make a baseline; a fifth with fatigue 8 is well above it, and its one entered
    week is joined by the earlier weeks, so the load rules that need four weeks are assessed."""
    quiet = copy.deepcopy(EXAMPLE)
    quiet["runner"]["id"] = "baseline-runner"
    quiet["wellness"].update(fatigue=2, soreness=0, soreness_days=None)
    quiet["training"]["weekly_distance"] = [30, 30, 30, 30]
    for days in (28, 21, 14):
        quiet["screened_at"] = _days_ago(days)
        assert post(history_client, quiet, team="club-b").get_json()["history"]["baselines"]["fatigue"] is None
    quiet["screened_at"] = _days_ago(7)
    post(history_client, quiet, team="club-b")
    tired = copy.deepcopy(quiet)
    del tired["screened_at"]
    tired["wellness"]["fatigue"] = 8
    tired["training"]["weekly_distance"] = [40]
    sent = post(history_client, tired, team="club-b")
    result = sent.get_json()
    fired = [entry["rule"] for entry in result["explanation"]]
    assert "wellness.fatigue_above_baseline" in fired
    assert result["history"]["baselines"]["fatigue"] == {"screenings": 4, "mean": 2, "sd": 1, "z": 6}
    assert result["derived"]["weekly_distance_km"][-2:] == [30, 40]
    assert result["derived"]["weeks_merged"]["from_earlier"] >= 3
    assert "load.acwr_high" not in result["not_assessed"]
    assert ResultSchema().validate(result) == {}
    # What is stored is what was entered, and the result exactly as sent.
    assert history_client.get(f"/v1/screenings/{result['screening_id']}").data == sent.data
    # Another team's runner of the same id has no baseline of their own yet.
    other = post(history_client, tired, team="club-c").get_json()
    assert "wellness.fatigue_above_baseline" in other["not_assessed"]
    assert other["derived"]["weekly_distance_km"] == [40]


def test_the_sqlite_synchronous_setting_reaches_the_store_from_the_environment(tmp_path, monkeypatch):
    from api.operations.store_binding import KEY

    monkeypatch.setenv("SOLEUS_SQLITE_SYNCHRONOUS", "NORMAL")
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path}/history.sqlite3"})
    assert post(app.test_client()).get_json()["stored"] is True
    with app.extensions[KEY].engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL (FULL is 2)
