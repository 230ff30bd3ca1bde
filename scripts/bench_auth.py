#!/usr/bin/env python3
"""Measure what access control costs: POST /v1/screenings with a key against AUTH=off, and a key's check.

1. Starts the real service (`soleus-screen serve`, 2 workers x 8 threads)
   twice, each storing in a fresh SQLite file: with SOLEUS_AUTH=off, and with
   access control on and every request carrying an API key. Both store the
   screening and its audit entry (the trail is written with AUTH off too), so
   the difference is the credential's check. Drives each in turn with the same
   keep-alive client threads for the same time, alternating for several rounds
   (scripts/bench_store.py's driver: only rounds in which the two workers shared
   the load evenly count), and prints requests/s, server CPU a request, and the
   ratio key / off (target: at least 0.95, 0 errors) with the load average.
2. In process, one thread, alternating: the CPU a stored POST /v1/screenings
   costs through the Flask app (no HTTP server) with a key and with AUTH=off,
   over --posts each per round, and the ratio off / key (the throughput ratio
   it stands for; target at least 0.95). Less swayed by other work on the
   machine than part 1, which shares its cores with the clients.
3. In process: the CPU one key check costs (the Authorization header read, the
   token hashed, the per-process cache looked up: api/access/guard.authenticate),
   over --checks calls of a cached key, by time.process_time (target: < 30 us).

    .venv/bin/python scripts/bench_auth.py [--rounds 3] [--seconds 5] [--clients 16] [--posts 300]
        [--checks 200000] [--skip-post]
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench_store import balanced, drive, load  # noqa: E402  (the keep-alive driver and its CPU figures)

from tests.support import launch  # noqa: E402  (tests/support/launch.py, after the path set-up, so the script runs from a checkout)

TARGET_RATIO, TARGET_CHECK_US = 0.95, 30.0


def new_key(url: str) -> str:
    from api.access import key_ring
    from screening.history.store import Store

    store = Store.open(url, upgrade=True)
    token = key_ring.create(store.engine, name="bench", team="club-a", scopes=["screen"])
    store.engine.dispose()
    return token


def post_key_vs_off(args) -> bool:
    folder = tempfile.TemporaryDirectory(prefix="soleus-bench-auth-")
    urls = {name: f"sqlite:///{folder.name}/{name}.sqlite3" for name in ("off", "key")}
    token = new_key(urls["key"])
    settings = {
        "off": {"SOLEUS_AUTH": "off", "SOLEUS_DATABASE_URL": urls["off"]},
        "key": {"SOLEUS_AUTH": "on", "SOLEUS_DATABASE_URL": urls["key"]},
    }
    headers = {"off": {}, "key": {"Authorization": f"Bearer {token}"}}
    runs: dict[str, list[dict]] = {"off": [], "key": []}
    servers = {name: launch.start(launch.serve_command(), env=env) for name, env in settings.items()}
    try:
        for name, server in servers.items():
            drive(server.port, args.clients, 1.0, headers[name])  # warm up
        for round_number in range(1, args.rounds + 1):
            for name in ("off", "key") if round_number % 2 else ("key", "off"):
                runs[name].append(balanced(servers[name], args, headers[name])[0])
            off, key = runs["off"][-1], runs["key"][-1]
            print(
                f"round {round_number}: off {off['rate']:5.0f} req/s {off['user'] + off['system']:.2f} ms CPU/req   "
                f"key {key['rate']:5.0f} req/s {key['user'] + key['system']:.2f} ms CPU/req   "
                f"key/off {key['rate'] / off['rate']:.2f}   ({load()})"
            )
    finally:
        for server in servers.values():
            server.stop()
        folder.cleanup()
    median = {name: {k: statistics.median(r[k] for r in runs[name]) for k in runs[name][0]} for name in runs}
    errors = sum(r["errors"] for name in runs for r in runs[name])
    for name in ("off", "key"):
        m = median[name]
        print(f"  {name:4s} {m['rate']:7.0f} req/s   server CPU {m['user'] + m['system']:.2f} ms/req")
    cpu = {name: median[name]["user"] + median[name]["system"] for name in median}
    print(f"  server CPU a request, key / off: {cpu['key'] / cpu['off']:.2f} (less swayed by the machine's load)")
    ratio = median["key"]["rate"] / median["off"]["rate"]
    ok = ratio >= TARGET_RATIO and errors == 0
    print(
        f"POST /v1/screenings with a key / AUTH=off: {ratio:.2f} (target >= {TARGET_RATIO}, 0 errors; errors {errors}; "
        f"median of {args.rounds} rounds of {args.seconds} s, {args.clients} clients; {load()}) "
        f"{'PASS' if ok else 'MISS'}"
    )
    return ok


def post_cpu_in_process(args) -> bool:
    from api import create_app
    from api.access import key_ring
    from api.operations.store_binding import database_of

    body = (ROOT / "examples" / "intake.json").read_bytes()
    folder = tempfile.TemporaryDirectory(prefix="soleus-bench-auth-")
    clients = {}
    for name, auth in (("off", "off"), ("key", "on")):
        app = create_app({"AUTH": auth, "DATABASE_URL": f"sqlite:///{folder.name}/{name}-cpu.sqlite3"})
        headers = {"Content-Type": "application/json"}
        if auth == "on":
            token = key_ring.create(database_of(app).engine, name="bench", team="club-a", scopes=["screen"])
            headers["Authorization"] = f"Bearer {token}"
        clients[name] = (app.test_client(), headers)
    cpu: dict[str, list[float]] = {"off": [], "key": []}
    for round_number in range(args.rounds * 2):
        for name in ("off", "key") if round_number % 2 else ("key", "off"):
            client, headers = clients[name]
            started = time.process_time()
            for _ in range(args.posts):
                assert client.post("/v1/screenings", data=body, headers=headers).status_code == 200
            cpu[name].append((time.process_time() - started) / args.posts * 1e6)
    folder.cleanup()
    off, key = statistics.median(cpu["off"]), statistics.median(cpu["key"])
    ratio = off / key
    ok = ratio >= TARGET_RATIO
    print(
        f"a stored POST in process: off {off:.0f} us CPU, key {key:.0f} us CPU (median of {len(cpu['off'])} "
        f"alternating runs of {args.posts}); off / key {ratio:.2f} (target >= {TARGET_RATIO}; {load()}) "
        f"{'PASS' if ok else 'MISS'}"
    )
    return ok


def key_check_cpu(args) -> bool:
    from api import create_app
    from api.access import guard
    from api.operations.store_binding import database_of

    folder = tempfile.TemporaryDirectory(prefix="soleus-bench-auth-")
    app = create_app({"AUTH": "on", "DATABASE_URL": f"sqlite:///{folder.name}/check.sqlite3"})
    from api.access import key_ring

    token = key_ring.create(database_of(app).engine, name="bench", team="club-a", scopes=["screen"])
    settings = guard.Access(app, database_of(app))
    headers = {"Authorization": f"Bearer {token}"}
    with app.test_request_context("/v1/screenings", method="POST", headers=headers):
        guard.authenticate(settings)  # the first read fills the cache
        best = float("inf")
        for _ in range(3):
            started = time.process_time()
            for _ in range(args.checks):
                guard.authenticate(settings)
            best = min(best, (time.process_time() - started) / args.checks * 1e6)
            time.sleep(TARGET_CHECK_US / 1e6)
    folder.cleanup()
    ok = best < TARGET_CHECK_US
    print(
        f"a key's check: {best:.1f} us CPU (best of 3 x {args.checks:,} cached checks; the cache is read again "
        f"once a second per key; target < {TARGET_CHECK_US:.0f} us; {load()}) {'PASS' if ok else 'MISS'}"
    )
    return ok


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (default %(default)s)")
    parser.add_argument("--seconds", type=float, default=5, help="seconds per measurement (default %(default)s)")
    parser.add_argument("--clients", type=int, default=16, help="client threads (default %(default)s)")
    parser.add_argument("--balance", type=float, default=0.8, help="least/busiest worker CPU a round needs")
    parser.add_argument("--attempts", type=int, default=4, help="measurements per round at most (default 4)")
    parser.add_argument("--checks", type=int, default=200_000, help="key checks timed in process")
    parser.add_argument("--posts", type=int, default=300, help="POSTs per in-process run (default %(default)s)")
    parser.add_argument("--skip-post", action="store_true", help="only the in-process figures")
    args = parser.parse_args(argv)
    ok = key_check_cpu(args)
    ok = post_cpu_in_process(args) and ok
    if not args.skip_post:
        ok = post_key_vs_off(args) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
