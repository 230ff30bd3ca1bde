"""Run a WSGI app under gunicorn, configured from Python (no config file, no import string).

The app is built before gunicorn starts and preloaded: the rules load once in
the master, and the workers fork with them already in memory. Threads give
each worker concurrency while a request waits on the network; the rules
engine is one per process and locks around each screening (see
screening/engine.py), so threads share it safely.
"""

from gunicorn.app.base import BaseApplication

from api.worker import READ_TIMEOUT, worker_class

# Settings that older gunicorn versions (within pyproject's range) do not have.
OPTIONAL = {"control_socket_disable"}


class Server(BaseApplication):
    """gunicorn serving one already-built WSGI app."""

    def __init__(self, app, options: dict):
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            if key in OPTIONAL and key not in self.cfg.settings:
                continue
            self.cfg.set(key, value)

    def load(self):
        return self.application


def options(*, host: str, port: int, workers: int, threads: int, read_timeout: float = READ_TIMEOUT) -> dict:
    """gunicorn settings for the service: bind address, workers, threads; requests logged by the app.

    The worker is gunicorn's gthread, gathering each request before a thread
    takes it (api/worker.py): a client that stalls holds no thread, and is
    dropped after `read_timeout` seconds.
    """
    return {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": worker_class(read_timeout),
        "preload_app": True,
        "accesslog": None,  # the app logs one JSON line per request, without the query string
        "errorlog": "-",
        # A 10,000-row roster screens in a few seconds; 60 s leaves room on a busy machine.
        "timeout": 60,
        "graceful_timeout": 10,
        # gunicorn's runtime control socket has one default path per user: two servers would share it.
        "control_socket_disable": True,
    }


def serve(app, **settings) -> None:
    """Serve `app` until gunicorn is told to stop (SIGINT or SIGTERM)."""
    Server(app, options(**settings)).run()
