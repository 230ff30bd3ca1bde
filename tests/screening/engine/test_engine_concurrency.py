"""The engine under load: threads, many sessions, an empty first screening, failing actions.

durable_rules' C core fails by crashing (see docs/durable-rules.md):
past 1,024 live sessions, when a session in which nothing fired is deleted,
and when its own threads take actions mid-screening. A segfault would kill
pytest itself and hide which test did it, so the crash-prone scenarios on a
fresh engine (first screening matches nothing, thousands of sessions in a row,
a thousand failing screenings in a row) each run in a child Python process:
the test asserts the child exited 0 (a negative code names the signal) and
checks the results the child printed. The thread test runs in-process, because
it is about this process's shared screener and its switch interval.
"""

import concurrent.futures
import functools
import json
import os
import random
import signal
import subprocess
import sys
import threading

import pytest

from screening import EngineError, Screener, default_screener
from screening import engine as engine_module
from screening.derive import derive
from tests.support import reference_evaluator
from tests.support.intakes import bare, healthy, pool
from tests.support.paths import TESTS

THREADS, PER_THREAD = 8, 2_000
SCREENED_AT = "2025-01-01T00:00:00Z"
POOL = pool()


@functools.cache
def _expected() -> tuple:
    """Each pool intake's result from a plain sequential run, with fixed id and time."""
    screener = default_screener()
    return tuple(screener.screen(payload, screening_id="expected", screened_at=SCREENED_AT) for payload in POOL)


def _screen_many(screener: Screener, thread: int, start: threading.Barrier) -> list[str]:
    """Screen PER_THREAD pool intakes in a seeded order; return what differed from the sequential run."""
    rng, problems = random.Random(thread), []
    start.wait()
    for number in range(PER_THREAD):
        index = rng.randrange(len(POOL))
        own_id = f"t{thread}-{number}"
        result = screener.screen(POOL[index], screening_id=own_id, screened_at=SCREENED_AT)
        if result["screening_id"] != own_id or result["runner_id"] != POOL[index]["runner"]["id"]:
            problems.append(f"{own_id}: result of another session ({result['screening_id']}, {result['runner_id']})")
        elif {**result, "screening_id": "expected"} != _expected()[index]:
            problems.append(f"{own_id}: pool intake {index} differs from the sequential run")
    return problems


@pytest.mark.parametrize("switch_interval", [None, 1e-6], ids=["default switching", "forced switching"])
def test_threads_screening_at_once_get_exactly_the_sequential_results(switch_interval):
    expected = _expected()
    assert len({result["runner_id"] for result in expected}) == len(POOL)  # ids tell sessions apart
    screener = default_screener()
    previous = sys.getswitchinterval()
    start = threading.Barrier(THREADS)
    try:
        if switch_interval:
            sys.setswitchinterval(switch_interval)
        with concurrent.futures.ThreadPoolExecutor(THREADS) as workers:
            runs = [workers.submit(_screen_many, screener, thread, start) for thread in range(THREADS)]
            problems = [problem for run in runs for problem in run.result()]
    finally:
        sys.setswitchinterval(previous)
    assert not problems, f"{len(problems)} wrong results, first: {problems[:5]}"


def test_the_pool_exercises_red_flags_referrals_and_missing_data():
    """Guard the pool: the thread test only proves something if results vary."""
    expected = _expected()
    urgencies = {result["referral"]["urgency"] for result in expected}
    assert {None, "routine", "soon", "urgent"} <= urgencies
    assert any(result["not_assessed"] for result in expected)
    assert len({tuple(e["rule"] for e in result["explanation"]) for result in expected}) > len(POOL) // 2


CHILD_PRELUDE = """
import json, sys
from screening import EngineError, Screener
from screening.engine import RulesEngine
from screening.ruleset.loader import load_ruleset
from rules import RULES_DIR
from tests.support.intakes import bare, healthy, pool

def fired(result):
    return [entry["rule"] for entry in result["explanation"]]
"""

CHILDREN = {
    "fresh engine, first fact has every input missing": """
engine = RulesEngine(load_ruleset(RULES_DIR))
screener = Screener()
first = engine.fire({})
inputs = __import__("screening.derive", fromlist=["derive"]).derive(
    screener.validate(pool()[7]), screener.ruleset)[0]
print(json.dumps({"first": first, "then": [engine.fire(inputs), screener.engine.fire(inputs)]}))
""",
    "fresh screener, first intake benign": """
screener = Screener()
first = screener.screen(healthy())
bare_result = screener.screen(bare())
then = [fired(screener.screen(payload)) for payload in pool()]
print(json.dumps({"first": fired(first), "bare": [fired(bare_result), bare_result["not_assessed"]],
                  "then": then}))
""",
    "3,000 screenings in a row": """
screener, runners = Screener(), pool()
results = []
for number in range(3000):
    payload = runners[number % len(runners)]
    payload = {**payload, "runner": {**payload["runner"], "id": f"row-{number}"}}
    result = screener.screen(payload)
    results.append([result["runner_id"], fired(result)])
print(json.dumps({"results": results}))
""",
    "1,100 failing screenings, then normal ones": """
screener = Screener()
rule_id = "wellness.fatigue_high"
original = screener.engine.actions[rule_id]
def fail(fired):
    raise RuntimeError("deliberate")
screener.engine.actions[rule_id] = fail
payload = healthy()
payload["wellness"]["fatigue"] = 9
failures = 0
for _ in range(1100):
    try:
        screener.screen(payload)
    except EngineError:
        failures += 1
screener.engine.actions[rule_id] = original
print(json.dumps({"failures": failures, "then": [fired(screener.screen(payload)) for _ in range(1100)]}))
""",
}


def _run_child(body: str) -> dict:
    """Run a scenario in a fresh interpreter; fail with the signal's name if it crashed."""
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(TESTS), os.environ.get("PYTHONPATH")])),
    }
    child = subprocess.run(
        [sys.executable, "-c", CHILD_PRELUDE + body],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=TESTS.parent,
        env=environment,
    )
    if child.returncode < 0:
        pytest.fail(f"the child process was killed by {signal.Signals(-child.returncode).name}\n{child.stderr}")
    assert child.returncode == 0, child.stderr
    return json.loads(child.stdout.splitlines()[-1])


def _reference(payload: dict) -> list[str]:
    screener = default_screener()
    inputs = derive(screener.validate(payload), screener.ruleset).inputs
    return reference_evaluator.fired(screener.ruleset, inputs)


def test_first_fact_on_a_fresh_engine_can_match_no_rule():
    report = _run_child(CHILDREN["fresh engine, first fact has every input missing"])
    assert report["first"] == []
    expected = _reference(POOL[7])
    assert expected, "pool intake 7 should fire rules"
    assert report["then"] == [expected, expected]


def test_first_intake_on_a_fresh_screener_can_match_no_rule():
    report = _run_child(CHILDREN["fresh screener, first intake benign"])
    assert report["first"] == [] == _reference(healthy())
    assert report["bare"][0] == _reference(bare())
    assert report["bare"][1], "the bare intake misses data: rules must be reported not assessed"
    assert report["then"] == [_reference(payload) for payload in POOL]


def test_more_screenings_than_the_engine_has_live_sessions():
    results = _run_child(CHILDREN["3,000 screenings in a row"])["results"]
    assert len(results) == 3000
    expected = [_reference(payload) for payload in POOL]
    wrong = [
        number
        for number, (runner_id, fired) in enumerate(results)
        if runner_id != f"row-{number}" or fired != expected[number % len(POOL)]
    ]
    assert not wrong, f"{len(wrong)} wrong results, first at screenings {wrong[:10]}"


def test_failed_screenings_release_their_sessions():
    """An abandoned screening must delete its state too, or the 1,025th would fail."""
    report = _run_child(CHILDREN["1,100 failing screenings, then normal ones"])
    assert report["failures"] == 1100
    assert report["then"] == [["wellness.fatigue_high"]] * 1100


def test_a_crashed_child_is_reported_by_its_signal():
    """The harness above must notice a segfault, or the crash tests prove nothing."""
    with pytest.raises(pytest.fail.Exception, match="SIGSEGV"):
        _run_child("import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)\n")


def _red_flag(payload: dict) -> dict:
    payload["red_flags"]["calf_swelling"] = True
    return payload


def _masters(payload: dict) -> dict:
    payload["runner"]["age"] = 45
    return payload


@pytest.mark.parametrize(
    ("rule_id", "make"),
    [
        ("red_flags.calf_swelling", _red_flag),
        ("history.age_40_plus", _masters),
        (engine_module.SENTINEL, lambda payload: payload),
    ],
)
def test_an_action_that_raises_fails_the_screening_and_the_engine_keeps_working(rule_id, make):
    screener = Screener()
    payload = make(healthy())
    original = screener.engine.actions[rule_id]

    def fail(fired):
        raise RuntimeError("deliberate failure")

    screener.engine.actions[rule_id] = fail
    with pytest.raises(EngineError, match=rule_id):
        screener.screen(payload)
    if rule_id != engine_module.SENTINEL:  # other screenings are unaffected while the action is broken
        assert screener.screen(healthy())["explanation"] == []
    screener.engine.actions[rule_id] = original
    assert [entry["rule"] for entry in screener.screen(payload)["explanation"]] == _reference(payload)


def test_a_fact_the_core_refuses_is_an_engine_error(monkeypatch):
    """durable_rules refuses `1e-05` (no fraction); its error must surface as EngineError, not its own."""
    screener = Screener()
    payload = healthy()
    payload["training"].update(latest_run=1e-05, longest_run_30d=1.0)  # a spike ratio of 1e-05, read by a rule
    monkeypatch.setattr(engine_module, "encode_fact", json.dumps)
    with pytest.raises(EngineError, match="rules engine failed"):
        screener.screen(payload)
    monkeypatch.undo()
    assert screener.screen(payload)["explanation"] == []
    assert screener.screen(bare())["not_assessed"]
