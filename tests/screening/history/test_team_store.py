"""team_runners (migration 0008_team): each runner's newest screening, kept by the database's triggers,
on a SQLite file and on a real PostgreSQL."""

import copy
import uuid
from datetime import datetime, timedelta

from sqlalchemy import text

from screening import default_screener
from screening.history import migrate
from screening.history.database import make_engine
from screening.history.queries import TEAM_RUNNERS
from screening.history.screening_row import ScreeningRow
from screening.history.store import Store
from screening.history.tables import TEAM_COLUMNS
from screening.timestamps import format_time
from tests.support.history_rows import EXAMPLE, insert_as_before, screening_row

DAY = datetime(2026, 3, 2, 9, 30)


def _row(runner: str, days: int, *, team: str = "club-t", **changes):
    payload = copy.deepcopy(EXAMPLE)
    payload["runner"]["id"] = runner
    for section, values in changes.items():
        payload[section].update(values)
    return screening_row(payload, team=team, at=DAY + timedelta(days=days))


def _latest(store: Store, team: str = "club-t") -> dict[str, str]:
    return {runner.runner_id: runner.screening_id for runner in store.team_runners(team)}


def test_each_runner_has_their_newest_screening_whatever_order_the_screenings_arrive_in(database_url):
    store = Store.open(database_url, upgrade=True)
    first, newest, older = _row("r1", 0), _row("r1", 5), _row("r1", 2)
    other_team = _row("r1", 9, team="club-u")
    store.add_many([first.row(), newest.row()])
    store.add(older)  # arrives last, screened between the two
    store.add_together([(other_team.row(), []), (_row("r2", 1).row(), [])])
    latest = _latest(store)
    assert latest["r1"] == newest.screening_id
    assert set(latest) == {"r1", "r2"}
    assert _latest(store, "club-u") == {"r1": other_team.screening_id}


def test_removing_the_newest_screening_puts_the_next_newest_in_its_place(database_url):
    store = Store.open(database_url, upgrade=True)
    rows = [_row("r1", days) for days in (0, 3, 6)]
    store.add_many([row.row() for row in rows])
    store.delete_screening("club-t", rows[2].screening_id)
    assert _latest(store) == {"r1": rows[1].screening_id}
    store.delete_screening("club-t", rows[0].screening_id)  # an older one: the newest stays
    assert _latest(store) == {"r1": rows[1].screening_id}
    [runner] = store.team_runners("club-t")
    assert (runner.score, runner.band) == (rows[1].score, rows[1].band)


def test_erasing_a_runner_leaves_no_row_of_them_on_the_team_page(database_url):
    store = Store.open(database_url, upgrade=True)
    store.add_many([_row("r1", days).row() for days in range(5)] + [_row("r2", 0).row()])
    assert store.erase("club-t", "r1") == 5
    assert set(_latest(store)) == {"r2"}
    with store.engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM team_runners WHERE runner_id = 'r1'")) == 0


def _screened(store: Store, runner: str, days: int, **changes) -> dict:
    """Screen as the service does (the runner's stored history read first), store it; the result."""
    payload = copy.deepcopy(EXAMPLE)
    payload["runner"]["id"] = runner
    for section, values in changes.items():
        payload[section].update(values)
    core = default_screener()
    intake = core.validate(payload)
    at = DAY + timedelta(days=days)
    history = store.history("club-t", runner)
    result = core.screen_valid(intake, screening_id=uuid.uuid4().hex, screened_at=format_time(at), history=history)
    store.add(ScreeningRow.to_store(intake, result, "club-t", at=at)[0])
    return result


def test_the_latest_screening_carries_the_change_since_the_previous_and_the_baselines(database_url):
    store = Store.open(database_url, upgrade=True)
    for days in range(0, 25, 5):
        before = _screened(store, "r1", days, wellness={"fatigue": 3, "soreness": 0})
    result = _screened(store, "r1", 30, wellness={"fatigue": 9, "soreness": 0})  # well above their baseline
    [runner] = store.team_runners("club-t")
    assert runner.screening_id == result["screening_id"]
    assert (runner.previous_score, runner.previous_band) == (before["risk"]["score"], before["risk"]["band"])
    assert runner.fatigue_z == result["history"]["baselines"]["fatigue"]["z"] and runner.fatigue_z > 2
    assert runner.score_change == result["history"]["score_change"]


def test_a_runner_screened_once_has_no_change_and_no_baseline(database_url):
    store = Store.open(database_url, upgrade=True)
    store.add(_row("r1", 0))
    [runner] = store.team_runners("club-t")
    assert (runner.band_change, runner.score_change, runner.referral_change) == (None, None, None)
    assert (runner.fatigue_z, runner.soreness_z) == (None, None)


def test_upgrading_from_0005_fills_team_runners_from_the_stored_screenings(database_url):
    engine = make_engine(database_url)
    migrate.upgrade(engine, "0005")
    # What 0006_programme and 0008_team add is not in a 0005 table.
    added = {name for name, _ in TEAM_COLUMNS} | {"heel_raise_left", "heel_raise_right", "programme_stage"}
    rows = [_row("r1", 0), _row("r1", 4), _row("r2", 1)]
    with engine.begin() as connection:
        for stored in rows:
            insert_as_before(connection, stored.row(), added)
    migrate.upgrade(engine)
    store = Store.open(database_url, upgrade=False)
    assert _latest(store) == {"r1": rows[1].screening_id, "r2": rows[2].screening_id}
    store.add(_row("r2", 7))  # the triggers are in place after the upgrade
    assert _latest(store)["r2"] != rows[2].screening_id


def test_the_team_read_is_a_search_of_the_primary_key_never_a_scan_of_the_screenings_nor_a_sort(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/plan.sqlite3")
    migrate.upgrade(engine)
    compiled = TEAM_RUNNERS.compile(engine)
    with engine.connect() as connection:
        plan = [str(row[-1]) for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", ("club-a",))]
    assert len(plan) == 1 and plan[0].startswith("SEARCH team_runners USING INDEX sqlite_autoindex_team_runners"), plan


def test_the_newest_schema_has_both_triggers_that_keep_team_runners(database_url):
    """A later migration that rebuilds the screenings table (SQLite's batch mode) drops its triggers: put them back."""
    engine = make_engine(database_url)
    migrate.upgrade(engine)
    query = (
        "SELECT name FROM sqlite_master WHERE type = 'trigger'"
        if engine.dialect.name == "sqlite"
        else "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
    )
    with engine.connect() as connection:
        names = {row[0] for row in connection.exec_driver_sql(query)}
    assert {"tr_team_runners_insert", "tr_team_runners_delete"} <= names
