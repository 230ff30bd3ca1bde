"""`soleus-screen roster --store`: every screened row stored, screened with the runner's stored history."""

import json
from pathlib import Path

import pytest
from sqlalchemy import bindparam, text
from sqlalchemy.exc import OperationalError

from api.commands import main
from api.commands.exits import EXIT_INVALID, EXIT_UNUSABLE
from screening.history.store import Store
from screening.roster.run import screen_roster
from screening.roster.storing import RosterStore, StoreFailed
from tests.support.paths import ROOT

EXAMPLE = ROOT / "examples" / "roster.csv"
FIRST, SECOND = "2026-12-01T08:00:00Z", "2026-12-08T08:00:00Z"


@pytest.fixture
def url(tmp_path, monkeypatch) -> str:
    """The run's database: SOLEUS_DATABASE_URL, as the command reads it."""
    url = f"sqlite:///{tmp_path / 'history.sqlite3'}"
    monkeypatch.setenv("SOLEUS_DATABASE_URL", url)
    return url


def results(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]


def roster(out: Path, at: str, *extra: str, quiet: bool = True) -> int:
    said = ["--quiet"] if quiet else []
    return main(["roster", str(EXAMPLE), "--out", str(out), *said, "--screened-at", at, "--store", *extra])


def test_a_second_stored_run_has_the_first_runs_screening_of_each_runner_as_previous(tmp_path, url):
    assert roster(tmp_path / "first", FIRST, "--workers", "1") == EXIT_INVALID  # the example has invalid rows
    assert roster(tmp_path / "second", SECOND, "--workers", "1") == EXIT_INVALID
    first, second = results(tmp_path / "first"), results(tmp_path / "second")
    assert len(second) == len(first) == 28
    assert [r["history"]["previous"] for r in first] == [None] * 28
    for before, after in zip(first, second, strict=True):
        assert after["stored"] is True and after["runner_id"] == before["runner_id"]
        assert after["history"]["previous"]["screening_id"] == before["screening_id"]
        assert after["history"]["score_change"] == after["risk"]["score"] - before["risk"]["score"]
    store = Store.open(url, upgrade=False)
    assert store.count() == 56
    line = (tmp_path / "second" / "results.jsonl").read_text(encoding="utf-8").splitlines()[5]
    assert store.result(json.loads(line)["screening_id"]) == line  # stored exactly as written


def test_the_command_says_how_many_it_stored_and_under_which_team(tmp_path, url, capsys):
    main(["roster", str(EXAMPLE), "--out", str(tmp_path / "o"), "--store", "--team", "club-a", "--workers", "1"])
    assert "stored 28 screenings in the runner history under team club-a" in capsys.readouterr().err
    store = Store.open(url, upgrade=False)
    assert store.history("club-a", "club-0001").previous is not None
    assert store.history("", "club-0001").previous is None


def test_worker_processes_store_the_same_results_as_one_process(tmp_path):
    outs = []
    for workers in (1, 2):
        url = f"sqlite:///{tmp_path / str(workers)}.sqlite3"
        storing = RosterStore(Store.open(url, upgrade=True), url)
        for at in (FIRST, SECOND):  # partitions of 10 rows: with 2 workers, screened in worker processes
            out = tmp_path / f"{workers}-{at[:10]}"
            screen_roster(EXAMPLE, out, workers=workers, chunk_rows=10, screened_at=at, storing=storing)
        assert storing.stored == 56
        outs.append(out)
    assert results(outs[0]) == results(outs[1])
    assert all(r["history"]["previous"] is not None for r in results(outs[1]))


def test_without_store_nothing_is_stored_and_results_carry_no_history(tmp_path, url):
    main(["roster", str(EXAMPLE), "--out", str(tmp_path / "o"), "--quiet", "--workers", "1"])
    assert all("stored" not in r and "history" not in r for r in results(tmp_path / "o"))
    assert not (tmp_path / "history.sqlite3").exists()


def test_storing_the_same_run_again_resumes_it_and_stores_no_row_twice(tmp_path, url, capsys):
    roster(tmp_path / "first", FIRST, "--workers", "1")
    capsys.readouterr()
    assert roster(tmp_path / "again", FIRST, "--workers", "1", quiet=False) == EXIT_INVALID  # it has invalid rows
    err = capsys.readouterr().err
    assert "stored 0 screenings" in err and "resumed: 28 screenings of this run were stored before" in err
    assert (tmp_path / "again" / "results.csv").exists()
    assert Store.open(url, upgrade=False).count() == 28
    assert results(tmp_path / "again") == results(tmp_path / "first")


def test_a_run_that_stopped_part_way_is_resumed_by_its_rerun_without_duplicates(tmp_path, url, capsys):
    roster(tmp_path / "first", FIRST, "--workers", "1")
    store = Store.open(url, upgrade=True)
    with store.engine.begin() as connection:  # as if only the first 10 rows' partition had been committed
        keep = list(
            connection.execute(text("SELECT screening_id FROM screenings ORDER BY screened_at LIMIT 10")).scalars()
        )
        query = text("DELETE FROM screenings WHERE screening_id NOT IN :keep").bindparams(
            bindparam("keep", expanding=True)
        )
        connection.execute(query, {"keep": keep})
    capsys.readouterr()
    roster(tmp_path / "again", FIRST, "--workers", "1", quiet=False)
    err = capsys.readouterr().err
    assert "stored 18 screenings" in err and "resumed: 10 screenings" in err
    assert store.count() == 28


def test_a_failed_batch_stops_the_run_and_the_batches_before_it_stay_stored_whole(tmp_path, url):
    store = Store.open(url, upgrade=True)
    calls = []

    def add_many(rows, audit=None, resume=False):
        calls.append(len(rows))
        if len(calls) == 2:
            raise OperationalError("INSERT INTO screenings", {}, Exception("disk full"))
        return Store.add_many(store, rows, audit, resume=resume)

    store.add_many = add_many  # type: ignore[method-assign]
    storing = RosterStore(store, url)
    with pytest.raises(StoreFailed) as failed:
        screen_roster(EXAMPLE, tmp_path / "o", workers=1, chunk_rows=10, screened_at=FIRST, storing=storing)
    assert failed.value.stored == calls[0] == store.count()
    assert failed.value.through is not None and failed.value.through <= 10
    assert failed.value.failed_from is not None and failed.value.failed_from > failed.value.through
    assert not (tmp_path / "o" / "results.csv").exists()


def test_store_with_dask_is_refused_with_a_reason(tmp_path, url, capsys):
    assert roster(tmp_path / "o", FIRST, "--dask", "local:1") == EXIT_UNUSABLE
    assert "not on a Dask cluster" in capsys.readouterr().err


def test_team_without_store_is_refused(tmp_path, capsys):
    code = main(["roster", str(EXAMPLE), "--out", str(tmp_path / "o"), "--team", "club-a"])
    assert code == EXIT_UNUSABLE and "give --store too" in capsys.readouterr().err
