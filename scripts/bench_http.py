#!/usr/bin/env python3
"""Measure what screening costs over HTTP, against Flask's own request handling.

Starts servers on 127.0.0.1 under the same gunicorn settings: the real
service (`soleus-screen serve`) and a bare Flask app whose one endpoint reads
the same JSON body and answers a stored result of the same size without
screening; with --breakdown also four variants of the real service, each
without one part of the work: the core stubbed out (validation and rules
replaced by the stored result), validation alone stubbed out, the intake fast
path switched off (marshmallow loads every intake), and the per-request log
line switched off. They split the difference between the API layer,
validation, the rules and result, and the request log. Then
drives each in turn with wrk (Debian's `wrk` package: `apt-get install wrk`),
same connections and duration, alternating for several rounds, and prints
requests/s, p50/p99 latency, errors, server CPU per request, and the ratio of
the screening endpoint's throughput to the bare one's (target: at least 0.7,
0 errors, on the last line with PASS or MISS). The service runs with the store
and access control off: this is the screening's own cost over HTTP, and
bench_store.py measures what the store adds. A round counts only when gunicorn's workers shared the load
evenly (the kernel gives each connection to whichever worker accepts first;
an uneven share alone moved the ratio between 0.42 and 0.60): uneven rounds
are measured again. Every server is stopped at the end, however the run ends.

    .venv/bin/python scripts/bench_http.py [--rounds 9] [--seconds 3] [--connections 16] [--breakdown]
"""

import argparse
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT))

from tests.support import launch  # noqa: E402  (tests/support/launch.py, after the path set-up, so the script runs from a checkout)

EXAMPLE = ROOT / "examples" / "intake.json"
BREAKDOWN = {  # --breakdown: the real service without one part of the work (see variant_app)
    "stub": "POST /v1/screenings, core stubbed",
    "novalidate": "POST /v1/screenings, validation stubbed",
    "marshmallow": "POST /v1/screenings, no fast path",
    "nolog": "POST /v1/screenings, no request log",
}
TARGET = 0.7  # issue #26: POST /v1/screenings (store off) at least 0.7x the bare Flask app's requests/s
GLIBC_TUNABLES = "glibc.malloc.mmap_threshold=8388608:glibc.malloc.trim_threshold=268435456"
WRK_SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = io.open(os.getenv("BENCH_BODY")):read("*a")
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, '
    .. '"errors": %d}\\n', summary.requests, summary.duration, latency:percentile(50),
    latency:percentile(99), e.connect + e.read + e.write + e.status + e.timeout))
end
"""


def bare_app():
    """A Flask app that reads the JSON body and answers a stored result: Flask's cost without screening."""
    from flask import Flask, current_app, request

    from api.plumbing.json_provider import OrjsonProvider
    from screening import default_screener

    stored = json.loads(json.dumps(default_screener().screen(json.loads(EXAMPLE.read_text()))))
    app = Flask("bare")
    app.json = OrjsonProvider(app)  # the service's own encoder: both sides encode with orjson

    @app.post("/bare")
    def bare():
        request.get_json()
        return current_app.json.response(stored)

    return app


def server_cpu(pid: int) -> dict[int, tuple[float, float]]:
    """User and system CPU seconds of a gunicorn master and of each of its workers, from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    seconds = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # a process that just ended
        if int(entry.name) == pid or int(fields[1]) == pid:
            seconds[int(entry.name)] = (int(fields[11]) / tick, int(fields[12]) / tick)
    return seconds


def cpu_by_process(pid: int) -> dict[int, float]:
    """CPU seconds (user + system) of a gunicorn master and of each of its workers, from /proc."""
    return {process: user + system for process, (user, system) in server_cpu(pid).items()}


def variant_app(variant: str):
    """The real service without one part of its work, to measure what that part costs.

    stub: validation and rules replaced by the stored intake and result (what is left is the API layer);
    novalidate: validation alone replaced by the stored intake; marshmallow: every intake loaded by
    marshmallow (the compiled fast path off); nolog: no per-request log line.
    """
    import logging

    from api import create_app
    from api.operations.screener_binding import KEY
    from api.plumbing.requestlog import configure_logging, logger

    configure_logging()
    app = create_app()
    core = app.extensions[KEY]
    intake = core.validate(json.loads(EXAMPLE.read_text()))
    stored = json.loads(json.dumps(core.screen_valid(intake)))

    class Stub:
        ruleset = core.ruleset

        def accept_json(self, body):
            return intake

        def validate(self, payload):
            return intake

        def screen_valid(self, intake):
            return stored if variant == "stub" else core.screen_valid(intake)

    if variant in ("stub", "novalidate"):
        app.extensions[KEY] = Stub()
    elif variant == "marshmallow":
        core._fast = None
    elif variant == "nolog":
        logger.setLevel(logging.WARNING)
    return app


def wrk(url: str, args, body_path: str, script_path: str, pid: int | None = None) -> dict:
    """One wrk measurement; with the server's pid also its CPU per request and how evenly its workers shared it.

    `balance` is the least busy worker's CPU over the busiest one's: the kernel
    hands each of wrk's connections to whichever worker accepts first, and a
    worker that got most of them answers fewer requests/s at more CPU each.
    """
    before = cpu_by_process(pid) if pid else {}
    command = [
        "wrk",
        "-t",
        str(args.wrk_threads),
        "-c",
        str(args.connections),
        "-d",
        f"{args.seconds}s",
        "--timeout",
        "10s",
        "-s",
        script_path,
        url,
    ]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=args.seconds + 60, env={**os.environ, "BENCH_BODY": body_path}
    )
    line = next((line for line in done.stdout.splitlines() if line.startswith("RESULT ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result:\n{done.stdout}\n{done.stderr}")
    result = json.loads(line[len("RESULT ") :])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    if pid:
        after = cpu_by_process(pid)
        used = {process: seconds - before.get(process, 0.0) for process, seconds in after.items()}
        result["cpu_us"] = sum(used.values()) / max(result["requests"], 1) * 1e6
        workers = [seconds for process, seconds in used.items() if process != pid]
        result["balance"] = min(workers) / max(workers) if len(workers) > 1 and max(workers) > 0 else 1.0
    return result


def balanced_round(url: str, args, body_path: str, script_path: str, pid: int) -> tuple[dict, int]:
    """A measurement in which the workers shared the load evenly, and how many uneven ones it took to get it."""
    uneven = 0
    while True:
        result = wrk(url, args, body_path, script_path, pid)
        if result["balance"] >= args.balance or uneven + 1 >= args.attempts:
            return result, uneven
        uneven += 1


def run(args) -> int:
    if shutil.which("wrk") is None:
        print("bench_http: needs wrk (Debian: apt-get install wrk)", file=sys.stderr)
        return 2
    settings = ["--workers", str(args.workers), "--threads", str(args.threads)]
    # The store off (no history, no audit trail: access control is off too): the target is the screening's
    # own cost over HTTP; bench_store.py measures what the store adds.
    env = {"GLIBC_TUNABLES": os.environ.get("GLIBC_TUNABLES", GLIBC_TUNABLES), "SOLEUS_STORE": "off"}
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    print(
        f"gunicorn {args.workers} workers x {args.threads} threads (gthread, preloaded); wrk {args.wrk_threads} "
        f"threads x {args.connections} connections; {args.rounds} rounds x {args.seconds} s each, alternating; "
        "the service with SOLEUS_STORE=off and SOLEUS_AUTH=off"
    )
    targets = [
        (
            "bare",
            "bare Flask endpoint, same JSON body",
            "/bare",
            [sys.executable, __file__, "--serve", "bare", *settings],
        )
    ]
    if args.breakdown:
        for variant, label in BREAKDOWN.items():
            targets.append(
                (variant, label, "/v1/screenings", [sys.executable, __file__, "--serve", variant, *settings])
            )
    targets.append(("screening", "POST /v1/screenings", "/v1/screenings", launch.serve_command(*settings)))
    rounds = {name: [] for name, *_ in targets}
    with tempfile.TemporaryDirectory() as scratch, contextlib.ExitStack() as servers:
        script_path = os.path.join(scratch, "post.lua")
        Path(script_path).write_text(WRK_SCRIPT)
        running = {name: servers.enter_context(launch.start(command, env=env)) for name, _, _, command in targets}
        for name, _, path, _ in targets:  # warm up: workers booted, caches filled
            wrk(running[name].url + path, argparse.Namespace(**{**vars(args), "seconds": 1}), str(EXAMPLE), script_path)
        rerun = 0
        for _ in range(args.rounds):
            for name, _, path, _ in targets:
                server = running[name]
                result, uneven = balanced_round(server.url + path, args, str(EXAMPLE), script_path, server.process.pid)
                rounds[name].append(result)
                rerun += uneven
    print(f"{'endpoint':40} {'requests/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'server CPU us/req':>18}")
    summary = {}
    for name, label, _, _ in targets:
        runs = rounds[name]
        summary[name] = {
            "rps": statistics.median(r["rps"] for r in runs),
            "p50": statistics.median(r["p50_us"] for r in runs) / 1000,
            "p99": statistics.median(r["p99_us"] for r in runs) / 1000,
            "errors": sum(r["errors"] for r in runs),
            "cpu_us": statistics.median(r["cpu_us"] for r in runs),
        }
        row = summary[name]
        print(
            f"{label:40} {row['rps']:10.0f} {row['p50']:8.2f} {row['p99']:8.2f} {row['errors']:7d} "
            f"{row['cpu_us']:18.0f}"
        )
    ratio = summary["screening"]["rps"] / summary["bare"]["rps"]
    errors = sum(entry["errors"] for entry in summary.values())
    print(f"errors: {errors} (target 0); medians of {args.rounds} rounds")
    still_uneven = sum(r["balance"] < args.balance for runs in rounds.values() for r in runs)
    print(
        f"rounds count only when the least busy worker used >= {args.balance:.0%} of the busiest one's CPU: "
        f"{rerun} uneven rounds measured again, {still_uneven} kept uneven after {args.attempts} attempts"
    )
    # Server CPU per request does not depend on what else the machine runs: the steadier figure when busy.
    cpu_ratio = summary["bare"]["cpu_us"] / summary["screening"]["cpu_us"]
    print(f"ratio by server CPU per request (bare/screening): {cpu_ratio:.2f}")
    if args.breakdown:
        cpu = {name: entry["cpu_us"] for name, entry in summary.items()}
        print(
            f"server CPU per screening request: {cpu['bare']:.0f} us gunicorn + Flask (bare), "
            f"{cpu['stub'] - cpu['bare']:.0f} us API layer, {cpu['screening'] - cpu['stub']:.0f} us validation + "
            f"rules + result, of which {cpu['screening'] - cpu['novalidate']:.0f} us validation; "
            f"{cpu['screening'] - cpu['nolog']:.0f} us the request log line; the fast path saves "
            f"{cpu['marshmallow'] - cpu['screening']:.0f} us"
        )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    passed = ratio >= TARGET and errors == 0
    print(
        f"ratio screening/bare requests/s: {ratio:.2f} (target >= {TARGET}, 0 errors): {'PASS' if passed else 'MISS'}"
    )
    return 0 if passed else 1


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default %(default)s)")
    parser.add_argument("--threads", type=int, default=8, help="threads per worker (default %(default)s)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (default %(default)s)")
    parser.add_argument("--wrk-threads", type=int, default=2, help="wrk threads (default %(default)s)")
    parser.add_argument("--seconds", type=int, default=3, help="seconds per measurement (default %(default)s)")
    parser.add_argument("--rounds", type=int, default=9, help="alternating rounds (default %(default)s)")
    parser.add_argument(
        "--balance",
        type=float,
        default=0.9,
        help="least/most busy worker CPU a round needs to count (default %(default)s)",
    )
    parser.add_argument(
        "--attempts",
        type=int,
        default=3,
        help="measurements per round at most, while the workers' load is uneven (default %(default)s)",
    )
    parser.add_argument(
        "--breakdown",
        action="store_true",
        help="also measure the service with the core stubbed, with validation stubbed, without the "
        "intake fast path and with no request log, to split the cost",
    )
    parser.add_argument("--serve", choices=("bare", *BREAKDOWN), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        from api.server import serve

        app = bare_app() if args.serve == "bare" else variant_app(args.serve)
        serve(app, host="127.0.0.1", port=0, workers=args.workers, threads=args.threads)
        return 0
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
