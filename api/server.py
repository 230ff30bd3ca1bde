"""Run a WSGI app under gunicorn, configured from Python (no config file, no import string).

The app is built before gunicorn starts and preloaded: the rules load once in
the master, and the workers fork with them already in memory. Threads give
each worker concurrency while a request waits on the network; the rules
engine is one per process and locks around each screening (see
screening/engine.py), so threads share it safely.

The listening socket is bound here, not by gunicorn (`bind`, then gunicorn's
`fd://`): a port in use is one line naming it and `--port`, at once, where
gunicorn would retry for five seconds and log ten errors. Once every worker
has started, the `ready` text is printed once (the addresses to open).
"""

import errno
import http.client
import json
import multiprocessing
import os
import socket
import sys

from gunicorn.app.base import BaseApplication

from api.plumbing.worker import MAX_BODY, READ_TIMEOUT, worker_class

# Settings that older gunicorn versions (within pyproject's range) do not have.
OPTIONAL = {"control_socket_disable"}


class CannotBind(Exception):
    """The address cannot be listened on; the message says why and what to do, in one line."""


def bind(host: str, port: int) -> socket.socket:
    """A socket bound to (host, port), as gunicorn binds one (SO_REUSEADDR); CannotBind if it cannot be."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise CannotBind(_why_not(host, port, error)) from None
    return sock


def _why_not(host: str, port: int, error: OSError) -> str:
    if error.errno == errno.EADDRINUSE:
        holder = "another soleus-screen is serving there" if _is_ours(host, port) else "another program holds it"
        return f"port {port} on {host} is in use ({holder}): stop that, or choose another port with --port {port + 1}"
    if error.errno == errno.EACCES:
        return f"port {port} on {host} needs privileges this user lacks: choose a port above 1023 with --port"
    if error.errno == errno.EADDRNOTAVAIL or isinstance(error, socket.gaierror):
        return f"{host} is not an address of this machine: choose one with --host (e.g. 127.0.0.1)"
    return f"cannot listen on {host} port {port}: {error.strerror or error}"


def _is_ours(host: str, port: int) -> bool:
    """Whether a soleus-screen answers /health at (host, port), asked briefly."""
    connection = http.client.HTTPConnection(host, port, timeout=0.5)
    try:
        connection.request("GET", "/health")
        response = connection.getresponse()
        return response.status == 200 and json.loads(response.read()) == {"status": "ok"}
    except (OSError, ValueError, http.client.HTTPException):
        return False
    finally:
        connection.close()


class Server(BaseApplication):
    """gunicorn serving one already-built WSGI app; `ready` is printed once every worker has started."""

    def __init__(self, app, options: dict, ready: str | None = None):
        self.application = app
        self.options = options
        if ready:
            self.options["post_worker_init"] = _AnnounceWhenAllStarted(ready, options["workers"])
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            if key in OPTIONAL and key not in self.cfg.settings:
                continue
            self.cfg.set(key, value)

    def load(self):
        return self.application


def options(
    *,
    host: str,
    port: int,
    workers: int,
    threads: int,
    read_timeout: float = READ_TIMEOUT,
    max_body: int | None = MAX_BODY,
) -> dict:
    """gunicorn settings for the service: bind address, workers, threads; requests logged by the app.

    The worker is gunicorn's gthread, gathering each request before a thread
    takes it (api/plumbing/worker.py): a client that stalls holds no thread, and is
    dropped after `read_timeout` seconds.
    """
    return {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": worker_class(read_timeout, max_body),
        "preload_app": True,
        "accesslog": None,  # the app logs one JSON line per request, without the query string
        "errorlog": "-",
        # A 10,000-row roster screens in a few seconds; 60 s leaves room on a busy machine.
        "timeout": 60,
        "graceful_timeout": 10,
        # gunicorn's runtime control socket has one default path per user: two servers would share it.
        "control_socket_disable": True,
        "child_exit": _metrics_of_exited_worker,
    }


def _metrics_of_exited_worker(_server, worker) -> None:
    """gunicorn's child_exit hook: the worker's gauges leave /metrics (its counters stay counted)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


class _AnnounceWhenAllStarted:
    """gunicorn's post_worker_init hook: the worker that brings the started count to `workers` prints `text`.

    The count is shared memory made before gunicorn forks; a worker started
    later to replace one counts past `workers` and prints nothing.
    """

    def __init__(self, text: str, workers: int):
        self.text = text
        self.workers = workers
        self.started = multiprocessing.Value("i", 0)

    def __call__(self, worker) -> None:
        with self.started.get_lock():
            self.started.value += 1
            last = self.started.value == self.workers
        if last:
            print(self.text, file=sys.stderr, flush=True)


def serve(
    app, *, listener: socket.socket | None = None, host: str = "127.0.0.1", port: int = 8000, ready=None, **settings
) -> None:
    """Serve `app` on `listener` (else bind host:port) until gunicorn is told to stop (SIGINT or SIGTERM)."""
    listener = listener or bind(host, port)
    # The worker gathers a body up to the app's own limit; one announced past it goes to the app's 413 at once.
    settings.setdefault("max_body", app.config.get("MAX_CONTENT_LENGTH") if hasattr(app, "config") else MAX_BODY)
    config = options(host=host, port=port, **settings)
    config["bind"] = f"fd://{listener.detach()}"  # gunicorn owns the socket from here
    Server(app, config, ready).run()
