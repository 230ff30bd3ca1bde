"""A roster run killed outright leaves no orphaned workers, and the next run removes its staging folder.

Also: a run may not write its results over the roster it reads.
"""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from screening.errors import UnusableRoster
from screening.roster.output import staging
from screening.roster.run import screen_roster
from tests.support.paths import ROOT

EXAMPLE = ROOT / "examples" / "roster.csv"


def children(pid: int) -> list[int]:
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_until(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def dead_owner() -> dict:
    """The marker of a process that has exited (its pid is free, or reused with another start time)."""
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(0.2)"])
    owner = staging.owner_record(process.pid)
    process.wait()
    return owner


def stale_folder(out: Path, owner: dict | None) -> Path:
    folder = out / f"{staging.PREFIX}test{len(list(out.glob(staging.PREFIX + '*')))}"
    folder.mkdir(parents=True)
    (folder / "results.jsonl").write_text("{}\n")
    if owner is not None:
        (folder / staging.MARKER).write_text(json.dumps(owner))
    return folder


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_the_next_run_removes_the_staging_folder_of_a_dead_run_and_keeps_the_others(tmp_path):
    out = tmp_path / "out"
    dead = stale_folder(out, dead_owner())
    alive = stale_folder(out, staging.owner_record())  # this test process: still running
    unmarked = stale_folder(out, None)
    elsewhere = stale_folder(out, {**dead_owner(), "host": "another-machine"})
    screen_roster(EXAMPLE, out, workers=1)
    assert not dead.exists()
    assert alive.exists() and unmarked.exists() and elsewhere.exists()
    assert not [p for p in out.glob(staging.PREFIX + "*") if p not in (alive, unmarked, elsewhere)]


def test_a_successful_run_leaves_no_staging_folder(tmp_path):
    screen_roster(EXAMPLE, tmp_path / "out", workers=1)
    assert not list((tmp_path / "out").glob(".*"))


KILLED_RUN = textwrap.dedent(
    """
    import sys, time
    from screening.roster.executors.processes import ordered_map
    if __name__ == "__main__":
        for _ in ordered_map(time.sleep, [60] * 8, workers=2):
            pass
    """
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_workers_and_the_resource_tracker_die_with_a_killed_parent(tmp_path):
    script = tmp_path / "run.py"
    script.write_text(KILLED_RUN)
    parent = subprocess.Popen([sys.executable, str(script)], cwd=ROOT)
    try:
        # Two workers and the resource tracker, all spawned by the parent.
        assert wait_until(lambda: len(children(parent.pid)) >= 3, timeout=60), children(parent.pid)
        time.sleep(1.0)  # the workers have run their initializer and are sleeping
        spawned = children(parent.pid)
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait()
    assert wait_until(lambda: not any(running(pid) for pid in spawned), timeout=15), [
        pid for pid in spawned if running(pid)
    ]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs Linux /proc")
def test_a_sigkilled_roster_command_leaves_nothing_behind_after_the_next_run(tmp_path):
    roster = tmp_path / "roster.csv"
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_roster.py"), "30000", "--out", str(roster)], check=True
    )
    out = tmp_path / "out"
    command = [sys.executable, "-m", "api.commands", "roster", str(roster), "--out", str(out), "--workers", "2"]
    run = subprocess.Popen([*command, "--quiet"], cwd=ROOT, stderr=subprocess.DEVNULL)
    try:
        assert wait_until(lambda: list(out.glob(staging.PREFIX + "*")) and len(children(run.pid)) >= 3, timeout=60)
        spawned = children(run.pid)
    finally:
        run.send_signal(signal.SIGKILL)
        run.wait()
    assert list(out.glob(staging.PREFIX + "*")), "the killed run left its staging folder (it could not help it)"
    assert wait_until(lambda: not any(running(pid) for pid in spawned), timeout=15)
    small = tmp_path / "small.csv"
    small.write_bytes(EXAMPLE.read_bytes())
    subprocess.run([*command[:4], str(small), *command[5:], "--quiet"], cwd=ROOT, check=False)
    assert not list(out.glob(staging.PREFIX + "*"))
    assert (out / "results.csv").exists()


def test_results_are_not_written_over_the_roster_itself(tmp_path):
    out = tmp_path / "d"
    screen_roster(EXAMPLE, out, workers=1)
    roster = out / "results.csv"
    before = roster.read_bytes()
    with pytest.raises(UnusableRoster, match="would overwrite the roster itself"):
        screen_roster(roster, out, workers=1)
    assert roster.read_bytes() == before
    assert not list(out.glob(staging.PREFIX + "*"))


def test_the_roster_command_refuses_to_overwrite_its_input_with_status_2(tmp_path):
    out = tmp_path / "d"
    screen_roster(EXAMPLE, out, workers=1)
    before = (out / "results.csv").read_bytes()
    done = subprocess.run(
        [sys.executable, "-m", "api.commands", "roster", str(out / "results.csv"), "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ},
    )
    assert done.returncode == 2
    assert "would overwrite the roster itself" in done.stderr
    assert (out / "results.csv").read_bytes() == before
