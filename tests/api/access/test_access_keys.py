"""API keys through the command line: made once, kept as a hash, listed without tokens, revoked in a second."""

import re
import time

import pytest
from sqlalchemy import select

from api.commands import main
from screening.history.tables import api_keys
from tests.support.credentials import access_app, bearer, engine_of
from tests.support.intakes import healthy


@pytest.fixture
def app(tmp_path):
    return access_app(tmp_path)


def url_of(app) -> str:
    return engine_of(app).url.render_as_string(hide_password=False)


def create(app, capsys, *args) -> str:
    assert main(["keys", "create", "--url", url_of(app), *args]) == 0
    out = capsys.readouterr().out
    return out.splitlines()[-1]


def test_create_prints_the_token_alone_on_the_last_line_and_stores_only_its_hash(app, capsys):
    token = create(app, capsys, "--team", "club-a", "--scope", "screen,history:read", "--name", "club-a-app")
    assert re.fullmatch(r"soleus_key_[A-Za-z0-9_-]{43}", token)
    with engine_of(app).connect() as connection:
        row = connection.execute(select(api_keys)).one()
    assert token not in str(tuple(row)) and row.token_sha256 != token and len(row.token_sha256) == 64
    assert row.scopes == "screen history:read" and row.team == "club-a"
    assert app.test_client().post("/v1/screenings", json=healthy("r-1"), headers=bearer(token)).status_code == 200


def test_list_shows_names_teams_scopes_and_dates_never_a_token(app, capsys):
    token = create(app, capsys, "--team", "club-a", "--scope", "admin", "--name", "ops", "--expires", "30")
    assert main(["keys", "list", "--url", url_of(app)]) == 0
    listing = capsys.readouterr().out
    assert "ops" in listing and "club-a" in listing and "admin" in listing and "live" in listing
    assert token not in listing and token[11:30] not in listing


def test_bad_scopes_names_and_duplicates_are_refused_with_exit_2(app, capsys):
    assert main(["keys", "create", "--url", url_of(app), "--team", "a", "--scope", "everything", "--name", "x"]) == 2
    assert "unknown scope everything" in capsys.readouterr().err
    create(app, capsys, "--team", "a", "--scope", "screen", "--name", "x")
    assert main(["keys", "create", "--url", url_of(app), "--team", "a", "--scope", "screen", "--name", "x"]) == 2
    assert "exists already" in capsys.readouterr().err


def test_a_revoked_key_is_refused_within_a_second_without_a_restart(app, capsys):
    token = create(app, capsys, "--team", "club-a", "--scope", "history:read", "--name", "reader")
    client = app.test_client()
    assert client.get("/v1/runners/r-1/trend", headers=bearer(token)).status_code == 200  # now cached
    assert main(["keys", "revoke", "reader", "--url", url_of(app)]) == 0
    revoked_at = time.monotonic()
    while client.get("/v1/runners/r-1/trend", headers=bearer(token)).status_code == 200:
        assert time.monotonic() - revoked_at < 1.5, "still accepted after the cache's second"
        time.sleep(0.05)
    answer = client.get("/v1/runners/r-1/trend", headers=bearer(token))
    assert answer.status_code == 401 and "revoked" in answer.get_json()["detail"]
    assert main(["keys", "revoke", "reader", "--url", url_of(app)]) == 2


def test_last_used_is_written_off_the_request_path(app, capsys):
    token = create(app, capsys, "--team", "club-a", "--scope", "history:read", "--name", "reader")
    app.test_client().get("/v1/runners/r-1/trend", headers=bearer(token))
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        with engine_of(app).connect() as connection:
            if connection.scalar(select(api_keys.c.last_used_at)) is not None:
                return
        time.sleep(0.05)
    pytest.fail("last_used_at was never written")
