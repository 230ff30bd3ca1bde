"""On a real local Dask cluster of two worker processes the roster gives what one process gives, even if a worker dies.

Each run is the real `soleus-screen roster` command in a child process, bounded
by a timeout. The cluster that a test kills a worker of is started by the test
(LocalCluster, loopback only) and the command joins it by its tcp:// address.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from api.commands.exits import EXIT_INVALID, EXIT_SOFTWARE
from tests.support import rosters as synthetic_rosters
from tests.support.paths import ROOT

SCREENED_AT = "2026-12-01T08:00:00Z"
RUN_SECONDS = 240
ROWS = 5000
KILL_ROWS = 20000  # long enough on two workers that the run is still going when a worker is killed
FILES = ("results.csv", "errors.csv", "results.jsonl", "report.html")


def _make_roster(path: Path, rows: int) -> Path:
    make_roster = synthetic_rosters.make_roster
    with open(path, "w", encoding="utf-8", newline="") as handle:
        make_roster.write_roster(handle, rows, seed=16, invalid_rate=0.01)
    return path


def _command(roster: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "api.commands", "roster", str(roster), "--out", str(out), "--quiet"] + [
        "--screened-at",
        SCREENED_AT,
        *extra,
    ]


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=RUN_SECONDS)


def _parts(out: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted((out / "results.parquet").iterdir())}


@pytest.fixture(scope="module")
def rosters(tmp_path_factory):
    """The rosters, each screened once in this machine's single process: what every other run must match."""
    folder = tmp_path_factory.mktemp("dask")
    made = {}
    for rows in (ROWS, KILL_ROWS):
        roster = _make_roster(folder / f"roster-{rows}.csv", rows)
        out = folder / f"one-process-{rows}"
        extra = ("--workers", "1", "--jsonl")
        assert _run(*_command(roster, out, *extra)).returncode == EXIT_INVALID  # as made: some rows invalid
        made[rows] = roster, out
    return made


def test_a_local_cluster_of_two_workers_writes_what_one_process_writes(rosters, tmp_path):
    roster, one = rosters[ROWS]
    out = tmp_path / "dask"
    run = _run(*_command(roster, out, "--dask", "local:2", "--jsonl"))
    assert run.returncode == EXIT_INVALID, run.stderr
    for name in FILES:
        assert (out / name).read_bytes() == (one / name).read_bytes(), name
    assert _parts(out) == _parts(one)
    table = pq.read_table(out / "results.parquet")
    assert table.equals(pq.read_table(one / "results.parquet"))
    rows = table.column("row").to_pylist()
    assert rows == sorted(rows) and len(rows) + _invalid_rows(one) == ROWS


def _invalid_rows(out: Path) -> int:
    lines = (out / "errors.csv").read_text(encoding="utf-8-sig").splitlines()[1:]
    return len({line.split(",", 1)[0] for line in lines})


@pytest.fixture
def cluster():
    """A local cluster of two single-threaded worker processes, with a client to find and kill them."""
    distributed = pytest.importorskip("distributed")
    made = []

    def start(**scheduler_kwargs):
        local = distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=":0",  # any free port: a fixed one (8787) may be taken
            scheduler_kwargs=scheduler_kwargs,
        )
        client = distributed.Client(local)
        made.append((local, client))
        return local, client

    yield start
    for local, client in made:
        client.close()
        local.close()


def _kill_a_worker_mid_run(command: list[str], out: Path, client) -> tuple[subprocess.CompletedProcess, int]:
    """Start the run, SIGKILL one worker process once two parts are written, and let the run end."""
    pids = sorted(client.run(os.getpid).values())
    assert len(pids) == 2
    child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + RUN_SECONDS
    try:
        while not list(out.glob(".roster-*/results.parquet/part-000001.parquet")):
            assert child.poll() is None, "the run ended before a worker could be killed"
            assert time.monotonic() < deadline, "the run wrote no second part in time"
            time.sleep(0.02)
        os.kill(pids[0], signal.SIGKILL)
        assert child.poll() is None, "the run had finished when the worker was killed"
        stdout, stderr = child.communicate(timeout=RUN_SECONDS)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    return subprocess.CompletedProcess(command, child.returncode, stdout, stderr), pids[0]


def test_a_worker_killed_mid_run_is_replaced_and_the_run_still_writes_every_row(rosters, cluster, tmp_path):
    roster, one = rosters[KILL_ROWS]
    local, client = cluster()
    out = tmp_path / "dask"
    run, killed = _kill_a_worker_mid_run(
        _command(roster, out, "--dask", local.scheduler_address, "--jsonl"), out, client
    )
    assert run.returncode == EXIT_INVALID, run.stderr
    assert killed not in client.run(os.getpid).values()  # the partition it held ran on another worker
    for name in FILES:
        assert (out / name).read_bytes() == (one / name).read_bytes(), name
    assert _parts(out) == _parts(one)


def test_a_run_whose_workers_keep_dying_fails_clearly_and_writes_nothing(rosters, cluster, tmp_path):
    roster, _ = rosters[KILL_ROWS]
    local, client = cluster(allowed_failures=0)  # the first death of a worker running a partition fails it
    out = tmp_path / "dask"
    run, _ = _kill_a_worker_mid_run(_command(roster, out, "--dask", local.scheduler_address), out, client)
    assert run.returncode == EXIT_SOFTWARE
    assert "Dask workers died" in run.stderr and "nothing was written" in run.stderr
    assert not out.exists()


def test_an_unreachable_scheduler_is_a_clear_failure_and_writes_nothing(rosters, tmp_path):
    roster, _ = rosters[ROWS]
    out = tmp_path / "dask"
    command = _command(roster, out, "--dask", f"tcp://127.0.0.1:{_free_port()}")
    # Dask's own setting for how long to try to connect (30 s by default)
    environment = {**os.environ, "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"}
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=RUN_SECONDS, env=environment)
    assert run.returncode == EXIT_SOFTWARE
    assert "cannot reach the Dask scheduler" in run.stderr and "nothing was written" in run.stderr
    assert not out.exists()


def _free_port() -> int:
    """A loopback port that nothing listens on (bound a moment ago, then closed)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
