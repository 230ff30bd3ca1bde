#!/usr/bin/env python3
"""The store's faults against the real server (gunicorn on loopback): what /ready and the API say.

    .venv/bin/python scripts/bench_faults.py full-disk [--seconds 10]
    .venv/bin/python scripts/bench_faults.py lock [--seconds 40]
    .venv/bin/python scripts/bench_faults.py erasure

full-disk: the SQLite store on an 8 MB tmpfs (needs root to mount), filled
up; 4 clients POST screenings and one asks /ready every 0.25 s for SECONDS.
Prints the POSTs by status, the /ready answers by status, and once the space
is freed, how long /ready takes to say ready again. Target: no "ready" while
the disk is full, and ready again within 3 s.

lock: another process holds SQLite's write lock (`BEGIN IMMEDIATE` in a
sqlite3 shell's place) for SECONDS; meanwhile 2 clients POST, 2 read a
stored screening back and one asks /ready. Prints each kind's answers and
slowest time. Targets: every read and /ready answered within 1 s.

erasure: a SQLite store with 50 screenings of one runner and 50 of
another; a reader opens a read transaction (a report, a backup), the runner
is erased, and the reader ends 2 s later. Prints how many bytes of the
runner's stored intakes and results are in the database's files (main and
WAL) right after the erasure and 3 s after the reader ended. Target: none
left once the reader is done (the answer says "pending" until then).

Figures are noisy: the machine's 2 cores are shared.
"""

import argparse
import http.client
import json
import os
import sqlite3
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support import launch  # noqa: E402  (tests/support/launch.py)
from tests.support.disks import fill, small_disk  # noqa: E402  (tests/support/disks.py)

EXAMPLE = json.loads((ROOT / "examples" / "intake.json").read_text())


def request(port: int, method: str, path: str, body: dict | None = None) -> tuple[int, float, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    started = time.perf_counter()
    payload = None if body is None else json.dumps(body)
    connection.request(method, path, body=payload, headers={"Content-Type": "application/json"})
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, time.perf_counter() - started, data


def intake(runner: str) -> dict:
    return dict(EXAMPLE, runner={**EXAMPLE["runner"], "id": runner})


class Load:
    """Threads doing one kind of request until stopped; each answer's status and time kept by kind."""

    def __init__(self):
        self.stop = threading.Event()
        self.answers: dict[str, Counter] = {}
        self.slowest: dict[str, float] = {}
        self.threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def run(self, kind: str, call, pause: float = 0.0) -> None:
        def loop():
            while not self.stop.is_set():
                status, took, _ = call()
                with self._lock:
                    self.answers.setdefault(kind, Counter())[status] += 1
                    self.slowest[kind] = max(self.slowest.get(kind, 0.0), took)
                self.stop.wait(pause)

        thread = threading.Thread(target=loop, daemon=True)
        thread.start()
        self.threads.append(thread)

    def finish(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(150)

    def report(self) -> None:
        for kind, counts in sorted(self.answers.items()):
            statuses = ", ".join(f"{status}: {count}" for status, count in sorted(counts.items()))
            print(f"  {kind:<8} {statuses}  (slowest {self.slowest[kind]:.2f} s)")


def full_disk(seconds: float) -> bool:
    with tempfile.TemporaryDirectory(prefix="bench-faults-") as folder, small_disk(Path(folder) / "disk") as disk:
        env = {"SOLEUS_DATABASE_URL": f"sqlite:///{disk}/history.sqlite3"}
        with launch.start(launch.serve_command(), env=env) as server:
            assert request(server.port, "POST", "/v1/screenings", intake("disk-0"))[0] == 200
            filler = fill(disk)
            load = Load()
            for n in range(4):
                load.run("POST", lambda n=n: request(server.port, "POST", "/v1/screenings", intake(f"disk-{n}")))
            load.run("/ready", lambda: request(server.port, "GET", "/ready"), pause=0.25)
            time.sleep(seconds)
            load.finish()
            print(f"full disk, {seconds:.0f} s:")
            load.report()
            filler.unlink()
            freed = time.monotonic()
            while request(server.port, "GET", "/ready")[0] != 200 and time.monotonic() - freed < 30:
                time.sleep(0.1)
            again = time.monotonic() - freed
            print(f"  ready again {again:.2f} s after the space was freed")
    ready_while_full = load.answers.get("/ready", Counter())[200]
    passed = ready_while_full == 0 and again <= 3.0
    print(f"{'PASS' if passed else 'MISS'}: {ready_while_full} 'ready' answers while the disk was full")
    return passed


def lock(seconds: float) -> bool:
    with tempfile.TemporaryDirectory(prefix="bench-faults-") as folder:
        path = os.path.join(folder, "history.sqlite3")
        with launch.start(launch.serve_command(), env={"SOLEUS_DATABASE_URL": f"sqlite:///{path}"}) as server:
            status, _, body = request(server.port, "POST", "/v1/screenings", intake("lock-0"))
            assert status == 200, body
            stored = json.loads(body)["screening_id"]
            holder = sqlite3.connect(path, isolation_level=None)
            holder.execute("BEGIN IMMEDIATE")
            load = Load()
            try:
                for n in range(2):
                    load.run("POST", lambda n=n: request(server.port, "POST", "/v1/screenings", intake(f"lock-{n}")))
                    load.run("GET", lambda: request(server.port, "GET", f"/v1/screenings/{stored}"))
                load.run("/ready", lambda: request(server.port, "GET", "/ready"), pause=0.25)
                time.sleep(seconds)
            finally:
                holder.execute("ROLLBACK")
                holder.close()
                load.finish()
    print(f"another process holds the write lock for {seconds:.0f} s:")
    load.report()
    passed = max(load.slowest.get("GET", 99.0), load.slowest.get("/ready", 99.0)) <= 1.0
    print(f"{'PASS' if passed else 'MISS'}: reads and /ready answered within 1 s while the lock was held")
    return passed


def erasure() -> bool:
    from screening.history.store import Store
    from tests.support.history_rows import screening_row  # tests/support/history_rows.py

    runner = "erase-me-bench"
    with tempfile.TemporaryDirectory(prefix="bench-faults-") as folder:
        database = Path(folder) / "history.sqlite3"
        store = Store.open(f"sqlite:///{database}", upgrade=True)
        mine = [screening_row(intake(runner), team="club-e") for _ in range(50)]
        others = [screening_row(intake("kept-runner"), team="club-e") for _ in range(50)]
        store.add_many([row.row() for row in mine + others])
        markers = [row.screening_id.encode() for row in mine] + [b'{"id":"' + runner.encode() + b'"']

        def left() -> int:
            files = [database, database.with_name(database.name + "-wal")]
            data = [path.read_bytes() for path in files if path.exists()]
            return sum(len(marker) * chunk.count(marker) for chunk in data for marker in markers)

        before = left()
        reader = sqlite3.connect(database, isolation_level=None)
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM screenings").fetchone()
        started = time.monotonic()
        erased = store.erase("club-e", runner)
        took = time.monotonic() - started
        said = store.on_disk() if hasattr(store, "on_disk") else "(not said)"
        right_after = left()
        time.sleep(2)
        reader.execute("COMMIT")
        reader.close()
        time.sleep(3)
        later = left()
        store.engine.dispose()
    print(f"erasure of {erased} screenings with a reader open ({took:.2f} s, on_disk: {said}):")
    print(
        f"  the runner's bytes in the files: {before:,} before, {right_after:,} right after, "
        f"{later:,} once the reader is done"
    )
    passed = later == 0
    print(f"{'PASS' if passed else 'MISS'}: {later:,} bytes of the erased runner left on disk once the reader was done")
    return passed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("fault", choices=("full-disk", "lock", "erasure"))
    parser.add_argument("--seconds", type=float, default=None)
    args = parser.parse_args()
    if args.fault == "erasure":
        passed = erasure()
    elif args.fault == "full-disk":
        passed = full_disk(args.seconds or 10.0)
    else:
        passed = lock(args.seconds or 40.0)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
