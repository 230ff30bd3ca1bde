"""`soleus-screen erase RUNNER --team T --runs DIR...`: the runner's stored screenings erased, their rows taken
out of the roster run folders given (results.csv, results.jsonl, results.parquet, errors.csv), and what that
did not cover said (report.html, backups, folders not given)."""

import csv
import subprocess
import sys
from pathlib import Path

import orjson
import pyarrow.parquet as pq
from sqlalchemy import text

from screening.history.database import make_engine
from tests.support.paths import ROOT

ROSTER = ROOT / "examples" / "roster.csv"
RUNNER = "club-0002"


def command(*args: str, url: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "api.commands", *args],
        capture_output=True,
        text=True,
        timeout=180,
        env={**__import__("os").environ, "SOLEUS_DATABASE_URL": url},
    )


def named(folder: Path) -> dict[str, int]:
    """How many rows of each result file are the runner's."""
    with open(folder / "results.csv", encoding="utf-8-sig", newline="") as rows:
        in_csv = sum(row["runner_id"] == RUNNER for row in csv.DictReader(rows))
    in_jsonl = sum(
        orjson.loads(line)["runner_id"] == RUNNER for line in (folder / "results.jsonl").read_bytes().splitlines()
    )
    in_parquet = sum(
        pq.read_table(part).column("runner_id").to_pylist().count(RUNNER)
        for part in (folder / "results.parquet").glob("*.parquet")
    )
    return {"csv": in_csv, "jsonl": in_jsonl, "parquet": in_parquet}


def test_erase_takes_the_runner_out_of_the_store_and_the_run_folders_and_says_what_it_did_not_cover(tmp_path):
    url = f"sqlite:///{tmp_path}/history.sqlite3"
    runs = [tmp_path / "run-1", tmp_path / "run-2"]
    for run in runs:
        done = command("roster", str(ROSTER), "--out", str(run), "--store", "--team", "club-a", "--quiet", url=url)
        assert done.returncode == 1, done.stderr  # 1: the example roster has rows that cannot be screened
        assert named(run) == {"csv": 1, "jsonl": 1, "parquet": 1}
    others = named(runs[0])
    erased = command("erase", RUNNER, "--team", "club-a", "--runs", *map(str, runs), url=url)
    assert erased.returncode == 0, erased.stderr
    assert "erased 2 stored screenings of club-0002 (on disk: erased)" in erased.stdout
    for run in runs:
        assert named(run) == {"csv": 0, "jsonl": 0, "parquet": 0}
        assert f"{run / 'report.html'} names the runner" in erased.stdout
    assert "backups" in erased.stdout
    engine = make_engine(url)
    with engine.connect() as connection:
        left = connection.execute(text("SELECT count(*) FROM screenings WHERE runner_id = :r"), {"r": RUNNER}).scalar()
        kept = connection.execute(text("SELECT count(*) FROM screenings")).scalar()
    engine.dispose()
    assert left == 0 and kept > 0
    # The other runners' rows are all still there.
    with open(runs[0] / "results.csv", encoding="utf-8-sig", newline="") as rows:
        assert len(list(csv.DictReader(rows))) == kept // 2
    assert others["csv"] == 1


def test_erase_with_a_missing_run_folder_erases_nothing(tmp_path):
    url = f"sqlite:///{tmp_path}/history.sqlite3"
    done = command("erase", RUNNER, "--runs", str(tmp_path / "nowhere"), url=url)
    assert done.returncode == 2
    assert "nothing was erased" in done.stderr
