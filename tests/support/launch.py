"""Start a server command in a child process on a free loopback port, and stop it again.

For the tests and benchmarks that need the real production server: the
command binds port 0 and gunicorn's "Listening at" line says which port it
got, so two runs never race for a port. Stopping is bounded: SIGTERM, then
SIGKILL if the server has not exited within the grace period. The server runs
with SOLEUS_AUTH=off (a loopback-only service, as the tests written before
access control expect) unless `env` asks for SOLEUS_AUTH itself.

`serving(app)` is the in-process counterpart for the browser tests: an app
object served by werkzeug in a thread on a free port, stopped when the block ends.
"""

import contextlib
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator

from werkzeug.serving import make_server

LISTENING = re.compile(r"Listening at: http://127\.0\.0\.1:(\d+)")


class RunningServer:
    """A server child process; `url` is its base URL, `lines()` what it has written to stderr so far."""

    def __init__(self, process: subprocess.Popen, port: int, log):
        self.process = process
        self.port = port
        self._log = log

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def lines(self) -> list[str]:
        """The server's stderr so far (gunicorn's messages and the service's JSON request lines)."""
        self._log.seek(0)
        return self._log.read().decode("utf-8", "replace").splitlines()

    def stop(self, grace: float = 15.0) -> int:
        """Stop the server (SIGTERM, SIGKILL after `grace` seconds) and return its exit status."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(grace)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(grace)
        self._log.close()
        return self.process.returncode

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop()


def serve_command(*args: str) -> list[str]:
    """The command that runs `soleus-screen serve` with this Python, on any free loopback port."""
    return [sys.executable, "-m", "api.commands", "serve", "--host", "127.0.0.1", "--port", "0", *args]


def start(command: list[str], *, env: dict | None = None, timeout: float = 60.0) -> RunningServer:
    """Run `command` (a gunicorn server bound to 127.0.0.1 port 0) and wait until it listens.

    Its stderr goes to a temporary file rather than a pipe: nothing in this
    process has to keep reading it for the server not to block, which would
    also cost the CPU a benchmark measures.
    """
    log = tempfile.TemporaryFile()
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=log,
        env={**os.environ, "SOLEUS_AUTH": "off", **(env or {})},
    )
    server = RunningServer(process, 0, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        match = LISTENING.search("\n".join(server.lines()))
        if match:
            server.port = int(match.group(1))
            return server
        time.sleep(0.05)
    output = server.lines()[-20:]
    server.stop()
    raise RuntimeError("the server did not start listening:\n" + "\n".join(output))


@contextlib.contextmanager
def serving(app) -> Iterator[str]:
    """`app` served by werkzeug on a free local port, in a thread, until the block ends: its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()
