#!/usr/bin/env python3
"""Time `soleus-screen roster` on a synthetic roster and print rows/s and peak memory.

    python scripts/bench_roster.py                 # 100,000 rows, workers = cores
    python scripts/bench_roster.py --rows 20000 --workers 1
    python scripts/bench_roster.py --dask          # 200,000 rows: 1 process, --dask local:1, local:2
    python scripts/bench_roster.py --dask-big      # 1,000,000 rows on --dask local:2: memory, Parquet size
    python scripts/bench_roster.py --pipeline      # 20,000 rows: the command on one process vs in process

The roster is made by make_roster.py in a temporary folder (0.2% of rows carry
an entry error, so errors.csv is exercised too) and screened by the real
command in a child process, all four outputs written. Only the command is
timed. Memory is reported three ways, because a worker's memory is its own:
ru_maxrss of RUSAGE_CHILDREN (the largest single process among the command and
its worker processes), each process's own peak (VmHWM), and the peak of their
sum (VmRSS of the whole process tree, sampled every 100 ms). The glibc malloc
tunables from docs/durable-rules.md ("Speed") are set to keep timings steady.

--dask screens one roster three ways in one run (one process, a local Dask
cluster of one worker, of two) and prints the speed-up of two workers over one
(target: at least 1.7x) and the cost of Dask itself (local:1 against one
process, target: under 15%), each run's CPU per row and the load average
around it: the machine may be shared, and other programs running at the same
time slow a run and skew a ratio. The three runs' results.csv must be
identical. --dask-big screens a large roster on local:2 and prints each
process's peak memory (target: under 500 MB) and the size of results.parquet
against results.jsonl's (target: under 25%); results.jsonl is not written for
so large a roster, so its size is counted exactly from the Parquet `result`
column, which holds each of its lines but the newline.

--pipeline (issue 26's roster target) screens one roster, alternating for
--rounds rounds, with `soleus-screen roster --workers 1` (a child process:
reading, the four outputs and the report, its start-up included) and with the
in-process pipeline alone (the same rows through `screening.roster.rows.
screen_rows`, one Screener, nothing written), and prints both rates, the
ratio of their medians and, on the last line, PASS or MISS against 0.8.
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
        self.roles: dict[int, str] = {}
        self.root_cpu = 0.0  # CPU seconds of the root process, as last seen
        self.stopped = threading.Event()

    def run(self) -> None:
        pids: set[int] = {self.root}
        for sample in itertools.count():
            if self.stopped.is_set():
                return
            if sample % self.rescan_every == 0:
                pids = _tree(self.root)
                for pid in pids - self.roles.keys():
                    self.roles[pid] = _role(pid, self.root)
            total = 0
            for pid in pids:
                total += _status_kib(pid, "VmRSS")
                self.peaks_kib[pid] = max(self.peaks_kib.get(pid, 0), _status_kib(pid, "VmHWM"))
            self.peak_sum_kib = max(self.peak_sum_kib, total)
            self.root_cpu = max(self.root_cpu, _cpu_seconds(self.root))
            self.stopped.wait(self.interval)


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of one process so far (fields 14 and 15 of /proc/PID/stat)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _mb(kib: int) -> str:
    return f"{kib / 1024:.0f} MB"


def _role(pid: int, root: int) -> str:
    if pid == root:
        return "command"
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            line = handle.read()
    except OSError:
        return "process"
    return "resource tracker" if b"resource_tracker" in line else "worker" if b"spawn_main" in line else "process"


def _command(roster: Path, out: Path, where: list[str]) -> list[str]:
    return [sys.executable, "-m", "api.commands", "roster", str(roster), "--out", str(out), *where, "--quiet"]


def _size(path: Path) -> int:
    return sum(part.stat().st_size for part in path.iterdir()) if path.is_dir() else path.stat().st_size


def screen_once(command: list[str], out: Path) -> dict:
    """Run the command once, timed and sampled; the CPU is that of the command and every process it started."""
    environment = {**os.environ, "GLIBC_TUNABLES": MALLOC_TUNABLES}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load = os.getloadavg()[0]
    started = time.perf_counter()
    child = subprocess.Popen(command, env=environment, cwd=HERE.parent)
    sampler = TreeMemory(child.pid)
    sampler.start()
    status = child.wait()
    elapsed = time.perf_counter() - started
    sampler.stopped.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    sizes = {path.name: _size(path) for path in sorted(out.glob("*"))} if out.exists() else {}
    peaks = [(sampler.roles.get(pid, "process"), kib) for pid, kib in sorted(sampler.peaks_kib.items()) if kib]
    return {
        "status": status,
        "elapsed": elapsed,
        "cpu": cpu,
        "load": (load, os.getloadavg()[0]),
        "sizes": sizes,
        "peaks": peaks,
        "peak_sum_kib": sampler.peak_sum_kib,
        "command_cpu": sampler.root_cpu,
        "maxrss_kib": after.ru_maxrss,
    }


def _print_run(label: str, rows: int, run: dict) -> None:
    print(
        f"{label}: exit {run['status']}, {run['elapsed']:.2f} s wall -> {rows / run['elapsed']:,.0f} rows/s; "
        f"CPU {run['cpu']:.1f} s = {run['cpu'] / rows * 1e6:.0f} us a row "
        f"(of which the command itself {run['command_cpu'] / rows * 1e6:.0f} us); "
        f"load average {run['load'][0]:.2f} before, {run['load'][1]:.2f} after"
    )


def _verdict(value: float, target: str, met: bool) -> str:
    return f"{value:.2f} (target {target}: {'met' if met else 'MISSED'})"


def bench_dask(rows: int, seed: int) -> int:
    modes = [("1 process", ["--workers", "1"]), ("local:1", ["--dask", "local:1"]), ("local:2", ["--dask", "local:2"])]
    with tempfile.TemporaryDirectory(prefix="bench-roster-") as folder:
        roster = Path(folder) / "roster.csv"
        with open(roster, "w", encoding="utf-8", newline="") as handle:
            write_roster(handle, rows, seed=seed, invalid_rate=0.002)
        print(f"roster: {rows:,} rows (0.2% with an entry error), cores: {os.cpu_count()}")
        runs = {}
        for label, where in modes:
            out = Path(folder) / label.replace(" ", "-").replace(":", "-")
            runs[label] = screen_once(_command(roster, out, [*where, "--screened-at", "2026-12-01T08:00:00Z"]), out)
            runs[label]["results"] = (out / "results.csv").read_bytes() if out.exists() else b""
            _print_run(label, rows, runs[label])
    same = len({run["results"] for run in runs.values()}) == 1
    print(f"results.csv identical in the three runs: {'yes' if same else 'NO'}")
    speed = {label: rows / run["elapsed"] for label, run in runs.items()}
    scaling = speed["local:2"] / speed["local:1"]
    overhead = speed["1 process"] / speed["local:1"] - 1
    print("measured, wall time (includes starting the cluster; moves with the machine's load):")
    print("  local:2 / local:1 speed: " + _verdict(scaling, ">= 1.7", scaling >= 1.7))
    print("  Dask overhead, local:1 against one process: " + _verdict(overhead, "< 0.15", overhead < 0.15))
    # What the CPU per row allows on free cores: each worker process runs on one core, the
    # command on what is left; busy cores slow the wall clock far more than the CPU a row.
    cores = os.cpu_count() or 1
    free = {}
    for label, workers in (("1 process", 1), ("local:1", 1), ("local:2", 2)):
        run = runs[label]
        total = run["cpu"] / rows
        worker = total if label == "1 process" else (run["cpu"] - run["command_cpu"]) / rows
        free[label] = min(min(workers, cores) / worker, cores / total)
    scaling, overhead = free["local:2"] / free["local:1"], free["1 process"] / free["local:1"] - 1
    cpu_overhead = runs["local:1"]["cpu"] / runs["1 process"]["cpu"] - 1
    print(f"projected from CPU per row onto {cores} free cores:")
    print("  local:2 / local:1 speed: " + _verdict(scaling, ">= 1.7", scaling >= 1.7))
    print("  Dask overhead, local:1 against one process: " + _verdict(overhead, "< 0.15", overhead < 0.15))
    print(f"  CPU a row, local:1 against one process: {cpu_overhead:+.0%} (the work Dask adds, wherever it runs)")
    return 0 if same and all(run["status"] in (0, 1) for run in runs.values()) else 1


def bench_dask_big(rows: int, seed: int) -> int:
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    with tempfile.TemporaryDirectory(prefix="bench-roster-") as folder:
        roster, out = Path(folder) / "roster.csv", Path(folder) / "out"
        with open(roster, "w", encoding="utf-8", newline="") as handle:
            write_roster(handle, rows, seed=seed, invalid_rate=0.002)
        print(f"roster: {rows:,} rows (0.2% with an entry error), cores: {os.cpu_count()}")
        run = screen_once(_command(roster, out, ["--dask", "local:2"]), out)
        _print_run("local:2", rows, run)
        parts = sorted((out / "results.parquet").iterdir())
        jsonl = (
            sum(
                pc.sum(pc.binary_length(pq.read_table(part, columns=["result"]).column("result"))).as_py() or 0
                for part in parts
            )
            + pq.ParquetDataset(out / "results.parquet").read(columns=["row"]).num_rows
        )
    print("outputs: " + ", ".join(f"{name} {size / 1e6:.1f} MB" for name, size in run["sizes"].items()))
    share = run["sizes"]["results.parquet"] / jsonl
    print(
        f"results.jsonl would be {jsonl / 1e6:,.1f} MB; results.parquet ({len(parts)} parts) is "
        + _verdict(share, "< 0.25", share < 0.25)
    )
    peaks = run["peaks"]
    print("peak RSS per process (VmHWM): " + ", ".join(f"{role} {_mb(kib)}" for role, kib in peaks))
    largest = max(kib for _, kib in peaks) / 1024
    print("largest process, MB: " + _verdict(largest, "< 500", largest < 500))
    print(f"peak RSS, whole process tree (sum of VmRSS sampled every 100 ms): {_mb(run['peak_sum_kib'])}")
    return 0 if run["status"] in (0, 1) else run["status"]


PIPELINE_TARGET = 0.8  # the command's rows/s on one process / the in-process pipeline's (issue 26)


def in_process_rate(roster: Path) -> float:
    """Rows per second of the pipeline alone on `roster`: read once, then every row screened in this process."""
    import csv

    from screening import default_screener
    from screening.roster.chunk import Chunk
    from screening.roster.rows import screen_rows

    with open(roster, encoding="utf-8", newline="") as handle:
        rows = list(enumerate(csv.DictReader(handle), start=1))
    chunk, screener = Chunk.of_csv(rows), default_screener()
    began = time.perf_counter()
    count = sum(1 for _ in screen_rows(screener, chunk))
    return count / (time.perf_counter() - began)


def bench_pipeline(rows: int, seed: int, rounds: int) -> int:
    import statistics

    with tempfile.TemporaryDirectory(prefix="bench-roster-") as folder:
        roster = Path(folder) / "roster.csv"
        with open(roster, "w", encoding="utf-8", newline="") as handle:
            write_roster(handle, rows, seed=seed, invalid_rate=0.002)
        print(f"roster: {rows:,} rows (0.2% with an entry error), {rounds} alternating rounds")
        command, pipeline = [], []
        for number in range(1, rounds + 1):
            out = Path(folder) / f"out-{number}"
            run = screen_once(_command(roster, out, ["--workers", "1", "--screened-at", "2026-12-01T08:00:00Z"]), out)
            if run["status"] not in (0, 1):
                print(f"the command exited {run['status']}")
                return 1
            command.append(rows / run["elapsed"])
            pipeline.append(in_process_rate(roster))
            print(
                f"round {number}: command {command[-1]:,.0f} rows/s   in process {pipeline[-1]:,.0f} rows/s   "
                f"ratio {command[-1] / pipeline[-1]:.2f}   (load {os.getloadavg()[0]:.1f})"
            )
    ratio = statistics.median(command) / statistics.median(pipeline)
    verdict = "PASS" if ratio >= PIPELINE_TARGET else "MISS"
    print(
        f"roster on one process {statistics.median(command):,.0f} rows/s / in-process pipeline "
        f"{statistics.median(pipeline):,.0f} rows/s = {ratio:.2f} (target >= {PIPELINE_TARGET}, "
        f"medians of {rounds}; load {os.getloadavg()[0]:.1f}) {verdict}"
    )
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--dask", action="store_true", help="1 process vs --dask local:1 vs local:2 (200,000 rows)")
    parser.add_argument("--dask-big", action="store_true", help="1,000,000 rows on --dask local:2: memory, sizes")
    parser.add_argument("--pipeline", action="store_true", help="the command on one process vs in process (20,000)")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds of --pipeline (default 5)")
    args = parser.parse_args(argv)
    if args.pipeline:
        given = "--rows" in (argv if argv is not None else sys.argv)
        return bench_pipeline(args.rows if given else 20_000, args.seed, args.rounds)
    if args.dask or args.dask_big:
        given = "--rows" in (argv if argv is not None else sys.argv)
        if args.dask:
            return bench_dask(args.rows if given else 200_000, args.seed)
        return bench_dask_big(args.rows if given else 1_000_000, args.seed)

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
        run = screen_once(command, out)

    print(
        f"roster: {args.rows:,} rows ({roster.name}, 0.2% with an entry error), workers: {args.workers}, "
        f"cores: {os.cpu_count()}, load average before: {run['load'][0]:.2f}"
    )
    status, elapsed, cpu = run["status"], run["elapsed"], run["cpu"]
    print(f"exit status: {status} (1 = some rows invalid, as generated; 2 = unusable input)")
    print("outputs: " + ", ".join(f"{name} {size / 1e6:.1f} MB" for name, size in run["sizes"].items()))
    print(f"time: {elapsed:.2f} s wall -> {args.rows / elapsed:,.0f} rows/s")
    print(
        f"CPU of the command and its workers: {cpu:.1f} s = {cpu / args.rows * 1e6:.0f} us a row "
        f"(-> at most {args.rows / cpu * min(args.workers, os.cpu_count() or 1):,.0f} rows/s "
        "if other programs leave the cores free)"
    )
    print(f"peak RSS, largest single process (RUSAGE_CHILDREN ru_maxrss): {_mb(run['maxrss_kib'])}")
    print("peak RSS per process (VmHWM, command first): " + ", ".join(_mb(kib) for _, kib in run["peaks"]))
    print(f"peak RSS, whole process tree (sum of VmRSS sampled every 100 ms): {_mb(run['peak_sum_kib'])}")
    print(f"load average after: {run['load'][1]:.2f} (other programs running at the same time slow the run)")
    return 0 if status in (0, 1) else status


if __name__ == "__main__":
    sys.exit(main())
