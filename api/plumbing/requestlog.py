"""Give every request an id and log one JSON line for it, never its content.

The id is the client's `X-Request-ID` when it looks like an id (so a clinic's
own tracing carries through), else a fresh one; it is echoed on every
response, error or not, and put in every problem body. The log line holds the
method, path, status, duration and id only: an intake is health data and
stays out of the logs (so does the query string).

This is WSGI middleware rather than Flask hooks: it wraps everything Flask
does, including its error handling, and costs a third of the hooks' time.
"""

import logging
import re
import time
import uuid
from datetime import UTC, datetime

from flask import request

from api.plumbing.json_provider import encode

HEADER = "X-Request-ID"
ENVIRON_KEY = "soleus.request_id"
SANE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
logger = logging.getLogger("soleus.requests")


def request_id_from(value: str | None) -> str:
    """Return the client's id if it is sane (letters, digits, '.', '_', '-', at most 64), else a new one."""
    if value and SANE_ID.fullmatch(value):
        return value
    return uuid.uuid4().hex


class RequestLog:
    """WSGI middleware: set the request id (environ[ENVIRON_KEY]), add its header, log the request."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        request_id = environ[ENVIRON_KEY] = request_id_from(environ.get("HTTP_X_REQUEST_ID"))
        statuses = []

        def start(status, headers, exc_info=None):
            statuses.append(status)
            headers.append((HEADER, request_id))
            return start_response(status, headers, exc_info)

        body = self.wsgi_app(environ, start)
        if logger.isEnabledFor(logging.INFO):
            logger.info(
                encode(
                    {
                        "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
                        "event": "request",
                        "method": environ.get("REQUEST_METHOD"),
                        "path": environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""),
                        "status": int(statuses[-1].split(" ", 1)[0]) if statuses else None,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                        "request_id": request_id,
                    }
                ).decode()
            )
        return body


def current_request_id() -> str:
    """The id of the request being handled (inside a Flask request context)."""
    return request.environ.get(ENVIRON_KEY, "")


def init_app(app) -> None:
    """Wrap `app`'s WSGI callable with the request id and the per-request log line."""
    app.wsgi_app = RequestLog(app.wsgi_app)


def configure_logging(level: int = logging.INFO) -> None:
    """Send the service's log lines (already JSON) to stderr, one per line; used by `serve`."""
    # The logging HOWTO's "Optimization": skip what no format here uses (the caller's file and line,
    # thread and multiprocessing names). gunicorn's own format uses %(process)d, so that stays on.
    logging._srcfile = None
    logging.logThreads = False
    logging.logMultiprocessing = False
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(message)s"))
    service = logging.getLogger("soleus")
    service.handlers[:] = [handler]
    service.setLevel(level)
    service.propagate = False
