"""GET /v1/teams/{team}/runners (in process): each runner's latest screening, what changed, the team's counts,
the filters, and who may read it; on a SQLite file and on a real PostgreSQL."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from api import create_app
from api.operations.store_binding import store
from screening.history import migrate
from screening.history.database import make_engine
from screening.history.tables import audit_events
from tests.support.credentials import access_app, bearer, engine_of, key
from tests.support.team_rows import club


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@pytest.fixture
def team_client(database_url):
    migrate.upgrade(make_engine(database_url))
    app = create_app({"TESTING": True, "AUTH": "off", "DATABASE_URL": database_url})
    with app.app_context():
        club(store(), _now())
    return app.test_client()


def runners(client, **query) -> dict:
    response = client.get("/v1/teams/club-a/runners", query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def ids(body: dict) -> list[str]:
    return [runner["runner_id"] for runner in body["runners"]]


def test_each_runner_shows_their_latest_screening_and_what_changed_since_the_previous(team_client):
    body = runners(team_client)
    assert ids(body) == ["down-1", "same-1", "stale-1", "up-1", "urgent-1"]  # another team's runner is not here
    by_id = {runner["runner_id"]: runner for runner in body["runners"]}
    up = by_id["up-1"]
    assert (up["band"], up["urgency"], up["band_change"], up["referral_change"]) == (
        "high",
        "routine",
        "up",
        "new_referral",
    )
    assert up["previous"] == {"score": 0, "band": "low", "urgency": None}
    assert up["score_change"] == up["score"] and up["days_since"] == 2
    assert up["words"]["change"] == "up a band (was low), new routine referral"
    down = by_id["down-1"]
    assert (down["band_change"], down["referral_change"]) == ("down", "cleared_referral")
    assert down["words"]["change"] == "down a band (was symptomatic), urgent referral cleared"
    first = by_id["urgent-1"]
    assert (first["previous"], first["band_change"], first["words"]["change"]) == (None, None, "first screening")
    assert first["baselines"]["fatigue_z"] is None
    assert first["words"]["fatigue"].startswith("not assessed")


def test_the_summary_counts_the_whole_team_whatever_the_filters(team_client):
    for query in ({}, {"band": "high"}, {"q": "nobody"}):
        summary = runners(team_client, **query)["summary"]
        assert summary["runners"] == 5
        assert summary["bands"] == {"low": 3, "moderate": 0, "high": 1, "symptomatic": 1}
        assert summary["urgencies"] == {"urgent": 1, "soon": 0, "routine": 1, "none": 3}
        assert (summary["up_a_band"], summary["new_referrals"], summary["not_screened"]) == (1, 1, 1)
    since = (_now() - timedelta(days=1)).date().isoformat()  # up-1 changed 2 days ago: not since yesterday
    assert runners(team_client, since=since)["summary"]["up_a_band"] == 0


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"band": "low"}, ["down-1", "same-1", "stale-1"]),
        ({"referral": "urgent"}, ["urgent-1"]),
        ({"referral": "any"}, ["up-1", "urgent-1"]),
        ({"referral": "none"}, ["down-1", "same-1", "stale-1"]),
        ({"change": "up"}, ["up-1"]),
        ({"change": "new_referral"}, ["up-1"]),
        ({"change": "cleared_referral"}, ["down-1"]),
        ({"change": "any"}, ["down-1", "up-1"]),
        ({"q": "STALE"}, ["stale-1"]),
        ({"band": "low", "change": "down"}, ["down-1"]),
    ],
)
def test_the_filters_keep_only_the_runners_they_name(team_client, query, expected):
    body = runners(team_client, **query)
    assert ids(body) == expected
    assert body["matched"] == len(expected)


def test_not_screened_since_keeps_the_runners_last_screened_before_that_date(team_client):
    summary = runners(team_client)["summary"]
    body = runners(team_client, not_since=summary["not_screened_since"])
    assert ids(body) == ["stale-1"] and body["matched"] == summary["not_screened"]


def test_the_sorts_order_by_what_they_say(team_client):
    assert ids(runners(team_client, sort="latest"))[-1] == "stale-1"
    assert ids(runners(team_client, sort="oldest"))[0] == "stale-1"
    assert ids(runners(team_client, sort="score"))[0] == "up-1"


def test_a_page_holds_limit_runners_and_the_pages_cover_them_all(team_client):
    pages = [runners(team_client, limit=2, page=n) for n in (1, 2, 3)]
    assert [body["pages"] for body in pages] == [3, 3, 3]
    assert sum((ids(body) for body in pages), []) == ids(runners(team_client))


@pytest.mark.parametrize(
    ("name", "value"),
    [("band", "red"), ("change", "sideways"), ("since", "last week"), ("not_since", "2026-02-30"), ("limit", "0")],
)
def test_a_filter_it_cannot_take_is_refused_naming_it_and_what_was_expected(team_client, name, value):
    response = team_client.get("/v1/teams/club-a/runners", query_string={name: value})
    assert response.status_code == 422
    problem = response.get_json()
    assert list(problem["errors"]) == [name] and problem["errors"][name][0].startswith("Expected")


def test_the_operation_is_in_the_openapi_with_its_scope(team_client):
    spec = team_client.get("/openapi.json").get_json()
    operation = spec["paths"]["/v1/teams/{team}/runners"]["get"]
    assert operation["x-required-scopes"] == ["history:read"]
    assert {"band", "referral", "change", "since", "not_since", "group", "q", "sort", "page", "limit"} <= {
        parameter["name"] for parameter in operation["parameters"]
    }
    assert {"401", "403", "422"} <= set(operation["responses"])


def test_only_a_credential_for_that_team_with_history_read_reads_it_and_each_read_is_audited(tmp_path):
    app = access_app(tmp_path)
    with app.app_context():
        club(store(), _now())
    client = app.test_client()
    reader = key(app, "club-a", "history:read", name="coach-app")
    assert client.get("/v1/teams/club-a/runners").status_code == 401
    assert client.get("/v1/teams/club-a/runners", headers=bearer(key(app, "club-a", "screen"))).status_code == 403
    other = client.get("/v1/teams/club-b/runners", headers=bearer(reader))
    assert other.status_code == 403 and "club-b" in other.get_json()["detail"]
    assert ids(client.get("/v1/teams/club-a/runners", headers=bearer(reader)).get_json())[0] == "down-1"
    assert client.get("/v1/teams/club-b/runners", headers=bearer(key(app, "club-b", "history:read"))).status_code == 200
    with engine_of(app).connect() as connection:
        rows = connection.execute(
            select(audit_events.c.actor, audit_events.c.team, audit_events.c.outcome).where(
                audit_events.c.action == "read_team"
            )
        ).all()
    assert ("coach-app", "club-a", "ok") in rows and ("coach-app", "club-b", "refused") in rows
