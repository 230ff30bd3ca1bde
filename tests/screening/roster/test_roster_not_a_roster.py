"""Files that are not a CSV roster get a one-line hint and exit 2, in bounded memory and time.

A line without end (a 1 GB line cost 2.1 GB; `/dev/zero` ended in a
MemoryError traceback) is refused once it passes MAX_LINE, with the field
limit named; the real command runs in a child whose peak RSS is read from
its resource usage (resource.getrusage in a small parent).
"""

import subprocess
import sys
import time
from pathlib import Path

import pytest

from api.commands import main
from api.commands.exits import EXIT_UNUSABLE
from screening.intake.csv_reader import MAX_LINE
from tests.support.paths import ROOT

HEADER = (ROOT / "examples" / "roster.csv").read_text(encoding="utf-8").splitlines()[0]
PEAK_MB = 150  # the interpreter and the screening modules take about 95 MB; a held 128 MB line would add more


# A small parent runs the command and prints its peak RSS: the child's ru_maxrss counts what it shared of its
# parent when forked, which for pytest's own process late in a full run is over a gigabyte.
MEASURE = """
import resource, subprocess, sys
def cap():  # a regression fails at 4 GB of address space, not after taking the machine's memory
    resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))
try:
    status = subprocess.run(
        sys.argv[2:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, timeout=float(sys.argv[1]), preexec_fn=cap
    ).returncode
except subprocess.TimeoutExpired:  # run() has killed it
    status = -1
print(status, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def run_roster(path: str, out: Path, timeout: float = 60) -> tuple[int, str, float, float]:
    """Run the real command; (status, stderr, the command's peak RSS in MB, seconds)."""
    started = time.monotonic()
    command = [sys.executable, "-m", "api.commands", "roster", path, "--out", str(out), "--workers", "1"]
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(timeout), *command],
        capture_output=True,
        text=True,
        timeout=timeout + 30,
        cwd=ROOT,
    )
    status, peak_kb = done.stdout.split()
    return int(status), done.stderr, int(peak_kb) / 1024, time.monotonic() - started


def test_a_line_past_the_limit_is_refused_with_the_field_limit_in_bounded_memory(tmp_path):
    roster = tmp_path / "long.csv"
    with open(roster, "w", encoding="utf-8") as handle:
        handle.write(HEADER + "\n")
        piece = "x" * (1 << 20)
        for _ in range(128):  # a 128 MB line with no end
            handle.write(piece)
    status, err, peak, _ = run_roster(str(roster), tmp_path / "out")
    assert status == EXIT_UNUSABLE
    first = err.splitlines()[0]
    assert f"line 2 is longer than {MAX_LINE:,} characters" in first and "field limit" in first
    assert "Traceback" not in err
    assert 0 < peak < PEAK_MB
    assert not (tmp_path / "out").exists()


def test_dev_zero_is_refused_as_not_text_at_once_and_in_bounded_memory(tmp_path):
    status, err, peak, seconds = run_roster("/dev/zero", tmp_path / "out", timeout=60)
    assert status == EXIT_UNUSABLE
    assert "not a text file: a NUL byte" in err and "Traceback" not in err
    assert 0 < peak < PEAK_MB
    assert seconds < 30


@pytest.mark.parametrize(
    "name, content, hint",
    [
        ("club.xlsx", b"PK\x03\x04" + b"\x00" * 100, "a spreadsheet workbook (.xlsx or .xls), not a CSV"),
        ("club.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "a spreadsheet workbook"),
        ("club.tsv", HEADER.replace(",", "\t").encode() + b"\n", "separated by tabs"),
        ("one.json", (ROOT / "examples" / "intake.json").read_bytes(), "one JSON object (one runner's intake?)"),
    ],
)
def test_a_file_that_is_not_a_roster_gets_its_own_one_line_hint(tmp_path, capsys, name, content, hint):
    path = tmp_path / name
    path.write_bytes(content)
    assert main(["roster", str(path), "--out", str(tmp_path / "out"), "--workers", "1"]) == EXIT_UNUSABLE
    first = capsys.readouterr().err.splitlines()[0]
    assert hint in first
