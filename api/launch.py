"""Start a server command in a child process on a free loopback port, and stop it again.

For the tests and benchmarks that need the real production server: the
command binds port 0 and gunicorn's "Listening at" line says which port it
got, so two runs never race for a port. Stopping is bounded: SIGTERM, then
SIGKILL if the server has not exited within the grace period.
"""
import os
import re
import subprocess
import sys
import threading
import time

LISTENING = re.compile(r"Listening at: http://127\.0\.0\.1:(\d+)")


class RunningServer:
    """A server child process; `url` is its base URL, `lines` what it has written to stderr so far."""

    def __init__(self, process: subprocess.Popen, port: int, lines: list[str], reader: threading.Thread):
        self.process = process
        self._reader = reader
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.lines = lines

    def stop(self, grace: float = 15.0) -> int:
        """Stop the server (SIGTERM, SIGKILL after `grace` seconds) and return its exit status."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(grace)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(grace)
        self._reader.join(grace)  # the pipe reaches its end once the server has exited
        self.process.stderr.close()
        return self.process.returncode

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop()


def serve_command(*args: str) -> list[str]:
    """The command that runs `soleus-screen serve` with this Python, on any free loopback port."""
    return [sys.executable, "-m", "screening.cli", "serve", "--host", "127.0.0.1", "--port", "0", *args]


def start(command: list[str], *, env: dict | None = None, timeout: float = 60.0) -> RunningServer:
    """Run `command` (a gunicorn server bound to 127.0.0.1 port 0) and wait until it listens."""
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True, env={**os.environ, **(env or {})})
    lines: list[str] = []
    found: dict = {}
    listening = threading.Event()

    def read() -> None:
        for line in process.stderr:
            lines.append(line)
            match = LISTENING.search(line)
            if match and not listening.is_set():
                found["port"] = int(match.group(1))
                listening.set()
        listening.set()  # the process ended: stop waiting

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    deadline = time.monotonic() + timeout
    while not listening.wait(0.1):
        if time.monotonic() > deadline:
            break
    if "port" not in found:
        RunningServer(process, 0, lines, reader).stop()
        raise RuntimeError("the server did not start listening:\n" + "".join(lines[-20:]))
    return RunningServer(process, found["port"], lines, reader)
