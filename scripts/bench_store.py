#!/usr/bin/env python3
"""Measure what the runner history costs: POST /v1/screenings with storage on vs off, and a trend read.

1. Starts the real service (`soleus-screen serve`, 2 workers x 8 threads)
   twice, with SOLEUS_STORE=off and with the store on a fresh SQLite file, and
   drives each in turn with the same number of keep-alive client threads for
   the same time, alternating for several rounds (this machine is shared:
   alternating spreads its noise over both). Prints requests/s per round,
   the median, errors, and the ratio on/off (target: at least 0.8, 0 errors).
   The clients are Python threads on the same cores as the server, so the
   absolute figures are lower than a separate load generator would show;
   the ratio is what this compares.
2. Fills a store with --rows screenings (default 1,000,000) by bulk insert:
   --runners runners (default 10,000) with equally many screenings each, one
   a week; the measured runner's rows carry a real result, the others a short
   stand-in text (the trend reads only summary columns, and 1,000,000 real
   results would be ~5 GB). Then reads that runner's trend (the latest 100
   screenings) --reads times through the store and through the API (in
   process), and prints the median and p95 (target: median < 10 ms).

    .venv/bin/python scripts/bench_store.py [--rounds 3] [--seconds 5] [--clients 16] [--rows 1000000]
        [--database-url postgresql+psycopg://postgres@127.0.0.1/DB]   (part 2 on that database; it is emptied)
"""

import argparse
import http.client
import json
import statistics
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "scripts"))

import launch  # noqa: E402  (tests/launch.py, after the path set-up, so the script runs from a checkout)
from bench_http import cpu_by_process  # noqa: E402  (scripts/bench_http.py: a gunicorn's CPU seconds, from /proc)

EXAMPLE = (ROOT / "examples" / "intake.json").read_bytes()


def drive(port: int, clients: int, seconds: float) -> tuple[int, int, float]:
    """Keep-alive POSTs from `clients` threads for `seconds`: (answered 200, errors, elapsed)."""
    counts = [[0, 0] for _ in range(clients)]
    stop = time.monotonic() + seconds

    def client(n: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            while time.monotonic() < stop:
                connection.request("POST", "/v1/screenings", body=EXAMPLE, headers={"Content-Type": "application/json"})
                response = connection.getresponse()
                response.read()
                counts[n][0 if response.status == 200 else 1] += 1
        except (OSError, http.client.HTTPException):
            counts[n][1] += 1
        finally:
            connection.close()

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(c[0] for c in counts), sum(c[1] for c in counts), time.monotonic() - started


def post_on_vs_off(args) -> None:
    folder = tempfile.TemporaryDirectory(prefix="soleus-bench-store-")
    url = f"sqlite:///{folder.name}/bench.sqlite3"
    settings = {"off": {"SOLEUS_STORE": "off"}, "on": {"SOLEUS_STORE": "on", "SOLEUS_DATABASE_URL": url}}
    rates: dict[str, list[float]] = {"off": [], "on": []}
    cpu: dict[str, list[float]] = {"off": [], "on": []}
    errors = {"off": 0, "on": 0}
    servers = {name: launch.start(launch.serve_command(), env=env) for name, env in settings.items()}
    try:
        for server in servers.values():
            drive(server.port, args.clients, 1.0)  # warm up
        for round_number in range(1, args.rounds + 1):
            for name in ("off", "on") if round_number % 2 else ("on", "off"):
                pid = servers[name].process.pid
                before = sum(cpu_by_process(pid).values())
                answered, failed, elapsed = drive(servers[name].port, args.clients, args.seconds)
                cpu[name].append((sum(cpu_by_process(pid).values()) - before) / max(answered, 1) * 1000)
                rates[name].append(answered / elapsed)
                errors[name] += failed
            print(f"round {round_number}: off {rates['off'][-1]:7.0f} req/s   on {rates['on'][-1]:7.0f} req/s")
    finally:
        for server in servers.values():
            server.stop()
    off, on = statistics.median(rates["off"]), statistics.median(rates["on"])
    print(f"POST /v1/screenings, median of {args.rounds} rounds of {args.seconds} s, {args.clients} clients:")
    cpu_off, cpu_on = statistics.median(cpu["off"]), statistics.median(cpu["on"])
    print(f"  store off      {off:7.0f} req/s   server CPU {cpu_off:.2f} ms/req   errors {errors['off']}")
    print(f"  store on       {on:7.0f} req/s   server CPU {cpu_on:.2f} ms/req   errors {errors['on']}   (SQLite WAL)")
    print(f"  on / off       {on / off:7.2f}        (target >= 0.80, 0 errors)")
    folder.cleanup()


def fill(store, rows: int, runners: int) -> tuple[str, str]:
    """Bulk-insert `rows` screenings; the (team, runner) whose trend is then read."""
    from history_rows import screening_row

    per_runner = rows // runners
    start = datetime(2000, 1, 3, 9, 0, 0)
    real = screening_row(json.loads(EXAMPLE), team="bench").row()
    filler = {**real, "intake": "{}", "result": '{"stand_in": true}'}
    chunk: list[dict] = []
    began = time.perf_counter()
    for runner in range(runners):
        template = real if runner == 0 else filler
        for week in range(per_runner):
            chunk.append(
                {
                    **template,
                    "screening_id": uuid.uuid4().hex,
                    "runner_id": f"runner-{runner:06d}",
                    "screened_at": start + timedelta(weeks=week, seconds=runner),
                    "soreness": (runner + week) % 11,
                }
            )
            if len(chunk) == 20_000:
                store.add_many(chunk)
                chunk = []
    if chunk:
        store.add_many(chunk)
    print(f"filled {store.count():,} screenings in {time.perf_counter() - began:.0f} s ({runners:,} runners)")
    return "bench", "runner-000000"


def timed(read, reads: int) -> list[float]:
    times = []
    for _ in range(reads):
        began = time.perf_counter()
        read()
        times.append((time.perf_counter() - began) * 1000)
    return times


def trend_read(args) -> None:
    from sqlalchemy import text

    from api import create_app
    from screening.history import Store

    folder = tempfile.TemporaryDirectory(prefix="soleus-bench-trend-")
    url = args.database_url or f"sqlite:///{folder.name}/trend.sqlite3"
    store = Store.open(url, upgrade=True)
    with store.engine.begin() as connection:
        connection.execute(text("DELETE FROM screenings"))
    team, runner = fill(store, args.rows, args.runners)
    client = create_app({"DATABASE_URL": url}).test_client()
    path = f"/v1/runners/{runner}/trend?team={team}"
    assert len(client.get(path).get_json()["points"]) == min(100, args.rows // args.runners)
    for label, read in (
        ("store.trend (latest 100)", lambda: store.trend(team, runner, limit=100)),
        ("GET /v1/runners/{id}/trend", lambda: client.get(path)),
    ):
        times = sorted(timed(read, args.reads))
        p95 = times[int(len(times) * 0.95) - 1]
        print(f"  {label:30s} median {statistics.median(times):6.2f} ms   p95 {p95:6.2f} ms   ({args.reads} reads)")
    print(f"  on {store.engine.dialect.name}, {store.count():,} screenings (target: median < 10 ms)")
    if not args.database_url:
        store.engine.dispose()
        folder.cleanup()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (default %(default)s)")
    parser.add_argument("--seconds", type=float, default=5, help="seconds per measurement (default %(default)s)")
    parser.add_argument("--clients", type=int, default=16, help="client threads (default %(default)s)")
    parser.add_argument("--rows", type=int, default=1_000_000, help="screenings in the trend store")
    parser.add_argument("--runners", type=int, default=10_000, help="runners they belong to")
    parser.add_argument("--reads", type=int, default=200, help="trend reads to time (default %(default)s)")
    parser.add_argument("--database-url", help="the trend store's database (default: a temporary SQLite file)")
    parser.add_argument("--skip-post", action="store_true", help="only the trend read")
    args = parser.parse_args(argv)
    if not args.skip_post:
        post_on_vs_off(args)
    trend_read(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
