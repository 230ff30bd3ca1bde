#!/usr/bin/env python3
"""Time `soleus-screen roster` on a synthetic roster and print rows/s and peak memory.

    python scripts/bench_roster.py                 # 100,000 rows, workers = cores
    python scripts/bench_roster.py --rows 20000 --workers 1

The roster is made by make_roster.py in a temporary folder (0.2% of rows carry
an entry error, so errors.csv is exercised too) and screened by the real
command in a child process, all four outputs written. Only the command is
timed. Memory is reported three ways, because a worker's memory is its own:
ru_maxrss of RUSAGE_CHILDREN (the largest single process among the command and
its worker processes), each process's own peak (VmHWM), and the peak of their
sum (VmRSS of the whole process tree, sampled every 100 ms). The glibc malloc
tunables from docs/durable-rules.md ("Speed") are set to keep timings steady.
"""

import argparse
import itertools
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_roster import write_roster  # noqa: E402

MALLOC_TUNABLES = "glibc.malloc.mmap_threshold=8388608:glibc.malloc.trim_threshold=268435456"


def _status_kib(pid: int, key: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _tree(root: int) -> set[int]:
    """The pid and every descendant, from the parent ids in /proc/*/stat."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    # The command name may hold spaces; the fields after its ')' are fixed.
                    parents[int(entry)] = int(handle.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent and pid not in tree]
        tree.update(children)
        frontier.extend(children)
    return tree


class TreeMemory(threading.Thread):
    """Sample the process tree's memory until stopped (finding new processes every few samples)."""

    def __init__(self, root: int, interval: float = 0.1, rescan_every: int = 5):
        super().__init__(daemon=True)
        self.root, self.interval, self.rescan_every = root, interval, rescan_every
        self.peak_sum_kib = 0
        self.peaks_kib: dict[int, int] = {}
        self.stopped = threading.Event()

    def run(self) -> None:
        pids: set[int] = {self.root}
        for sample in itertools.count():
            if self.stopped.is_set():
                return
            if sample % self.rescan_every == 0:
                pids = _tree(self.root)
            total = 0
            for pid in pids:
                total += _status_kib(pid, "VmRSS")
                self.peaks_kib[pid] = max(self.peaks_kib.get(pid, 0), _status_kib(pid, "VmHWM"))
            self.peak_sum_kib = max(self.peak_sum_kib, total)
            self.stopped.wait(self.interval)


def _mb(kib: int) -> str:
    return f"{kib / 1024:.0f} MB"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench-roster-") as folder:
        roster, out = Path(folder) / "roster.csv", Path(folder) / "out"
        with open(roster, "w", encoding="utf-8", newline="") as handle:
            write_roster(handle, args.rows, seed=args.seed, invalid_rate=0.002)
        command = [
            sys.executable,
            "-m",
            "api.commands",
            "roster",
            str(roster),
            "--out",
            str(out),
            "--workers",
            str(args.workers),
            "--quiet",
        ]
        environment = {**os.environ, "GLIBC_TUNABLES": MALLOC_TUNABLES}
        load = os.getloadavg()
        started = time.perf_counter()
        child = subprocess.Popen(command, env=environment, cwd=HERE.parent)
        sampler = TreeMemory(child.pid)
        sampler.start()
        status = child.wait()
        elapsed = time.perf_counter() - started
        sampler.stopped.set()
        sampler.join()
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        sizes = {path.name: path.stat().st_size for path in sorted(out.glob("*"))} if out.exists() else {}

    print(
        f"roster: {args.rows:,} rows ({roster.name}, 0.2% with an entry error), workers: {args.workers}, "
        f"cores: {os.cpu_count()}, load average before: {load[0]:.2f}"
    )
    print(f"exit status: {status} (1 = some rows invalid, as generated; 2 = unusable input)")
    print("outputs: " + ", ".join(f"{name} {size / 1e6:.1f} MB" for name, size in sizes.items()))
    cpu = usage.ru_utime + usage.ru_stime
    print(f"time: {elapsed:.2f} s wall -> {args.rows / elapsed:,.0f} rows/s")
    print(
        f"CPU of the command and its workers: {cpu:.1f} s = {cpu / args.rows * 1e6:.0f} us a row "
        f"(-> at most {args.rows / cpu * min(args.workers, os.cpu_count() or 1):,.0f} rows/s "
        "if other programs leave the cores free)"
    )
    print(f"peak RSS, largest single process (RUSAGE_CHILDREN ru_maxrss): {_mb(usage.ru_maxrss)}")
    peaks = sorted(sampler.peaks_kib.items())
    print("peak RSS per process (VmHWM, command first): " + ", ".join(_mb(kib) for _, kib in peaks if kib))
    print(f"peak RSS, whole process tree (sum of VmRSS sampled every 100 ms): {_mb(sampler.peak_sum_kib)}")
    print(f"load average after: {os.getloadavg()[0]:.2f} (other programs running at the same time slow the run)")
    return 0 if status in (0, 1) else status


if __name__ == "__main__":
    sys.exit(main())
