"""Every command ends quietly into a closed pipe (`soleus-screen screen x.json | head -1`), as Unix tools do.

Each test runs the real command in a child process whose output is a pipe
whose reading end is already closed: the first write fails at once, as it
does after `head` has read its line and gone. The status must be 0 or 141
(128 + SIGPIPE, what a shell reports), never 1 ("invalid input"), and nothing
may reach stderr (no BrokenPipeError traceback, no "Exception ignored").
"""

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.paths import ROOT

EXAMPLE = ROOT / "examples" / "intake.json"
ROSTER = ROOT / "examples" / "roster.csv"
QUIET_ENDS = (0, 141)


def run_into_closed_pipe(args: list[str], stream: str = "stdout", **kwargs) -> subprocess.CompletedProcess:
    """Run soleus-screen with `stream` (stdout or stderr) writing into a pipe nobody reads; the other captured."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    other = "stderr" if stream == "stdout" else "stdout"
    try:
        return subprocess.run(
            [sys.executable, "-m", "api.commands", *args],
            **{stream: write_end, other: subprocess.PIPE},
            stdin=subprocess.DEVNULL,
            timeout=120,
            cwd=ROOT,
            **kwargs,
        )
    finally:
        os.close(write_end)


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["screen", str(EXAMPLE)], id="screen-json"),
        pytest.param(["screen", str(EXAMPLE), "--format", "fhir"], id="screen-fhir"),
        pytest.param(["screen", str(EXAMPLE), "--format", "text"], id="screen-text"),
        pytest.param(["--help"], id="help"),
        pytest.param(["roster", "--help"], id="roster-help"),
        pytest.param(["--version"], id="version"),
    ],
)
def test_a_command_writing_into_a_closed_pipe_ends_quietly_with_the_conventional_status(args):
    done = run_into_closed_pipe(args)
    assert done.returncode in QUIET_ENDS
    assert done.stderr == b""


def test_db_output_into_a_closed_pipe_ends_quietly(tmp_path):
    url = f"sqlite:///{tmp_path / 'history.sqlite3'}"
    for action in ("upgrade", "current"):
        done = run_into_closed_pipe(["db", action, "--url", url])
        assert done.returncode in QUIET_ENDS, done.stderr
        assert done.stderr == b""


def _valid_roster(tmp_path) -> Path:
    """Two rows of the example roster that screen (its other rows include invalid ones on purpose)."""
    with open(ROSTER, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    path = tmp_path / "two.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows[:3])
    return path


def test_a_roster_whose_summary_goes_into_a_closed_pipe_ends_quietly_and_keeps_its_files(tmp_path):
    out = tmp_path / "out"
    done = run_into_closed_pipe(["roster", str(_valid_roster(tmp_path)), "--out", str(out), "--workers", "1"], "stderr")
    assert done.returncode in QUIET_ENDS
    assert done.stdout == b""
    assert (out / "report.html").is_file() and (out / "results.csv").is_file()


def test_a_roster_into_a_closed_stdout_pipe_ends_quietly(tmp_path):
    done = run_into_closed_pipe(["roster", str(_valid_roster(tmp_path)), "--out", str(tmp_path / "o"), "--quiet"])
    assert done.returncode in QUIET_ENDS
    assert done.stderr == b""


def test_a_closed_pipe_after_the_first_line_ends_quietly_too():
    """The shell's own `| head -1`: the first lines are read, then the reader goes."""
    command = f"{sys.executable} -m api.commands screen {EXAMPLE} --format text | head -1"
    done = subprocess.run(
        ["bash", "-c", f"set -o pipefail; {command}; echo status=$?"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    first, status = done.stdout.splitlines()
    assert first.strip()
    assert status in ("status=0", "status=141")
    assert done.stderr == ""
