"""The real server (gunicorn on loopback) against clients that stall, bodies past the limit, and its own errors.

One worker with two threads and a 3 s read timeout, so that the figures are
about the mechanism, not about spare capacity: 100 clients that send part of
a request and stop must not delay a valid request, and each must be dropped
soon after the timeout. Every socket has its own timeout, so a regression
fails here instead of hanging the suite.
"""

import json
import socket
import time

import pytest

from tests.support import launch
from tests.support.paths import ROOT

READ_TIMEOUT = 3
LIMIT = 1 << 20  # MAX_CONTENT_LENGTH for this server (the default is 16 MiB; the mechanism is the same)
STALLED = 100
EXAMPLE = (ROOT / "examples" / "intake.json").read_bytes()


@pytest.fixture(scope="module")
def server():
    command = launch.serve_command("--workers", "1", "--threads", "2", "--read-timeout", str(READ_TIMEOUT))
    with launch.start(command, env={"SOLEUS_MAX_CONTENT_LENGTH": str(LIMIT)}) as running:
        yield running


def connect(server, timeout: float = 10.0) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=timeout)


def receive_response(sock: socket.socket) -> tuple[int, dict, bytes]:
    """Read one whole response (status, headers by lower-case name, body); raises on a socket timeout."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed after {data!r}")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict((name.lower(), value.strip()) for name, _, value in (line.partition(":") for line in lines[1:]))
    length = int(headers.get("content-length", 0))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return int(lines[0].split()[1]), headers, body


def request_bytes(body: bytes, *, path: str = "/v1/screenings", content_type: str = "application/json") -> bytes:
    head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n"
    return (head + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode() + body


def chunked_request_bytes(body: bytes, content_type: str, piece: int = 65536) -> bytes:
    head = f"POST /v1/screenings HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n"
    out = [(head + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n").encode()]
    for start in range(0, len(body), piece):
        part = body[start : start + piece]
        out.append(f"{len(part):x}\r\n".encode() + part + b"\r\n")
    out.append(b"0\r\n\r\n")
    return b"".join(out)


def screen_example(server) -> tuple[int, float]:
    started = time.monotonic()
    with connect(server, timeout=10) as sock:
        sock.sendall(request_bytes(EXAMPLE))
        status, _, _ = receive_response(sock)
    return status, time.monotonic() - started


def stall(server, n: int) -> socket.socket:
    """A client that sends part of a request and stops: half stop in the headers, half in the body."""
    sock = connect(server)
    if n % 2:
        sock.sendall(b"POST /v1/screenings HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: appl")
    else:
        sock.sendall(request_bytes(EXAMPLE)[: -len(EXAMPLE) // 2])
    return sock


def closed_by_server(sock: socket.socket, within: float) -> float | None:
    """Seconds until the server answered and/or closed this connection, or None if it did not within `within`."""
    started = time.monotonic()
    sock.settimeout(within)
    try:
        while sock.recv(65536):
            pass
    except TimeoutError:
        return None
    except ConnectionError:
        pass
    return time.monotonic() - started


def test_a_valid_request_is_answered_promptly_while_100_clients_stall(server, record_property):
    stalled = [stall(server, n) for n in range(STALLED)]
    try:
        time.sleep(0.5)  # every stalled client has reached the server
        answers = [screen_example(server) for _ in range(5)]
        assert [status for status, _ in answers] == [200] * 5
        slowest = max(seconds for _, seconds in answers)
        record_property("seconds_to_answer_with_100_stalled", round(slowest, 3))
        print(f"\n{STALLED} stalled clients: 5 valid requests answered, slowest in {slowest:.3f} s")
        assert slowest < 2.0
    finally:
        for sock in stalled:
            sock.close()


def test_a_stalled_client_is_dropped_soon_after_the_read_timeout(server):
    stalled = [stall(server, n) for n in range(STALLED)]
    started = time.monotonic()
    try:
        waits = [closed_by_server(sock, within=READ_TIMEOUT + 5 - (time.monotonic() - started)) for sock in stalled]
    finally:
        for sock in stalled:
            sock.close()
    assert None not in waits, f"{waits.count(None)} of {STALLED} stalled clients were still connected"
    last = time.monotonic() - started
    print(f"\n{STALLED} stalled clients all dropped within {last:.2f} s (read timeout {READ_TIMEOUT} s)")
    assert READ_TIMEOUT - 0.5 <= last <= READ_TIMEOUT + 2.5


def test_a_client_stalled_in_its_body_gets_408_as_problem_json(server):
    with stall(server, 0) as sock:
        sock.settimeout(READ_TIMEOUT + 5)
        status, headers, body = receive_response(sock)
    assert status == 408
    assert headers["content-type"] == "application/problem+json"
    assert json.loads(body)["request_id"] == headers["x-request-id"]


def test_a_large_body_that_pauses_past_the_timeout_gets_408(server):
    # Past the 256 KiB held in memory the event loop gathers on into a file: with the same deadline.
    body = b" " * (600 * 1024)
    with connect(server, timeout=READ_TIMEOUT + 5) as sock:
        sock.sendall(request_bytes(body)[: 400 * 1024])
        status, headers, problem = receive_response(sock)
        assert status == 408
        assert f"not sent whole within {READ_TIMEOUT} s" in json.loads(problem)["detail"]
    assert screen_example(server)[0] == 200


def test_a_chunked_json_body_past_the_limit_gets_413_not_a_screening(server):
    body = EXAMPLE + b" " * LIMIT
    with connect(server, timeout=20) as sock:
        sock.sendall(chunked_request_bytes(body, "application/json"))
        status, headers, problem = receive_response(sock)
    assert status == 413
    assert headers["content-type"] == "application/problem+json"


def test_a_chunked_form_body_is_refused_by_the_json_api_not_screened_cut_short(server):
    """The JSON API takes no form body (415, api/access/boundary.py); the clinic form's own limit is
    tested in test_api_body_limit.py."""
    fields = json.loads(EXAMPLE)
    form = (
        f"runner.id={fields['runner']['id']}&runner.age=44&training.weekly_distance=30&wellness.fatigue=1"
        "&wellness.soreness=1&heel_raise.left=20&heel_raise.right=20&"
    )
    body = (form + "training.unit=km&" * (LIMIT // 16) + "red_flags.calf_swelling=true").encode()
    assert len(body) > LIMIT
    with connect(server, timeout=20) as sock:
        sock.sendall(chunked_request_bytes(body, "application/x-www-form-urlencoded"))
        status, _, _ = receive_response(sock)
    assert status == 415


def test_a_chunked_body_under_the_limit_is_screened(server):
    with connect(server, timeout=20) as sock:
        sock.sendall(chunked_request_bytes(EXAMPLE, "application/json", piece=100))
        status, _, body = receive_response(sock)
    assert status == 200
    assert json.loads(body)["runner_id"] == "club-0042"


@pytest.mark.parametrize(
    "raw, status",
    [
        pytest.param(b"GET /" + b"a" * 8000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414, id="request-line-too-long"),
        pytest.param(b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 9000 + b"\r\n\r\n", 431, id="header-too-large"),
        pytest.param(b"POST /v1/screenings HTTP/1.1\r\nHost: x\r\nContent-Length: 12abc\r\n\r\n", 400, id="bad-length"),
        pytest.param(
            b"GET / HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: 1\r\n" % n for n in range(200)) + b"\r\n",
            431,
            id="too-many-headers",
        ),
    ],
)
def test_errors_gunicorn_answers_itself_are_problem_json_with_a_request_id(server, raw, status):
    with connect(server) as sock:
        sock.sendall(raw)
        got, headers, body = receive_response(sock)
    assert got == status
    assert headers["content-type"] == "application/problem+json"
    problem = json.loads(body)
    assert problem["status"] == status and problem["detail"]
    assert problem["request_id"] == headers["x-request-id"]
    assert wait_for_log_line(server, problem["request_id"])["event"] == "refused"


def wait_for_log_line(server, request_id: str) -> dict:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for line in server.lines():
            if request_id in line and line.startswith("{"):
                return json.loads(line)
        time.sleep(0.05)
    raise AssertionError(f"no log line for {request_id}")


SLOW = 6  # more slow clients than the server's 2 threads


def trickle(socks: list[socket.socket], seconds: float, every: float = 0.5) -> None:
    """Send each client's next byte every `every` seconds, for `seconds` (a client already dropped is skipped)."""
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        for sock in socks:
            try:
                sock.send(b" ")
            except OSError:
                pass
        time.sleep(every)


def probe(server) -> float:
    started = time.monotonic()
    with connect(server, timeout=5) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        status, _, _ = receive_response(sock)
    assert status == 200
    return time.monotonic() - started


def test_slow_uploads_past_the_buffer_hold_no_thread_and_are_dropped_after_the_read_timeout(server):
    body = b" " * (600 * 1024)
    slow = []
    started = time.monotonic()
    for _ in range(SLOW):
        sock = connect(server, timeout=READ_TIMEOUT + 5)
        sock.sendall(request_bytes(body)[: 300 * 1024])  # past the 256 KiB held in memory
        slow.append(sock)
    try:
        waits = []
        for _ in range(4):  # while every slow client keeps sending a byte each half second
            trickle(slow, 0.5)
            waits.append(probe(server))
        print(f"\n{SLOW} slow uploads: /health answered in at most {max(waits):.3f} s")
        assert max(waits) < 1.0
        trickle(slow, READ_TIMEOUT + 2.5 - (time.monotonic() - started))
        dropped = [closed_by_server(sock, within=0.5) for sock in slow]
    finally:
        for sock in slow:
            sock.close()
    assert None not in dropped, f"{dropped.count(None)} of {SLOW} slow uploads still connected past the deadline"


def test_a_body_expecting_100_continue_that_trickles_is_dropped_at_the_deadline(server):
    # The thread reads such a body itself (gunicorn sends the 100 Continue): the request's deadline holds it too.
    head = (
        "POST /v1/screenings/batch HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "Content-Length: 100000\r\nExpect: 100-continue\r\n\r\n"
    )
    started = time.monotonic()
    with connect(server, timeout=READ_TIMEOUT + 5) as sock:
        sock.sendall(head.encode())
        assert sock.recv(100).startswith(b"HTTP/1.1 100")
        sock.sendall(b"[")
        while time.monotonic() - started < READ_TIMEOUT + 3:
            try:
                sock.send(b" ")
            except OSError:
                break
            sock.settimeout(0.5)
            try:
                answer = sock.recv(65536)
            except TimeoutError:
                continue
            assert answer.startswith(b"HTTP/1.1 408") or answer == b""
            break
        else:
            raise AssertionError("the trickling body was still read past the deadline")
    assert time.monotonic() - started < READ_TIMEOUT + 2.5


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_batch_past_the_buffer_is_gathered_whole_and_screened(server, chunked):
    intakes = [json.loads(EXAMPLE)] * 900
    body = json.dumps(intakes).encode()
    assert len(body) > 512 * 1024
    raw = (
        chunked_request_bytes(body, "application/json") if chunked else request_bytes(body, path="/v1/screenings/batch")
    )
    if chunked:
        raw = raw.replace(b"POST /v1/screenings ", b"POST /v1/screenings/batch ", 1)
    with connect(server, timeout=30) as sock:
        sock.sendall(raw)
        status, _, answer = receive_response(sock)
    assert status == 200
    assert json.loads(answer)["summary"]["screened"] == 900
