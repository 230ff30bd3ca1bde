"""A database that turns read-only: the API says 503 "nothing was stored", the form shows again with every
value kept, /ready says why; nothing is half-stored. A real read-only file system (a tmpfs remounted ro)."""

from bs4 import BeautifulSoup
from sqlalchemy import text
from sqlalchemy.engine import make_url

from api import create_app
from screening.history import migrate
from screening.history.database import make_engine
from screening.history.store import Store
from tests.api.pages.test_form_errors import VALID, as_posted, shown_values
from tests.support.databases import postgres_database
from tests.support.disks import remount, small_disk


def test_a_read_only_database_is_503_nothing_stored_and_the_form_keeps_every_value(tmp_path, example_intake):
    with small_disk(tmp_path / "disk") as disk:
        url = f"sqlite:///{disk}/history.sqlite3"
        app = create_app({"TESTING": True, "AUTH": "off", "DATABASE_URL": url, "WTF_CSRF_ENABLED": False})
        client = app.test_client()
        assert client.post("/v1/screenings", json=example_intake).status_code == 200
        opened = app.extensions["soleus.database"]
        opened.close()  # no file open for writing, so the file system can turn read-only under the service
        remount(disk, "ro")
        try:
            answer = client.post("/v1/screenings", json=example_intake)
            page = client.post("/screen", data=VALID)
            ready = client.get("/ready")
        finally:
            remount(disk, "rw")
        assert answer.status_code == 503, answer.get_data(as_text=True)[:500]
        assert answer.mimetype == "application/problem+json"
        assert "nothing was stored" in answer.get_json()["detail"]
        assert page.status_code == 503
        soup = BeautifulSoup(page.get_data(as_text=True), "html.parser")
        assert shown_values(soup) == as_posted(VALID)
        assert "was not stored" in soup.get_text()
        assert ready.status_code == 503
        assert ready.get_json()["store"]["code"] in {"SQLITE_READONLY", "SQLITE_CANTOPEN"}
        opened.close()
        # Only the screening answered before it turned read-only is there.
        assert Store.open(url, upgrade=False).count() == 1


def test_a_read_only_postgresql_database_is_503_nothing_stored_and_the_form_keeps_every_value(example_intake):
    with postgres_database() as url:
        migrate.upgrade(make_engine(url))
        app = create_app({"TESTING": True, "AUTH": "off", "DATABASE_URL": url, "WTF_CSRF_ENABLED": False})
        client = app.test_client()
        assert client.post("/v1/screenings", json=example_intake).status_code == 200
        opened = app.extensions["soleus.database"]
        with opened.engine.connect() as connection:
            name = make_url(url).database
            connection.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'))
            connection.commit()
        opened.close()  # new connections get the setting
        answer = client.post("/v1/screenings", json=example_intake)
        page = client.post("/screen", data=VALID)
        ready = client.get("/ready")
        assert answer.status_code == 503
        assert "nothing was stored" in answer.get_json()["detail"]
        assert page.status_code == 503
        assert shown_values(BeautifulSoup(page.get_data(as_text=True), "html.parser")) == as_posted(VALID)
        assert ready.status_code == 503
        assert ready.get_json()["store"]["code"] == "25006"
        opened.close()
        assert Store.open(url, upgrade=False).count() == 1
