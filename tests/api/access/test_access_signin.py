"""Sign-in for the clinic pages: CSRF, session fixation, sign-out, lock-out, roles and teams.

Each test builds an app with access control on and its own database
(tests/support/credentials.py); the form is the clinic's, posted as a browser would.
"""

import pytest
from bs4 import BeautifulSoup

from api.access import accounts
from api.operations.store_binding import database_of
from tests.api.pages.test_form_views import HEALTHY
from tests.support.credentials import access_app, account, engine_of

PASSWORD = "correct horse battery"


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def token_of(client, path: str = "/login") -> str:
    return soup(client.get(path)).find("input", {"name": "csrf_token"})["value"]


def sign_in(client, email: str, password: str = PASSWORD, **extra):
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token_of(client), **extra})


def session_cookie(client) -> str | None:
    cookie = client.get_cookie("session")
    return cookie.value if cookie else None


def stored_count(app) -> int:
    return database_of(app).count()


@pytest.fixture
def app(tmp_path):
    made = access_app(tmp_path)
    account(made, "ana@clinic.example", "clinician", "club-a")
    account(made, "cole@club.example", "coach", "club-a")
    return made


@pytest.fixture
def client(app):
    return app.test_client()


def test_the_pages_send_a_person_who_is_not_signed_in_to_sign_in(client):
    response = client.get("/?runner_id=r-1")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    assert client.post("/screen", data=HEALTHY).status_code == 302


def test_a_clinician_signs_in_screens_for_their_team_and_it_is_stored(client, app):
    assert sign_in(client, "ana@clinic.example").status_code == 302
    form = soup(client.get("/"))
    assert form.find(id="f-team")["value"] == "club-a"
    assert "Signed in as ana@clinic.example" in form.find(id="signed-in-as").get_text()
    screened = client.post("/screen", data={**HEALTHY, "team": "club-a", "csrf_token": token_of(client, "/")})
    assert screened.status_code == 200
    assert stored_count(app) == 1


def test_a_clinician_cannot_screen_for_a_team_not_theirs(client, app):
    sign_in(client, "ana@clinic.example")
    response = client.post("/screen", data={**HEALTHY, "team": "club-b", "csrf_token": token_of(client, "/")})
    assert response.status_code == 422
    assert "club-a only" in soup(response).find(id="error-summary").get_text()
    assert stored_count(app) == 0
    prefill = client.get("/?runner_id=clinic-0001&team=club-b")
    assert prefill.status_code == 403


def test_a_coach_may_not_screen(client, app):
    sign_in(client, "cole@club.example")
    response = client.get("/")
    assert response.status_code == 403
    assert "coach" in soup(response).find(id="refused-reason").get_text()
    posted = client.post("/screen", data={**HEALTHY, "team": "club-a", "csrf_token": token_of(client, "/login")})
    assert posted.status_code == 403 and stored_count(app) == 0
    from sqlalchemy import select

    from screening.history.tables import audit_events

    with engine_of(app).connect() as connection:
        refused = connection.execute(
            select(audit_events.c.action, audit_events.c.runner_id, audit_events.c.outcome).where(
                audit_events.c.action == "screen"
            )
        ).all()
    assert [tuple(row) for row in refused] == [("screen", HEALTHY["runner.id"], "refused")]


def test_a_coach_lands_on_the_runner_page_and_reads_their_teams_runners_only(client, app):
    sign_in(client, "ana@clinic.example")
    client.post("/screen", data={**HEALTHY, "team": "club-a", "csrf_token": token_of(client, "/")})
    client.post("/logout", data={"csrf_token": token_of(client, "/")})
    assert sign_in(client, "cole@club.example").headers["Location"] == "/runners"
    page = soup(client.get(f"/runners?runner_id={HEALTHY['runner.id']}"))
    assert "The latest 1 stored screenings of clinic-0001" in page.find("caption").get_text()
    other = client.get(f"/runners?runner_id={HEALTHY['runner.id']}&team=club-b")
    assert other.status_code == 403 and soup(other).find("caption") is None
    from sqlalchemy import select

    from screening.history.tables import audit_events

    with engine_of(app).connect() as connection:
        reads = connection.execute(
            select(audit_events.c.actor, audit_events.c.outcome).where(audit_events.c.action == "read_trend")
        ).all()
    assert [tuple(row) for row in reads] == [("cole@club.example", "ok"), ("cole@club.example", "refused")]


@pytest.mark.parametrize("csrf", [None, "wrong", "expired"])
def test_a_post_without_its_csrf_token_is_refused_and_nothing_is_stored(client, app, csrf):
    sign_in(client, "ana@clinic.example")
    data = {**HEALTHY, "team": "club-a"}
    if csrf == "wrong":
        data["csrf_token"] = "not-the-token"
    elif csrf == "expired":
        other = app.test_client()  # a token from another session
        data["csrf_token"] = token_of(other)
    response = client.post("/screen", data=data)
    assert response.status_code == 400
    assert stored_count(app) == 0


def test_a_sign_in_without_its_csrf_token_is_refused(client):
    response = client.post("/login", data={"email": "ana@clinic.example", "password": PASSWORD})
    assert response.status_code == 400
    assert session_cookie(client) is None or client.get("/").status_code == 302


def test_a_post_from_another_site_is_refused_before_its_token_is_read(client, app):
    sign_in(client, "ana@clinic.example")
    data = {**HEALTHY, "team": "club-a", "csrf_token": token_of(client, "/")}
    for headers in ({"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"}, {"Origin": "null"}):
        assert client.post("/screen", data=data, headers=headers).status_code == 403
    assert stored_count(app) == 0
    assert client.post("/screen", data=data, headers={"Sec-Fetch-Site": "same-origin"}).status_code == 200


def test_signing_in_changes_the_session_id(client, app):
    client.get("/login")
    before = session_cookie(client)
    planted = client.get_cookie("session")
    sign_in(client, "ana@clinic.example")
    after = session_cookie(client)
    assert after != before
    # The cookie from before the sign-in does not sign anyone in.
    other = app.test_client()
    if planted is not None:
        other.set_cookie("session", planted.value)
    assert other.get("/").status_code == 302


def test_signing_out_ends_the_session_even_for_a_copy_of_the_cookie(client, app):
    sign_in(client, "ana@clinic.example")
    copied = session_cookie(client)
    assert client.get("/").status_code == 200
    out = client.post("/logout", data={"csrf_token": token_of(client, "/")})
    assert out.status_code == 302 and "done=out" in out.headers["Location"]
    assert client.get("/").status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/").status_code == 302


def test_failed_sign_ins_read_the_same_whether_the_account_exists_or_not(client):
    known = soup(sign_in(client, "ana@clinic.example", "wrong password!"))
    unknown = soup(sign_in(client, "nobody@clinic.example", "wrong password!"))
    assert known.find(id="sign-in-error").get_text() == unknown.find(id="sign-in-error").get_text()


def test_an_account_is_locked_after_five_failures_in_a_minute_even_with_the_right_password(client):
    statuses = [sign_in(client, "ana@clinic.example", f"wrong password {n}").status_code for n in range(5)]
    assert statuses == [401] * 5
    locked = sign_in(client, "ana@clinic.example")
    assert locked.status_code == 429
    assert "wait a minute" in soup(locked).find(id="sign-in-error").get_text()
    # Another account from the same address is not locked by these five.
    assert sign_in(client, "cole@club.example").status_code == 302


def test_an_address_is_locked_after_its_stated_failures(tmp_path):
    app = access_app(tmp_path, SIGN_IN_FAILURES_PER_ADDRESS="3/minute")
    account(app, "ana@clinic.example", "clinician", "club-a")
    client = app.test_client()
    for n in range(3):
        assert sign_in(client, f"someone-{n}@clinic.example", "wrong password!").status_code == 401
    assert sign_in(client, "ana@clinic.example").status_code == 429


def test_a_failed_sign_in_is_slowed(tmp_path):
    import time

    app = access_app(tmp_path, SIGN_IN_FAILURE_DELAY=0.3)
    client = app.test_client()
    started = time.monotonic()
    sign_in(client, "nobody@clinic.example", "wrong password!")
    assert time.monotonic() - started >= 0.3


def test_a_disabled_account_cannot_sign_in_and_its_sessions_end(client, app):
    sign_in(client, "ana@clinic.example")
    accounts.disable(engine_of(app), "ana@clinic.example")
    assert client.get("/").status_code == 302
    assert sign_in(app.test_client(), "ana@clinic.example").status_code == 401


def test_a_one_time_password_must_be_changed_before_anything_else(tmp_path):
    app = access_app(tmp_path)
    password = accounts.first_admin(engine_of(app))
    assert password and accounts.first_admin(engine_of(app)) is None  # made once
    client = app.test_client()
    response = sign_in(client, "admin", password)
    assert response.headers["Location"] == "/account/password"
    assert client.get("/").headers["Location"] == "/account/password"
    new = "a much better passphrase"
    changed = client.post(
        "/account/password",
        data={
            "password": password,
            "new_password": new,
            "new_password_again": new,
            "csrf_token": token_of(client, "/account/password"),
        },
    )
    assert changed.status_code == 302
    assert sign_in(client, "admin", password).status_code == 401
    assert sign_in(client, "admin", new).status_code == 302
    assert client.get("/").status_code == 200


def test_the_next_page_after_sign_in_stays_on_this_site(client):
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        assert sign_in(client, "ana@clinic.example", next=target).headers["Location"] == "/"
        client.post("/logout", data={"csrf_token": token_of(client, "/")})
    assert sign_in(client, "ana@clinic.example", next="/?runner_id=r-1").headers["Location"] == "/?runner_id=r-1"


def test_the_session_cookie_is_httponly_samesite_lax_and_secure_over_https(app):
    client = app.test_client()
    token = token_of(client)
    response = client.post(
        "/login",
        data={"email": "ana@clinic.example", "password": PASSWORD, "csrf_token": token},
        base_url="https://localhost",
    )
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie
    plain = app.test_client()
    plain_cookie = sign_in(plain, "ana@clinic.example").headers["Set-Cookie"]
    assert "Secure" not in plain_cookie


def test_the_json_api_ignores_a_signed_in_session(client):
    sign_in(client, "ana@clinic.example")
    assert client.get("/v1/runners/clinic-0001/screenings").status_code == 401
