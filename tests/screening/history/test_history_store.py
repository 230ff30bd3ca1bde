"""The history store itself, on a SQLite file and on a real PostgreSQL: migrations, reads, erasure, retention."""

import json
import multiprocessing
import threading
import time
from datetime import datetime, timedelta

import orjson
import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from screening import default_screener
from screening.history import migrate, queries
from screening.history.database import make_engine
from screening.history.group_commit import GroupCommit, ProcessLock
from screening.history.migrate import SchemaBehind
from screening.history.store import Store
from screening.history.tables import TEAM_COLUMNS
from tests.support.history_rows import EXAMPLE, insert_as_before, screening_row

TEAM_ADDED = {name for name, _ in TEAM_COLUMNS} - {"programme_stage"}  # the columns migration 0008_team adds


def test_a_runners_history_and_trend_walk_the_index_newest_first_and_read_nothing_else(tmp_path):
    """Both reads find every column in the runner index, never in the ~17 KB rows (migration 0003), and never sort."""
    engine = make_engine(f"sqlite:///{tmp_path}/plan.sqlite3")
    migrate.upgrade(engine)
    values = {"team": "club-a", "runner_id": "r1", "before": "9999-12-31 00:00:00.000000", "limit": 60}
    with engine.connect() as connection:
        for name, query in (("history", queries.RECENT), ("trend", queries.TREND)):
            compiled = query.compile(engine)
            arguments = tuple(values.get(key, compiled.params.get(key)) for key in compiled.positiontup or ())
            plan = [str(row[-1]) for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", arguments)]
            reads = [step for step in plan if step.startswith(("SEARCH screenings", "SCAN screenings"))]
            assert reads and all("COVERING INDEX ix_screenings_runner_reads" in step for step in reads), (name, plan)
            assert not any("TEMP B-TREE" in step for step in plan), (name, plan)


def test_upgrade_from_empty_creates_the_newest_schema(database_url):
    engine = make_engine(database_url)
    assert migrate.current(engine) is None
    migrate.upgrade(engine)
    assert migrate.current(engine) == migrate.head()
    columns = {column["name"] for column in inspect(engine).get_columns("screenings")}
    assert {"screening_id", "team", "runner_id", "screened_at", "intake", "result", "fatigue", "weekly_km"} <= columns
    indexes = {index["name"]: index["column_names"] for index in inspect(engine).get_indexes("screenings")}
    assert indexes["ix_screenings_runner_reads"][:4] == ["team", "runner_id", "screened_at", "screening_id"]


def test_upgrade_from_the_first_migration_keeps_every_stored_screening(database_url):
    engine = make_engine(database_url)
    migrate.upgrade(engine, "0001")
    row = screening_row(EXAMPLE).row()
    later = ("fatigue", "soreness", "weekly_km", "ostrc_severity", "weeks")  # the columns 0002 and 0003 add
    old = {key: value for key, value in row.items() if key not in later}
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO screenings (screening_id, team, runner_id, screened_at, ruleset_version, intake, result, "
                "score, band, urgency, fired) VALUES (:screening_id, :team, :runner_id, :screened_at, "
                ":ruleset_version, :intake, :result, :score, :band, :urgency, :fired)"
            ),
            {**old, "fired": json.dumps(old["fired"])},
        )
    with pytest.raises(SchemaBehind, match="revision 0001.*db upgrade"):
        Store.open(database_url, upgrade=False)
    migrate.upgrade(engine)
    store = Store.open(database_url, upgrade=False)
    assert store.result(row["screening_id"]) == row["result"]
    [point] = store.trend(row["team"], row["runner_id"], limit=10)
    assert (point.score, point.band, point.fatigue, point.weekly_km) == (row["score"], row["band"], None, None)
    # 0003 filled in the weeks from the stored intake, so a later screening can merge them.
    [earlier] = store.history(row["team"], row["runner_id"]).points
    assert json.loads(earlier.weeks) == ["km", EXAMPLE["training"]["weekly_distance"]]


def test_a_stored_result_reads_back_as_the_exact_text(database_url):
    store = Store.open(database_url, upgrade=True)
    stored = screening_row(EXAMPLE, team="club-a")
    store.add(stored)
    assert store.result(stored.screening_id) == stored.result
    assert store.result("0" * 32) is None


def test_pages_run_newest_first_and_the_cursor_continues_without_gaps(database_url):
    store = Store.open(database_url, upgrade=True)
    start = datetime(2026, 1, 5, 9, 0, 0)
    added = [screening_row(EXAMPLE, team="club-a", at=start + timedelta(days=7 * n)) for n in range(7)]
    # Another team's runner with the same id, and two screenings in the same second.
    store.add_many([s.row() for s in added] + [screening_row(EXAMPLE, team="club-b").row()])
    store.add(screening_row(EXAMPLE, team="club-a", at=added[-1].screened_at))
    seen, cursor = [], None
    while True:
        rows, cursor = store.page("club-a", "club-0042", limit=3, after=cursor)
        assert rows is not None
        seen += [(row.screened_at, row.screening_id) for row in rows]
        if cursor is None:
            break
    assert len(seen) == 8 and len(set(seen)) == 8
    assert seen == sorted(seen, reverse=True)
    assert store.page("club-a", "club-0042", limit=3, after="f" * 32) == (None, None)


def test_the_trend_is_the_latest_screenings_oldest_first_with_what_was_given(database_url):
    store = Store.open(database_url, upgrade=True)
    start = datetime(2026, 1, 5, 9, 0, 0)
    for n in range(5):
        intake = json.loads(json.dumps(EXAMPLE))
        intake["wellness"]["soreness"] = n
        intake["training"]["weekly_distance"][-1] = 40 + n
        store.add(screening_row(intake, at=start + timedelta(days=n)))
    points = store.trend("", "club-0042", limit=3)
    assert [p.soreness for p in points] == [2, 3, 4]
    assert [p.weekly_km for p in points] == [42.0, 43.0, 44.0]
    assert [p.fatigue for p in points] == [7, 7, 7]


def test_erasing_a_runner_deletes_every_row_of_theirs_and_no_other(database_url):
    store = Store.open(database_url, upgrade=True)
    mine = [screening_row(EXAMPLE, team="club-a") for _ in range(3)]
    other = screening_row(EXAMPLE, team="club-b")
    store.add_many([s.row() for s in [*mine, other]])
    assert store.erase("club-a", "club-0042") == 3
    assert store.erase("club-a", "club-0042") == 0
    assert all(store.result(s.screening_id) is None for s in mine)
    assert store.trend("club-a", "club-0042", limit=10) == []
    with store.engine.connect() as connection:
        left = connection.execute(text("SELECT screening_id FROM screenings")).scalars().all()
    assert left == [other.screening_id]


def test_prune_deletes_only_screenings_past_the_retention_period(database_url):
    store = Store.open(database_url, upgrade=True)
    now = datetime(2026, 6, 1, 12, 0, 0)
    old = screening_row(EXAMPLE, at=now - timedelta(days=31))
    recent = screening_row(EXAMPLE, at=now - timedelta(days=29))
    store.add_many([old.row(), recent.row()])
    assert store.prune(30, now=now) == 1
    assert store.result(old.screening_id) is None
    assert store.result(recent.screening_id) == recent.result


def test_the_row_keeps_the_validated_intake_and_the_summary(database_url):
    store = Store.open(database_url, upgrade=True)
    stored = screening_row(EXAMPLE)
    store.add(stored)
    with store.engine.connect() as connection:
        row = connection.execute(text("SELECT intake, score, band, urgency, fired FROM screenings")).one()
    result = json.loads(stored.result)
    assert orjson.loads(row.intake) == default_screener().validate(EXAMPLE)
    assert (row.score, row.band) == (result["risk"]["score"], result["risk"]["band"])
    assert row.urgency == result["referral"]["urgency"]
    fired = row.fired if isinstance(row.fired, list) else json.loads(row.fired)
    assert fired == [e["rule"] for e in result["explanation"] if e["fired"]] and fired


def test_a_runners_history_comes_newest_first_to_the_microsecond_however_it_was_stored(database_url):
    """The history is read as one JSON array and sorted by its time text: whole seconds, fractions that
    PostgreSQL writes without trailing zeros, and ties broken by screening id all come in time order."""
    store = Store.open(database_url, upgrade=True)
    base = datetime(2026, 5, 1, 9, 0, 0)
    offsets = [0, 500_000, 450_000, 100, 1, 1_000_000, 999_999, 450_000]
    rows = []
    for n, micro in enumerate(offsets):
        stored = screening_row(EXAMPLE, team="club-a").row()
        rows.append(
            {
                **stored,
                "screening_id": f"{n:02d}" + stored["screening_id"][2:],
                "screened_at": base + timedelta(microseconds=micro),
            }
        )
    store.add_many(rows[::-1])
    points = store.history("club-a", rows[0]["runner_id"]).points
    expected = sorted(rows, key=lambda row: (row["screened_at"], row["screening_id"]), reverse=True)
    assert [(p.screening_id, p.screened_at) for p in points] == [
        (r["screening_id"], r["screened_at"]) for r in expected
    ]


def test_a_group_commits_batch_is_one_statement_stored_whole_or_not_at_all(database_url):
    """add_together stores a batch as one INSERT committed on its own: every row exactly, or, when one row
    cannot be written (its id is taken), none of them."""
    store = Store.open(database_url, upgrade=True)
    batch = [screening_row(EXAMPLE, team=team) for team in ("club-a", "club-b", "")]
    store.add_together([(stored.row(), []) for stored in batch])
    for stored in batch:
        assert store.result(stored.screening_id) == stored.result
    assert store.history("club-b", batch[1].runner_id).points[0].screening_id == batch[1].screening_id
    fresh, taken = screening_row(EXAMPLE), screening_row(EXAMPLE)
    with pytest.raises(IntegrityError):
        store.add_together([(fresh.row(), []), ({**taken.row(), "screening_id": batch[0].screening_id}, [])])
    assert store.result(fresh.screening_id) is None and store.count() == 3


def _held_group_commit(bad: set[str]):
    """A GroupCommit whose first write waits for `release`, so the rows added meanwhile queue into one batch."""
    written: list[list[str]] = []
    started, release = threading.Event(), threading.Event()

    def write(rows: list[dict]) -> None:
        started.set()
        release.wait(10)
        if any(row["id"] in bad for row in rows):
            raise ValueError("refused")
        written.append([row["id"] for row in rows])

    return GroupCommit(write), written, started, release


def _add_all(commits: GroupCommit, started: threading.Event, release: threading.Event, names: list[str]) -> dict:
    outcomes: dict[str, str] = {}

    def add(name: str) -> None:
        try:
            commits.add({"id": name})
            outcomes[name] = "committed"
        except ValueError:
            outcomes[name] = "failed"

    first = threading.Thread(target=add, args=(names[0],))
    first.start()
    assert started.wait(10)
    others = [threading.Thread(target=add, args=(name,)) for name in names[1:]]
    for thread in others:
        thread.start()
    deadline = time.monotonic() + 10
    while len(commits._waiting) < len(others) and time.monotonic() < deadline:
        time.sleep(0.005)
    release.set()
    for thread in [first, *others]:
        thread.join(10)
    return outcomes


def test_rows_that_arrive_while_a_commit_runs_are_committed_together():
    commits, written, started, release = _held_group_commit(bad=set())
    outcomes = _add_all(commits, started, release, ["first", "a", "b", "c"])
    assert outcomes == dict.fromkeys(["first", "a", "b", "c"], "committed")
    assert written[0] == ["first"] and sorted(written[1]) == ["a", "b", "c"] and len(written) == 2


def test_group_commit_fails_only_the_row_that_cannot_be_written():
    commits, written, started, release = _held_group_commit(bad={"bad"})
    outcomes = _add_all(commits, started, release, ["first", "a", "bad", "b"])
    assert outcomes == {"first": "committed", "a": "committed", "bad": "failed", "b": "committed"}
    # The batch with the bad row failed as a whole, then each of its rows was tried alone.
    assert written[0] == ["first"] and sorted(written[1:]) == [["a"], ["b"]]


def test_a_failing_lock_fails_the_waiting_rows_and_the_next_add_still_commits():
    written: list[list[str]] = []
    refusals = [OSError("no lock")]

    class Lock:
        def __enter__(self):
            if refusals:
                raise refusals.pop()

        def __exit__(self, *exc_info):
            pass

    commits = GroupCommit(lambda rows: written.append([row["id"] for row in rows]), Lock())
    with pytest.raises(OSError, match="no lock"):
        commits.add({"id": "refused"})
    commits.add({"id": "later"})  # the lead was given back: nothing is left waiting for it
    assert written == [["later"]]


def _take_and_tell(lock: ProcessLock, taken) -> None:
    with lock:
        taken.put(time.monotonic())


def test_the_process_lock_made_before_a_fork_still_excludes_the_forked_child(tmp_path):
    # gunicorn builds the store in the master and forks: each worker must open the file itself,
    # since a descriptor shared across the fork would share the lock and exclude nothing.
    lock = ProcessLock(str(tmp_path / "history.sqlite3-writer.lock"))
    fork = multiprocessing.get_context("fork")
    taken = fork.Queue()
    with lock:
        child = fork.Process(target=_take_and_tell, args=(lock, taken))
        child.start()
        time.sleep(0.3)
        released = time.monotonic()
    child.join(10)
    assert child.exitcode == 0
    assert taken.get(timeout=5) >= released


@pytest.mark.parametrize(("setting", "pragma"), [("FULL", 2), ("normal", 1)])
def test_sqlite_synchronous_is_the_configured_setting(tmp_path, setting, pragma):
    engine = make_engine(f"sqlite:///{tmp_path}/history.sqlite3", synchronous=setting)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == pragma
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_a_sqlite_synchronous_setting_that_could_corrupt_the_file_is_refused(tmp_path):
    with pytest.raises(ValueError, match="FULL, NORMAL"):
        make_engine(f"sqlite:///{tmp_path}/history.sqlite3", synchronous="OFF")


def test_erasure_on_sqlite_leaves_none_of_the_runners_bytes_in_the_files(tmp_path):
    url = f"sqlite:///{tmp_path}/history.sqlite3"
    store = Store.open(url, upgrade=True)
    intake = json.loads(json.dumps(EXAMPLE))
    intake["runner"]["id"] = "erase-me-7f3a"
    mine = [screening_row(intake, team="club-a") for _ in range(5)]
    kept = screening_row(EXAMPLE, team="club-a")
    store.add_many([s.row() for s in [*mine, kept]])
    files = [tmp_path / "history.sqlite3", tmp_path / "history.sqlite3-wal"]
    assert any(b"erase-me-7f3a" in path.read_bytes() for path in files if path.exists())
    assert store.erase("club-a", "erase-me-7f3a") == 5
    for path in files:
        if path.exists():
            data = path.read_bytes()
            assert b"erase-me-7f3a" not in data
            assert not any(s.screening_id.encode() in data for s in mine)
    assert store.result(kept.screening_id) == kept.result


def test_upgrading_fills_in_the_facts_on_record_from_each_stored_intake(database_url):
    """Migration 0005: a previous DVT, a calf strain's date and the soreness days come from the stored intake."""
    engine = make_engine(database_url)
    migrate.upgrade(engine, "0004")
    payload = json.loads(json.dumps(EXAMPLE))
    payload["red_flags"]["previous_dvt"] = True
    payload["wellness"]["soreness_days"] = 4
    at = datetime(2026, 3, 2, 9, 30, 0)
    row = screening_row(payload, team="club-m", at=at).row()
    added = ("soreness_days", "previous_dvt", "calf_strain_on", "calf_strain_error")
    added += ("heel_raise_left", "heel_raise_right", "programme_stage")  # 0006_programme's
    with engine.begin() as connection:
        insert_as_before(connection, row, (*added, *TEAM_ADDED))
    migrate.upgrade(engine)
    store = Store.open(database_url, upgrade=False)
    history = store.history("club-m", row["runner_id"])
    assert history.facts.previous_dvt_since == at
    weeks = payload["runner"]["prior_calf_strain_weeks_ago"]
    assert history.facts.calf_strain_on == at - timedelta(weeks=weeks)
    assert history.points[0].soreness_days == 4
    indexes = {index["name"]: index for index in inspect(engine).get_indexes("screenings")}
    assert "ix_screenings_runner_reads" in indexes


def test_a_correction_stated_with_a_new_strain_keeps_the_new_strain_on_record(database_url):
    store = Store.open(database_url, upgrade=True)
    payload = json.loads(json.dumps(EXAMPLE))
    payload["runner"]["prior_calf_strain_weeks_ago"] = 1
    payload["corrections"] = {"calf_strain_in_error": True, "previous_dvt_in_error": True}
    payload["red_flags"]["previous_dvt"] = True
    at = datetime(2026, 3, 2, 9, 30, 0)
    store.add(screening_row(payload, team="club-n", at=at))
    facts = store.history("club-n", payload["runner"]["id"]).facts
    assert facts.calf_strain_on == at - timedelta(weeks=1)  # the strain given with the correction
    assert facts.previous_dvt_since == at  # ticked beside "in error": the tick wins, it stays on record


def test_upgrading_fills_in_each_stored_screenings_heel_raises_and_leaves_its_stage_unknown(database_url):
    """Migration 0006_programme: heel raises per leg come from the stored intake; a screening stored before the
    programme has no stage (none is guessed), and the next screening says so."""
    engine = make_engine(database_url)
    migrate.upgrade(engine, "0005")
    payload = json.loads(json.dumps(EXAMPLE))
    payload["heel_raise"] = {"left": 11, "right": None}
    row = screening_row(payload, team="club-p", at=datetime(2026, 3, 2, 9, 30, 0)).row()
    old = {
        key: value
        for key, value in row.items()
        if key not in ("heel_raise_left", "heel_raise_right", "programme_stage") and key not in TEAM_ADDED
    }
    with engine.begin() as connection:
        connection.execute(
            text(f"INSERT INTO screenings ({', '.join(old)}) VALUES ({', '.join(':' + key for key in old)})"),
            {**old, "fired": json.dumps(old["fired"])},
        )
    migrate.upgrade(engine)
    point = Store.open(database_url, upgrade=False).history("club-p", row["runner_id"]).points[0]
    assert (point.heel_raise_left, point.heel_raise_right, point.programme_stage) == (11, None, None)
