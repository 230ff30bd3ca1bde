"""`soleus-screen db upgrade|current|prune` on a SQLite file and on a real PostgreSQL."""

from datetime import UTC, datetime, timedelta

from api.commands import main
from api.commands.exits import EXIT_OK, EXIT_UNUSABLE
from screening.history import migrate
from screening.history.database import make_engine
from screening.history.store import Store
from tests.support.history_rows import EXAMPLE, screening_row


def test_db_upgrade_brings_an_empty_database_to_the_newest_revision(database_url, capsys):
    assert main(["db", "current", "--url", database_url]) == EXIT_UNUSABLE
    assert main(["db", "upgrade", "--url", database_url]) == EXIT_OK
    assert f"at revision {migrate.head()} (was empty)" in capsys.readouterr().out
    assert main(["db", "current", "--url", database_url]) == EXIT_OK
    assert main(["db", "upgrade", "--url", database_url]) == EXIT_OK  # again: nothing to do
    assert migrate.current(make_engine(database_url)) == migrate.head()


def test_db_prune_deletes_what_is_past_the_retention_days_from_the_environment(database_url, monkeypatch, capsys):
    store = Store.open(database_url, upgrade=True)
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    old = screening_row(EXAMPLE, at=now - timedelta(days=40))
    recent = screening_row(EXAMPLE, at=now - timedelta(days=20))
    store.add_many([old.row(), recent.row()])
    monkeypatch.setenv("SOLEUS_RETENTION_DAYS", "30")
    assert main(["db", "prune", "--url", database_url]) == EXIT_OK
    assert "deleted 1 screenings older than 30 days" in capsys.readouterr().out
    assert store.result(old.screening_id) is None and store.result(recent.screening_id) == recent.result
    assert main(["db", "prune", "--url", database_url, "--days", "10"]) == EXIT_OK
    assert store.count() == 0


def test_db_prune_without_a_retention_period_refuses(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("SOLEUS_RETENTION_DAYS", raising=False)
    assert main(["db", "prune", "--url", f"sqlite:///{tmp_path}/x.db"]) == EXIT_UNUSABLE
    assert "SOLEUS_RETENTION_DAYS" in capsys.readouterr().err


def test_db_commands_name_a_database_they_cannot_reach(capsys):
    url = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    assert main(["db", "upgrade", "--url", url]) == 69
    assert "the database cannot be used" in capsys.readouterr().err


def test_db_commands_say_which_database_they_act_on_before_acting(tmp_path, capsys):
    path = tmp_path / "history.sqlite3"
    assert main(["db", "upgrade", "--url", f"sqlite:///{path}"]) == EXIT_OK
    first = capsys.readouterr().out.splitlines()[0]
    assert first == f"database: the SQLite file {path}"


def test_a_database_url_is_named_without_its_password(capsys):
    url = "postgresql+psycopg://screener:s3cret-pw@127.0.0.1:1/none"
    assert main(["db", "current", "--url", url]) == 69
    captured = capsys.readouterr()
    assert captured.out.splitlines()[0] == "database: postgresql+psycopg://screener@127.0.0.1:1/none"
    assert "s3cret-pw" not in captured.out + captured.err
