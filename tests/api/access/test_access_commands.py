"""The access commands: `users` with the password from stdin, and `roster --store` in the audit trail."""

import getpass
import io
import json

from sqlalchemy import select

from api.access import accounts
from api.commands import main
from screening.history.store import Store
from screening.history.tables import audit_events
from tests.support.paths import ROOT

EXAMPLE = ROOT / "examples" / "roster.csv"


def test_users_add_reads_the_password_from_stdin_and_never_prints_it(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path}/u.sqlite3"
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    assert (
        main(
            [
                "users",
                "add",
                "Ana@Clinic.example",
                "--role",
                "coach",
                "--team",
                "club-a",
                "--team",
                "club-b",
                "--url",
                url,
            ]
        )
        == 0
    )
    assert main(["users", "list", "--url", url]) == 0
    shown = capsys.readouterr().out
    assert "ana@clinic.example" in shown and "coach" in shown and "club-a,club-b" in shown
    assert "a long enough password" not in shown
    engine = Store.open(url, upgrade=True).engine
    assert accounts.verify(engine, "ana@clinic.example", "a long enough password") is not None
    assert main(["users", "disable", "ana@clinic.example", "--url", url]) == 0
    assert accounts.verify(engine, "ana@clinic.example", "a long enough password") is None


def test_users_add_refuses_a_short_password_and_an_unknown_role(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path}/u.sqlite3"
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["users", "add", "ana@clinic.example", "--role", "clinician", "--team", "a", "--url", url]) == 2
    assert "at least 12 characters" in capsys.readouterr().err


def test_a_stored_roster_is_in_the_audit_trail_with_the_operating_system_user(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path}/r.sqlite3"
    monkeypatch.setenv("SOLEUS_DATABASE_URL", url)
    main(
        [
            "roster",
            str(EXAMPLE),
            "--out",
            str(tmp_path / "out"),
            "--quiet",
            "--store",
            "--team",
            "club-a",
            "--workers",
            "1",
        ]
    )
    stored = [
        json.loads(line)["screening_id"] for line in (tmp_path / "out" / "results.jsonl").read_text().splitlines()
    ]
    with Store.open(url, upgrade=True).engine.connect() as connection:
        rows = connection.execute(select(audit_events)).all()
    assert sorted(row.screening_id for row in rows) == sorted(stored)
    assert {(row.actor, row.actor_kind, row.action, row.team) for row in rows} == {
        (f"os:{getpass.getuser()}", "cli", "screen", "club-a")
    }
