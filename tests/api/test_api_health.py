"""GET /health (liveness) and GET /ready (the rules are loaded and the engine screens)."""

from api.operations.screener_binding import KEY
from screening import EngineError, default_screener


def test_health_answers_while_the_process_serves(client):
    response = client.get("/health")
    assert (response.status_code, response.get_json()) == (200, {"status": "ok"})


def test_ready_names_the_loaded_ruleset(client):
    ruleset = default_screener().ruleset
    response = client.get("/ready")
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ready",
        "ruleset": {"name": ruleset.name, "version": ruleset.version},
        "rules": len(ruleset.rules),
        "store": "writable",
    }


def test_ready_is_503_when_the_engine_fails(app, client, monkeypatch):
    def failing(inputs):
        raise EngineError("the sentinel rule did not fire")

    monkeypatch.setattr(app.extensions[KEY].engine, "fire", failing)
    response = client.get("/ready")
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert client.get("/health").status_code == 200


def test_ready_is_503_without_rules(app, client):
    del app.extensions[KEY]
    assert client.get("/ready").status_code == 503
