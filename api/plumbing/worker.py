"""gunicorn's threaded worker, made safe against slow clients, and answering its own errors as problem+json.

gunicorn's gthread worker hands a connection to a thread as soon as it sends
anything, and the thread then blocks reading the rest of the request with no
timeout: 16 clients (2 workers x 8 threads) that send half a request and stop
hold every thread, and every later request waits, for ever. Here the worker's
event loop (one thread, non-blocking) gathers each request before any thread
sees it:

- a connection is read without blocking until its head and body are all in
  (by Content-Length, or to the last chunk of a chunked body); past BUFFER
  bytes the rest goes to a temporary file (a large roster), so memory stays
  small whatever the body's size, up to the app's MAX_CONTENT_LENGTH (a body
  announced past it is handed over at once, for the app's 413);
- only then does a thread parse and answer it, from memory and that file. A
  client that stalls or trickles costs a little memory and no thread, so 100
  stalled clients, or 16 sending 300 KiB and then a byte every 20 s, do not
  delay anyone else;
- a client that has not sent its whole request within READ_TIMEOUT seconds of
  its first byte is answered 408 where possible and disconnected, whatever its
  size. What a thread still reads from the socket itself (a body after
  `Expect: 100-continue`, one past the limit) is held to the same deadline, not
  only to a timeout per recv (api/plumbing/gathering.py); a response the client stops
  reading is dropped once a send waits READ_TIMEOUT.

Errors gunicorn answers itself, before the app sees the request (a bad
Content-Length, a request line or headers too large, bad chunked framing),
are written as RFC 9457 problem+json with an X-Request-ID, like every answer
of the app, and logged as one JSON line with that id (event "refused");
gunicorn would write an HTML page without one.

This subclasses gunicorn 27's ThreadWorker (pyproject pins gunicorn>=27,<28):
`accept` and the keep-alive callback start the gathering instead of handing the
connection over, and the socket keeps a timeout where gunicorn would make it
blocking. TLS and HTTP/2 are left to gunicorn unchanged (the service runs
behind a TLS-terminating proxy, see api/commands/serve.py).
"""

import errno
import html
import logging
import re
import selectors
import time
import uuid
from collections import deque
from datetime import UTC, datetime
from functools import partial

from gunicorn import util
from gunicorn.http2 import negotiation
from gunicorn.workers.gthread import TConn, ThreadWorker

from api.plumbing.gathering import MAX_BODY, READ_TIMEOUT, RECV, GatheredUnreader, PendingRequest, TimedSocket
from api.plumbing.json_provider import encode
from api.plumbing.problems import reason_phrase

PROBLEM_JSON = "application/problem+json"
requests_log = logging.getLogger("soleus.requests")  # the app's request log (api/plumbing/requestlog.py)


class GatheringThreadWorker(ThreadWorker):
    """gthread that gathers each request in its event loop, so stalled clients never hold a thread."""

    read_timeout = READ_TIMEOUT
    max_body: int | None = MAX_BODY

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.gathering: deque[TConn] = deque()  # in deadline order: the timeout is the same for all
        self._socket_class = type("TimedSocket", (TimedSocket,), {"read_timeout": self.read_timeout})

    # -- connections arriving --------------------------------------------------------------

    def accept(self, listener):
        if self.cfg.is_ssl:
            return super().accept(listener)
        try:
            client_sock, client_addr = listener.accept()
        except OSError as error:
            if error.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        self.nr_conns += 1
        sock = self._socket_class(client_sock.family, client_sock.type, client_sock.proto, fileno=client_sock.detach())
        conn = TConn(self.cfg, sock, client_addr, listener.getsockname())
        if negotiation.prior_knowledge_allowed(self.cfg, client_addr):
            self.enqueue_req(conn)  # HTTP/2 with prior knowledge: gunicorn's own handling
            return
        self._gather(conn)

    def on_client_socket_readable(self, conn, client):
        """A kept-alive connection sends its next request: gather it too."""
        self.poller.unregister(client)
        self.keepalived_conns.remove(conn)
        self._gather(conn)

    def _gather(self, conn) -> None:
        conn.pending_request = PendingRequest(time.monotonic() + self.read_timeout, self.max_body)
        conn.sock.setblocking(False)
        self.gathering.append(conn)
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._on_readable, conn))

    def _on_readable(self, conn, client) -> None:
        try:
            data = conn.sock.recv(RECV)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:  # the client went away before sending a whole request
            self._drop(conn)
            return
        if conn.pending_request.feed(data):
            self._hand_over(conn)

    def _hand_over(self, conn) -> None:
        self.poller.unregister(conn.sock)
        self.gathering.remove(conn)
        pending = conn.pending_request
        conn.pending_request = None
        conn.init()  # creates the parser (once per connection); the socket now blocks with a timeout
        if not conn.is_http2:
            conn.parser.unreader = GatheredUnreader(conn.sock, pending.spill)
        conn.parser.unreader.unread(bytes(pending.data))
        conn.sock.deadline = pending.deadline  # what a thread still reads from the socket, by the same deadline
        conn.data_ready = True
        conn.gathered = True
        self.enqueue_req(conn)

    def handle(self, conn):
        """gunicorn's handling of one request; a pipelined one read on by the thread gets its own deadline."""
        if not getattr(conn, "gathered", False) and isinstance(conn.sock, TimedSocket):
            conn.sock.deadline = time.monotonic() + self.read_timeout
        conn.gathered = False
        keepalive = super().handle(conn)
        unreader = getattr(conn.parser, "unreader", None)
        if isinstance(unreader, GatheredUnreader):
            if keepalive:
                unreader.keep_rest()  # finish_request sees a pipelined request in the buffer and goes on
            else:
                unreader.close_spill()
        return keepalive

    def _drop(self, conn, answer: bytes = b"") -> None:
        try:
            self.poller.unregister(conn.sock)
        except (KeyError, ValueError, OSError):
            pass
        self.gathering.remove(conn)
        self.nr_conns -= 1
        if conn.pending_request is not None:
            conn.pending_request.close()
        if answer:
            try:
                conn.sock.send(answer)  # non-blocking: best effort
            except OSError:
                pass
        conn.close()

    def murder_keepalived(self, force=False):
        """Also drop every client whose request is not all in by its deadline (408)."""
        super().murder_keepalived(force)
        now = time.monotonic()
        while self.gathering and (force or self.gathering[0].pending_request.deadline <= now):
            conn = self.gathering[0]
            started = bool(conn.pending_request.data)
            detail = f"The request was not sent whole within {self.read_timeout:g} s: send it without pauses."
            self._drop(conn, refusal(408, reason_phrase(408), detail) if started else b"")

    # -- errors gunicorn answers itself ----------------------------------------------------

    def handle_error(self, req, client, addr, exc):
        """gunicorn's answer (status, reason, message) for `exc`, written as problem+json."""
        capture = _Capture(client)
        super().handle_error(req, capture, addr, exc)
        status, reason, message = capture.parsed()
        if status is None:
            return
        try:
            util.write_nonblock(client, refusal(status, reason_phrase(status) or reason, message, req))
        except Exception:
            self.log.debug("Failed to send error message.")


class _Capture:
    """Stands in for the client socket while gunicorn writes its HTML error page, to read what it said."""

    def __init__(self, sock):
        self._sock = sock
        self.written = b""

    def gettimeout(self):
        return 0.0

    def setblocking(self, flag):
        pass

    def sendall(self, data):
        self.written += data

    send = sendall

    def __getattr__(self, name):  # anything else gunicorn asks of the socket (its address for the log)
        return getattr(self._sock, name)

    def parsed(self) -> tuple[int | None, str, str]:
        match = re.match(rb"HTTP/1\.1 (\d{3}) ([^\r\n]*)\r\n", self.written)
        if not match:
            return None, "", ""
        body = self.written.split(b"</h1>", 1)[-1].split(b"</body>", 1)[0]
        message = html.unescape(body.decode("latin-1")).strip()
        reason = match.group(2).decode("latin-1")
        return int(match.group(1)), reason, message or reason


def refusal(status: int, title: str, detail: str, req=None) -> bytes:
    """A whole HTTP/1.1 problem+json response with a new request id, logged as the app logs requests."""
    request_id = uuid.uuid4().hex
    if requests_log.isEnabledFor(logging.INFO):
        requests_log.info(
            encode(
                {
                    "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
                    "event": "refused",
                    "method": getattr(req, "method", None),
                    "path": getattr(req, "path", None),
                    "status": status,
                    "request_id": request_id,
                }
            ).decode()
        )
    return problem_bytes(status, title, detail, request_id)


def problem_bytes(status: int, title: str, detail: str, request_id: str) -> bytes:
    """A whole HTTP/1.1 response: the problem+json body, its request id, and Connection: close."""
    body = encode({"type": "about:blank", "title": title, "status": status, "detail": detail, "request_id": request_id})
    head = (
        f"HTTP/1.1 {status} {title}\r\nConnection: close\r\nContent-Type: {PROBLEM_JSON}\r\n"
        f"X-Request-ID: {request_id}\r\nCache-Control: no-store\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("latin-1") + body


def worker_class(read_timeout: float = READ_TIMEOUT, max_body: int | None = MAX_BODY) -> type:
    """The worker class for gunicorn's `worker_class` setting, with this read timeout and body limit."""
    return type("GatheringThreadWorker", (GatheringThreadWorker,), {"read_timeout": read_timeout, "max_body": max_body})
