"""The production server: `soleus-screen serve` under gunicorn on loopback, with concurrent clients."""

import http.client
import json
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from api.commands import build_parser
from api.server import options
from screening import default_screener
from tests.support import launch

CLIENTS = 8
REQUESTS = 160


def runner(n: int) -> dict:
    """A different runner for each n: age, training, heel raises and red flags all vary."""
    return {
        "runner": {"id": f"conc-{n:04d}", "age": 18 + n % 60, "sex": ("female", "male", "other")[n % 3]},
        "training": {
            "weekly_distance": [20 + n % 7, 22 + n % 11, 25, 20 + n % 40],
            "latest_run": 5 + n % 25,
            "longest_run_30d": 12,
            "strength_sessions_per_week": n % 3,
        },
        "wellness": {"fatigue": n % 11, "soreness": (n * 7) % 11},
        "heel_raise": {"left": 10 + n % 30, "right": None if n % 9 == 0 else 12 + (n * 5) % 25},
        "red_flags": {"calf_swelling": n % 13 == 0},
    }


def stable(result: dict) -> dict:
    return {key: value for key, value in result.items() if key not in ("screening_id", "screened_at")}


def post(port: int, path: str, payload, request_id: str):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(
            "POST",
            path,
            body=json.dumps(payload),
            headers={"Content-Type": "application/json", "X-Request-ID": request_id},
        )
        response = connection.getresponse()
        return response.status, response.getheader("X-Request-ID"), json.loads(response.read())
    finally:
        connection.close()


@pytest.fixture(scope="module")
def server():
    with launch.start(launch.serve_command("--workers", "2", "--threads", "4")) as running:
        yield running


def test_concurrent_clients_each_get_their_own_correct_result(server):
    core = default_screener()
    expected = {n: stable(json.loads(json.dumps(core.screen(runner(n))))) for n in range(REQUESTS)}

    def call(n: int):
        return n, post(server.port, "/v1/screenings", runner(n), f"req-{n}")

    with ThreadPoolExecutor(CLIENTS) as pool:
        answers = list(pool.map(call, range(REQUESTS)))
    for n, (status, request_id, result) in answers:
        assert status == 200
        assert request_id == f"req-{n}"
        assert result.pop("stored") is True  # the service keeps history by default
        assert "previous" in result.pop("history")
        # With a store the programme says what it knows of earlier visits: none yet for a new runner.
        assert result["programme"].pop("history") == {"earlier": [], "change": None}
        assert expected[n]["programme"].pop("history", None) is None
        assert stable(result) == expected[n]


def test_server_logs_one_line_per_request_without_intake_values(server):
    status, _, _ = post(server.port, "/v1/screenings", runner(7), "log-check-1")
    assert status == 200
    deadline = time.monotonic() + 10
    while not any("log-check-1" in line for line in server.lines()) and time.monotonic() < deadline:
        time.sleep(0.05)
    mine = [json.loads(line) for line in server.lines() if "log-check-1" in line]
    assert [(line["method"], line["path"], line["status"]) for line in mine] == [("POST", "/v1/screenings", 200)]
    assert not any("conc-0007" in line for line in server.lines())


def test_serve_binds_loopback_port_8000_by_default(monkeypatch):
    for name in ("HOST", "PORT", "WORKERS", "THREADS"):
        monkeypatch.delenv(f"SOLEUS_{name}", raising=False)
    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port, args.workers, args.threads) == ("127.0.0.1", 8000, 2, 8)


def test_serve_takes_its_settings_from_the_environment(monkeypatch):
    monkeypatch.setenv("SOLEUS_WORKERS", "3")
    monkeypatch.setenv("SOLEUS_THREADS", "16")
    monkeypatch.setenv("SOLEUS_PORT", "9100")
    args = build_parser().parse_args(["serve"])
    assert (args.port, args.workers, args.threads) == (9100, 3, 16)
    # An option on the command line wins over the environment.
    assert build_parser().parse_args(["serve", "--workers", "5"]).workers == 5


@pytest.mark.parametrize("option, value", [("--workers", "0"), ("--threads", "many"), ("--port", "70000")])
def test_serve_refuses_impossible_settings(capsys, option, value):
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(["serve", option, value])
    assert exit_info.value.code == 2
    assert option in capsys.readouterr().err


@pytest.mark.parametrize("host, bind", [("127.0.0.1", "127.0.0.1:8000"), ("::1", "[::1]:8000")])
def test_serve_binds_ipv4_and_ipv6_addresses(host, bind):
    assert options(host=host, port=8000, workers=2, threads=8)["bind"] == bind
