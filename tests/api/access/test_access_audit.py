"""The audit trail: an entry for every access and refusal, committed with the write it records; read by
admins (GET /v1/audit) and exported as FHIR R4 AuditEvents."""

import json

import pytest
from sqlalchemy import select, text

from api.commands import main
from screening.history import audit_trail
from screening.history.tables import audit_events
from tests.support.credentials import access_app, bearer, engine_of, key
from tests.support.intakes import healthy


def entries(app, **where) -> list:
    query = select(audit_events).order_by(audit_events.c.at, audit_events.c.event_id)
    for name, value in where.items():
        query = query.where(audit_events.c[name] == value)
    with engine_of(app).connect() as connection:
        return list(connection.execute(query).all())


@pytest.fixture
def app(tmp_path):
    return access_app(tmp_path)


def test_every_access_and_refusal_is_one_entry_naming_actor_team_runner_and_outcome(app):
    client = app.test_client()
    writer = key(app, "club-a", "screen,history:read", name="club-a-app")
    stored = client.post("/v1/screenings", json=healthy("r-1"), headers=bearer(writer)).get_json()
    client.get("/v1/runners/r-1/trend", headers=bearer(writer))
    client.get(
        f"/v1/screenings/{stored['screening_id']}", headers=bearer(writer), environ_base={"REMOTE_ADDR": "10.1.2.3"}
    )
    client.delete("/v1/runners/r-1", headers=bearer(writer))  # no history:erase
    client.get("/v1/runners/r-1/screenings")  # no credential
    rows = entries(app)
    assert [(r.action, r.outcome, r.status) for r in rows] == [
        ("screen", "ok", 200),
        ("read_trend", "ok", 200),
        ("read_screening", "ok", 200),
        ("erase", "refused", 403),
        ("read_screenings", "refused", 401),
    ]
    assert {r.actor for r in rows[:4]} == {"club-a-app"} and rows[4].actor is None
    assert [r.actor_kind for r in rows] == ["key"] * 4 + ["none"]
    assert all(r.runner_id == "r-1" for r in rows)
    assert [r.team for r in rows] == ["club-a"] * 4 + [None]  # no credential: no team known
    assert rows[0].screening_id == rows[2].screening_id == stored["screening_id"]
    assert rows[2].client_address == "10.1.2.3"
    assert all(r.request_id for r in rows)


def test_an_entry_holds_no_intake_value_or_result(app):
    client = app.test_client()
    writer = key(app, "club-a", "screen")
    intake = healthy("r-2")
    intake["wellness"]["fatigue"] = 7
    result = client.post("/v1/screenings", json=intake, headers=bearer(writer)).get_json()
    (row,) = entries(app)
    kept = json.dumps([str(value) for value in row])
    for value in ("fatigue", result["risk"]["band"], "explanation", "weekly"):
        assert value not in kept


def test_a_screening_and_its_entry_commit_together_and_a_failed_write_leaves_neither(app):
    client = app.test_client()
    writer = key(app, "club-a", "screen")
    with engine_of(app).begin() as connection:
        connection.execute(
            text(
                "CREATE TRIGGER no_audit BEFORE INSERT ON audit_events WHEN NEW.action = 'screen' "
                "BEGIN SELECT RAISE(ABORT, 'audit trail full'); END"
            )
        )
    response = client.post("/v1/screenings", json=healthy("r-3"), headers=bearer(writer))
    assert response.status_code == 503
    with app.app_context():
        from api.operations.store_binding import store

        assert store().count() == 0
    assert [r.action for r in entries(app)] == []
    with engine_of(app).begin() as connection:
        connection.execute(text("DROP TRIGGER no_audit"))
    assert client.post("/v1/screenings", json=healthy("r-3"), headers=bearer(writer)).status_code == 200
    assert len(entries(app, action="screen")) == 1


def test_a_read_whose_entry_cannot_be_written_is_not_answered(app):
    client = app.test_client()
    reader = key(app, "club-a", "history:read")
    with engine_of(app).begin() as connection:
        connection.execute(
            text("CREATE TRIGGER no_audit BEFORE INSERT ON audit_events BEGIN SELECT RAISE(ABORT, 'x'); END")
        )
    response = client.get("/v1/runners/r-1/trend", headers=bearer(reader))
    assert response.status_code == 503 and "points" not in response.get_data(as_text=True)


def test_erasing_a_runner_keeps_the_trail_about_them_and_adds_its_own(app):
    client = app.test_client()
    admin = key(app, "club-a", "screen,history:read,history:erase")
    client.post("/v1/screenings", json=healthy("r-4"), headers=bearer(admin))
    client.get("/v1/runners/r-4/trend", headers=bearer(admin))
    assert client.delete("/v1/runners/r-4", headers=bearer(admin)).get_json()["erased"] == 1
    assert [r.action for r in entries(app, runner_id="r-4")] == ["screen", "read_trend", "erase"]


def test_removing_one_screening_is_one_entry_with_its_reason_committed_with_the_removal(app):
    client = app.test_client()
    clinician = key(app, "club-a", "screen,history:read,history:erase")
    first = client.post("/v1/screenings", json=healthy("r-6"), headers=bearer(clinician)).get_json()
    client.post("/v1/screenings", json=healthy("r-6"), headers=bearer(clinician))
    removed = client.delete(
        f"/v1/screenings/{first['screening_id']}?reason=entered+for+the+wrong+runner", headers=bearer(clinician)
    )
    assert removed.status_code == 200 and removed.get_json()["runner_id"] == "r-6"
    removals = entries(app, action="erase_screening")
    assert [(r.runner_id, r.screening_id, r.outcome, r.reason) for r in removals] == [
        ("r-6", first["screening_id"], "ok", "entered for the wrong runner")
    ]
    again = client.delete(f"/v1/screenings/{first['screening_id']}?reason=twice", headers=bearer(clinician))
    assert again.status_code == 404
    assert [r.outcome for r in entries(app, action="erase_screening")] == ["ok", "not_found"]
    bundle = json.loads(json.dumps(audit_event_bundle(app)))
    details = [d for e in bundle for d in e["resource"].get("entity", [{}])[0].get("detail", [])]
    assert {"type": "reason", "valueString": "entered for the wrong runner"} in details


def audit_event_bundle(app) -> list:
    from screening.interop.audit_event import bundle

    return bundle(entries(app), timestamp="2026-12-07T00:00:00Z")["entry"]


def test_with_store_off_the_screening_is_not_kept_but_its_entry_is(tmp_path):
    app = access_app(tmp_path, STORE="off")
    result = app.test_client().post("/v1/screenings", json=healthy("r-5"), headers=bearer(key(app, "club-a", "screen")))
    assert "stored" not in result.get_json()
    assert [(r.action, r.screening_id) for r in entries(app)] == [("screen", result.get_json()["screening_id"])]


def test_a_batch_records_each_screened_runner(app):
    client = app.test_client()
    response = client.post(
        "/v1/screenings/batch",
        json=[healthy("b-1"), healthy("b-2"), {"runner": {}}],
        headers=bearer(key(app, "club-a", "screen")),
    )
    assert response.status_code == 200
    assert sorted(r.runner_id for r in entries(app, action="screen_batch")) == ["b-1", "b-2"]


def test_the_audit_endpoint_pages_and_filters_for_an_admin_of_their_teams_only(app):
    client = app.test_client()
    a, b = key(app, "club-a", "screen", name="a-app"), key(app, "club-b", "screen", name="b-app")
    for n in range(5):
        client.post("/v1/screenings", json=healthy(f"a-{n}"), headers=bearer(a))
    client.post("/v1/screenings", json=healthy("b-0"), headers=bearer(b))
    admin = bearer(key(app, "club-a", "admin"))
    first = client.get("/v1/audit?limit=3&action=screen", headers=admin).get_json()
    second = client.get(f"/v1/audit?limit=3&action=screen&cursor={first['next_cursor']}", headers=admin).get_json()
    got = [e["runner_id"] for e in first["entries"] + second["entries"]]
    assert got == [f"a-{n}" for n in reversed(range(5))] and second["next_cursor"] is None
    assert client.get("/v1/audit?runner_id=a-2", headers=admin).get_json()["entries"][0]["actor"] == "a-app"
    assert client.get("/v1/audit?actor=b-app", headers=admin).get_json()["entries"] == []
    assert client.get("/v1/audit?team=club-b", headers=admin).status_code == 403
    assert client.get("/v1/audit?since=2999-01-01", headers=admin).get_json()["entries"] == []
    assert client.get("/v1/audit?since=yesterday", headers=admin).status_code == 422


def test_the_export_is_a_valid_fhir_r4_bundle_of_audit_events(app, tmp_path, capsys, monkeypatch):
    from fhir.resources.R4B.bundle import Bundle

    client = app.test_client()
    writer = key(app, "club-a", "screen,history:read", name="club-a-app")
    client.post("/v1/screenings", json=healthy("r-6"), headers=bearer(writer))
    client.get("/v1/runners/r-6/trend")
    out = tmp_path / "audit.json"
    url = str(engine_of(app).url)
    assert main(["audit", "export", "--since", "2000-01-01", "--url", url, "--out", str(out)]) == 0
    document = json.loads(out.read_text())
    Bundle.model_validate(document)
    events = [entry["resource"] for entry in document["entry"]]
    assert [(e["action"], e["outcome"]) for e in events] == [("C", "0"), ("R", "4")]
    assert events[0]["agent"][0]["who"]["identifier"]["value"] == "club-a-app"
    assert events[0]["entity"][0]["what"]["identifier"]["value"] == "r-6"
    assert main(["audit", "export", "--since", "2999-01-01", "--url", url]) == 0
    assert json.loads(capsys.readouterr().out)["entry"] == []


def test_the_trail_has_its_own_retention(app):
    from datetime import datetime, timedelta

    old = audit_trail.entry(
        "read_trend", actor="x", actor_kind="key", outcome="ok", at=datetime.now() - timedelta(days=40)
    )
    with engine_of(app).begin() as connection:
        connection.execute(audit_events.insert(), [old])
    key_ = key(app, "club-a", "history:read")
    app.test_client().get("/v1/runners/r-1/trend", headers=bearer(key_))
    assert main(["audit", "prune", "--days", "30", "--url", str(engine_of(app).url)]) == 0
    assert [r.event_id == old["event_id"] for r in entries(app)] == [False]
