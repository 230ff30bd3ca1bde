#!/usr/bin/env python3
"""Time and memory of refusing huge intake bodies on the real server (gunicorn on loopback).

    .venv/bin/python scripts/bench_huge_body.py [--items 7000000]

Posts a weekly_distance of ITEMS numbers (7 million is a 14 MB body) as one
intake (POST /v1/screenings: refused unparsed, 413) and as a batch row (POST
/v1/screenings/batch: the row refused before marshmallow reads it, the other
row screened), and prints each answer's time and the worker's RSS before,
right after, and once it settles. Targets: each answer within 2 s, and the
worker back within 64 MB of where it started (before the fix: 20.8 s and
~530 MB kept).
"""

import argparse
import http.client
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import launch  # noqa: E402  (tests/launch.py)

EXAMPLE = json.loads((ROOT / "examples" / "intake.json").read_text())
TARGET_SECONDS, TARGET_KEPT_MB = 2.0, 64


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
    return 0.0


def worker_pid(server_pid: int) -> int:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        children = Path(f"/proc/{server_pid}/task/{server_pid}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise RuntimeError("gunicorn started no worker")


def post(port: int, path: str, body: bytes) -> tuple[int, float]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    started = time.perf_counter()
    try:
        connection.request("POST", path, body=body, headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        response.read()
        return response.status, time.perf_counter() - started
    finally:
        connection.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=7_000_000, help="weekly_distance items (default 7,000,000)")
    parser.add_argument("--value", type=float, default=None, help="each item's value (default the integer 1)")
    args = parser.parse_args()
    huge = json.loads(json.dumps(EXAMPLE))
    huge["training"]["weekly_distance"] = [1 if args.value is None else args.value] * args.items
    single = json.dumps(huge, separators=(",", ":")).encode()
    batch = json.dumps([huge, EXAMPLE], separators=(",", ":")).encode()
    del huge
    ok = True
    with launch.start(launch.serve_command("--workers", "1", "--threads", "2")) as server:
        worker = worker_pid(server.process.pid)
        post(server.port, "/v1/screenings", json.dumps(EXAMPLE).encode())  # warm up
        start_mb = rss_mb(worker)
        print(f"worker RSS at start: {start_mb:.0f} MB; weekly_distance of {args.items:,} items")
        for path, body in (("/v1/screenings", single), ("/v1/screenings/batch", batch)):
            status, seconds = post(server.port, path, body)
            after = rss_mb(worker)
            time.sleep(2)
            settled = rss_mb(worker)
            passed = seconds <= TARGET_SECONDS and settled - start_mb <= TARGET_KEPT_MB
            ok &= passed
            print(
                f"{path}: {len(body) / 1e6:.1f} MB body -> {status} in {seconds:.2f} s; worker RSS {after:.0f} MB "
                f"right after, {settled:.0f} MB 2 s later  {'PASS' if passed else 'FAIL'}"
            )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
