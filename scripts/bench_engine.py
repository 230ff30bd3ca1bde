#!/usr/bin/env python3
"""Time the screening core on one thread and check it against its speed and memory targets.

    python scripts/bench_engine.py                  # 100,000 screenings per part
    python scripts/bench_engine.py --count 20000    # quicker, same targets

Two parts, over the same mix of 1,000 synthetic runners (make_roster.py's
realistic spread: load spikes, uneven or missing heel raises, miles, a few red
flags), cycled:

(a) the full pipeline, `screener.screen(payload)`: validate, derive, rules,
    result. Target: at least 4,000 screenings/s on one core, counted per
    second of this thread's CPU time (the machine is shared: the wall-clock
    rate, also printed, counts time other processes held the core).
(b) the rules part alone, `screener.engine.fire(inputs)`, with the inputs
    from `screening.derive.derive` computed beforehand. Target: median at most
    100 us.

(c) `engine.fire` against the plain-Python evaluator of the same rule data
    (tests/support/reference_evaluator.py), and (d) building the result
    (`ResultBuilder.build`: score, band, referral, recommendations, explanation,
    not assessed) against `engine.fire`, on the same inputs, in alternating
    rounds (--rounds, 9 by default); the median of the rounds' ratios is
    judged. Targets (issue #26): fire at most 1.5x the evaluator, the result at
    most 1.0x fire.

Memory: VmRSS (/proc/self/status) after a warm-up and again after part (a)'s
screenings, and ru_maxrss. Target: RSS growth under 10 MB.

Figures are printed with PASS/FAIL per target; the exit status is 1 if a target
was missed, so this can serve as a check (it is not part of pytest: timings
depend on the machine's load, printed alongside). glibc's malloc settings from
docs/durable-rules.md ("Speed") keep timings steady; glibc reads them at start-up,
so if GLIBC_TUNABLES is unset the script re-executes itself with them set.
"""

import argparse
import array
import os
import random
import resource
import statistics
import sys
import time
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent))

from make_roster import make_runner  # noqa: E402

from screening import default_screener  # noqa: E402
from screening.derive import derive  # noqa: E402
from screening.intake.flat import unflatten  # noqa: E402
from tests.support.reference_evaluator import fired as evaluated  # noqa: E402

MALLOC_TUNABLES = "glibc.malloc.mmap_threshold=8388608:glibc.malloc.trim_threshold=268435456"
REEXECUTED = "_BENCH_ENGINE_REEXECUTED"
TARGET_RATE, TARGET_MEDIAN_US, TARGET_GROWTH_MB = 4_000, 100, 10
TARGET_FIRE_VS_EVALUATOR, TARGET_RESULT_VS_FIRE = 1.5, 1.0
MIX = 1_000


def _vm_rss_kib() -> int:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


def _mix(seed: int) -> list[dict]:
    """MIX runners as a client would post them (nested JSON values, not CSV text)."""
    rng = random.Random(seed)
    payloads = []
    for number in range(MIX):
        payload, text_errors = unflatten(make_runner(rng, number, 4))
        assert not text_errors, text_errors
        payloads.append(payload)
    return payloads


def _timed(call, items: list, count: int) -> tuple[float, float, array.array]:
    """Call `call(item)` count times over the items; return wall seconds, CPU seconds and each call's ns."""
    each = array.array("q", bytes(8 * count))  # allocated up front so it adds nothing to RSS growth
    clock, size = time.perf_counter_ns, len(items)
    started, cpu_started = clock(), time.thread_time()
    for number in range(count):
        before = clock()
        call(items[number % size])
        each[number] = clock() - before
    return (clock() - started) / 1e9, time.thread_time() - cpu_started, each


def _rounds(parts: dict, rounds: int) -> dict[str, list[float]]:
    """Each part's CPU seconds per round, the parts alternating within every round."""
    spent: dict[str, list[float]] = {name: [] for name in parts}
    for _ in range(rounds):
        for name, run in parts.items():
            started = time.thread_time()
            run()
            spent[name].append(time.thread_time() - started)
    return spent


def _ratio(spent: dict, top: str, bottom: str) -> float:
    return statistics.median(a / b for a, b in zip(spent[top], spent[bottom], strict=True))


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100_000, help="screenings per part (default 100,000)")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--rounds", type=int, default=9, help="alternating rounds of parts (c) and (d) (default 9)")
    parser.add_argument("--no-tunables", action="store_true", help="do not set GLIBC_TUNABLES")
    args = parser.parse_args(argv)

    if "GLIBC_TUNABLES" not in os.environ and not args.no_tunables:
        os.environ.update({"GLIBC_TUNABLES": MALLOC_TUNABLES, REEXECUTED: "1"})
        os.execv(sys.executable, [sys.executable, str(Path(__file__).resolve()), *(argv or sys.argv[1:])])

    screener = default_screener()
    payloads = _mix(args.seed)
    derived = [derive(screener.validate(payload), screener.ruleset) for payload in payloads]
    intakes = [screener.validate(payload) for payload in payloads]
    inputs = [found[0] for found in derived]
    fired = sum(bool(screener.engine.fire(item)) for item in inputs)
    urgent = sum(screener.screen(payload)["referral"]["urgency"] == "urgent" for payload in payloads)  # warm-up

    load = os.getloadavg()
    rss_before = _vm_rss_kib()
    pipeline_s, pipeline_cpu_s, pipeline_ns = _timed(screener.screen, payloads, args.count)
    rss_after = _vm_rss_kib()
    rules_s, rules_cpu_s, rules_ns = _timed(screener.engine.fire, inputs, args.count)
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    ruleset, engine, results = screener.ruleset, screener.engine, screener.results
    fired_ids = [engine.fire(item) for item in inputs]
    assert fired_ids == [evaluated(ruleset, item) for item in inputs], "the engine and the evaluator disagree"
    cases = list(zip(intakes, derived, fired_ids, strict=True))

    def build_all() -> None:
        for intake, (found, values, _, sources), ids in cases:
            results.build(
                intake, found, values, ids, screening_id="0" * 32, screened_at="2026-01-01T00:00:00Z", sources=sources
            )

    spent = _rounds(
        {
            "fire": lambda: [engine.fire(item) for item in inputs],
            "evaluator": lambda: [evaluated(ruleset, item) for item in inputs],
            "result": build_all,
        },
        args.rounds,
    )
    fire_vs_evaluator = _ratio(spent, "fire", "evaluator")
    result_vs_fire = _ratio(spent, "result", "fire")
    each_us = {name: statistics.median(spent[name]) / MIX * 1e6 for name in spent}

    # Judged per second of this thread's CPU time ("on one core"): on a shared machine the
    # wall-clock rate also counts time other processes held the core; both are printed.
    rate = args.count / pipeline_cpu_s
    pipeline_median = statistics.median(pipeline_ns) / 1000
    rules_median = statistics.median(rules_ns) / 1000
    growth_mb = (rss_after - rss_before) / 1024
    checks = [
        rate >= TARGET_RATE,
        rules_median <= TARGET_MEDIAN_US,
        growth_mb < TARGET_GROWTH_MB,
        fire_vs_evaluator <= TARGET_FIRE_VS_EVALUATOR,
        result_vs_fire <= TARGET_RESULT_VS_FIRE,
    ]

    tunables = os.environ.get("GLIBC_TUNABLES")
    how = (
        "unset: re-executed itself with it set"
        if os.environ.get(REEXECUTED)
        else "as given in the environment"
        if tunables
        else "unset (--no-tunables)"
    )
    print(
        f"mix: {MIX:,} synthetic runners (make_roster.py, seed {args.seed}), cycled; {fired} of them fire "
        f"a rule, {urgent} refer urgently"
    )
    print(
        f"single thread; Python {sys.version.split()[0]}, durable_rules {metadata.version('durable_rules')}, "
        f"{os.cpu_count()} cores, load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )
    print(f"GLIBC_TUNABLES={tunables or ''} ({how})")
    print(
        f"(a) full pipeline, screener.screen(payload): {args.count:,} in {pipeline_cpu_s:.2f} s CPU -> "
        f"{rate:,.0f} screenings/s per core ({pipeline_s:.2f} s wall -> {args.count / pipeline_s:,.0f}/s), "
        f"median {pipeline_median:.0f} us, p99 {statistics.quantiles(pipeline_ns, n=100)[98] / 1000:.0f} us  "
        f"[target >= {TARGET_RATE:,}/s per core: {_verdict(checks[0])}]"
    )
    print(
        f"(b) rules part, engine.fire(inputs): {args.count:,} in {rules_cpu_s:.2f} s CPU -> "
        f"{args.count / rules_cpu_s:,.0f}/s per core ({rules_s:.2f} s wall), median {rules_median:.1f} us, p99 "
        f"{statistics.quantiles(rules_ns, n=100)[98] / 1000:.0f} us  "
        f"[target median <= {TARGET_MEDIAN_US} us: {_verdict(checks[1])}]"
    )
    print(
        f"memory: VmRSS {rss_before / 1024:.1f} MB after warm-up, {rss_after / 1024:.1f} MB after "
        f"{args.count:,} screenings ({growth_mb:+.1f} MB); ru_maxrss {maxrss / 1024:.1f} MB  "
        f"[target growth < {TARGET_GROWTH_MB} MB: {_verdict(checks[2])}]"
    )
    print(
        f"(c) engine.fire {each_us['fire']:.1f} us vs the plain-Python evaluator {each_us['evaluator']:.1f} us per "
        f"screening (CPU, median of {args.rounds} alternating rounds of {MIX:,}): {fire_vs_evaluator:.2f}x  "
        f"[target <= {TARGET_FIRE_VS_EVALUATOR}x: {_verdict(checks[3])}]"
    )
    print(
        f"(d) building the result {each_us['result']:.1f} us vs engine.fire {each_us['fire']:.1f} us: "
        f"{result_vs_fire:.2f}x  [target <= {TARGET_RESULT_VS_FIRE}x: {_verdict(checks[4])}]"
    )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"result: {'PASS' if all(checks) else 'MISS'} ({sum(checks)} of {len(checks)} targets met)")
    return 0 if all(checks) else 1


if __name__ == "__main__":
    sys.exit(main())
