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

Then the FHIR and CDS Hooks faces (`--fhir-mb`, default 16.4): a
QuestionnaireResponse whose weekly_distance item has answers enough for a
body of that size, to POST /fhir/QuestionnaireResponse/$screen and inside a
CDS Hooks call's prefetch (the server runs with SOLEUS_CDS_AUTH=off). Targets:
refused (413 or 422) within 0.1 s, the worker within 16 MB of where it
started (measured on main before the fix: 16.5 MB took 30 s and 730 MB).
"""

import argparse
import http.client
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support import launch  # noqa: E402  (tests/support/launch.py)

EXAMPLE = json.loads((ROOT / "examples" / "intake.json").read_text())
QUESTIONNAIRE_RESPONSE = json.loads((ROOT / "examples" / "questionnaire-response.json").read_text())
HOOK_REQUEST = json.loads((ROOT / "examples" / "cds-hook-request.json").read_text())
TARGET_SECONDS, TARGET_KEPT_MB = 2.0, 64
FHIR_TARGET_SECONDS, FHIR_TARGET_KEPT_MB = 0.1, 16


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


def post(port: int, path: str, body: bytes, content_type: str = "application/json") -> tuple[int, float]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    started = time.perf_counter()
    try:
        try:
            connection.request("POST", path, body=body, headers={"Content-Type": content_type})
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered before the whole body was sent, and closed: its answer is still there
        response = connection.getresponse()
        response.read()
        return response.status, time.perf_counter() - started
    finally:
        connection.close()


def huge_response(megabytes: float) -> dict:
    """The example QuestionnaireResponse with a weekly_distance item of answers enough for `megabytes`."""
    response = json.loads(json.dumps(QUESTIONNAIRE_RESPONSE))
    answer = {"valueDecimal": 1}
    count = int(megabytes * 1e6 / (len(json.dumps(answer, separators=(",", ":"))) + 1))
    for group in response["item"]:
        for item in group.get("item", []):
            if item["linkId"] == "training.weekly_distance":
                item["answer"] = [answer] * count
    return response


def huge_hook_request(response: dict) -> dict:
    request = json.loads(json.dumps(HOOK_REQUEST))
    request["prefetch"]["intake"] = {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": response}]}
    return request


def measure(server, worker: int, start_mb: float, path: str, body: bytes, content_type: str, targets) -> bool:
    seconds_target, kept_target = targets
    status, seconds = post(server.port, path, body, content_type)
    after = rss_mb(worker)
    time.sleep(2)
    settled = rss_mb(worker)
    passed = status in (413, 422) and seconds <= seconds_target and settled - start_mb <= kept_target
    print(
        f"{path}: {len(body) / 1e6:.1f} MB body -> {status} in {seconds:.3f} s; worker RSS {after:.0f} MB "
        f"right after, {settled:.0f} MB 2 s later (started at {start_mb:.0f} MB)  {'PASS' if passed else 'MISS'}"
    )
    return passed


def bench_interop(megabytes: float) -> bool:
    """The FHIR $screen and CDS Hooks faces against a response of `megabytes`."""
    response = huge_response(megabytes)
    fhir_body = json.dumps(response, separators=(",", ":")).encode()
    cds_body = json.dumps(huge_hook_request(response), separators=(",", ":")).encode()
    del response
    ok = True
    with launch.start(launch.serve_command("--workers", "1", "--threads", "2"), env=INTEROP_ENV) as server:
        worker = worker_pid(server.process.pid)
        small = json.dumps(QUESTIONNAIRE_RESPONSE).encode()
        post(server.port, "/fhir/QuestionnaireResponse/$screen", small, "application/fhir+json")  # warm up
        post(server.port, "/cds-services/soleus-screen", json.dumps(HOOK_REQUEST).encode())
        start_mb = rss_mb(worker)
        targets = (FHIR_TARGET_SECONDS, FHIR_TARGET_KEPT_MB)
        for path, body, kind in (
            ("/fhir/QuestionnaireResponse/$screen", fhir_body, "application/fhir+json"),
            ("/cds-services/soleus-screen", cds_body, "application/json"),
        ):
            ok &= measure(server, worker, start_mb, path, body, kind, targets)
    return ok


INTEROP_ENV = {"SOLEUS_CDS_AUTH": "off", "SOLEUS_STORE": "off"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=7_000_000, help="weekly_distance items (default 7,000,000)")
    parser.add_argument("--value", type=float, default=None, help="each item's value (default the integer 1)")
    parser.add_argument(
        "--fhir-mb", type=float, default=16.4, help="the FHIR and CDS bodies' MB (default 16.4, under the 16.8 limit)"
    )
    parser.add_argument("--only-interop", action="store_true", help="measure only the FHIR and CDS Hooks faces")
    args = parser.parse_args()
    if args.only_interop:
        return 0 if bench_interop(args.fhir_mb) else 1
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
    ok &= bench_interop(args.fhir_mb)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
