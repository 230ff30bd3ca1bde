"""Give every request an id and log one JSON line for it, never its content.

The id is the client's `X-Request-ID` when it looks like an id (so a clinic's
own tracing carries through), else a fresh one; it is echoed on every
response, error or not, and put in every problem body. The log line holds the
method, path, status, duration and id only: an intake is health data and
stays out of the logs.
"""
import json
import logging
import re
import time
import uuid
from datetime import datetime, timezone

from flask import g, request

HEADER = "X-Request-ID"
SANE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
logger = logging.getLogger("soleus.requests")


def request_id_from(value: str | None) -> str:
    """Return the client's id if it is sane (letters, digits, '.', '_', '-', at most 64), else a new one."""
    if value and SANE_ID.fullmatch(value):
        return value
    return uuid.uuid4().hex


def start_request() -> None:
    g.request_started = time.perf_counter()
    g.request_id = request_id_from(request.headers.get(HEADER))


def finish_request(response):
    request_id = g.get("request_id") or request_id_from(None)
    response.headers[HEADER] = request_id
    started = g.get("request_started")
    if logger.isEnabledFor(logging.INFO):
        logger.info(json.dumps({
            "time": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
            "event": "request",
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 2) if started else None,
            "request_id": request_id,
        }))
    return response


def init_app(app) -> None:
    """Register the request id and the per-request log line on `app`."""
    app.before_request(start_request)
    app.after_request(finish_request)


def configure_logging(level: int = logging.INFO) -> None:
    """Send the service's log lines (already JSON) to stderr, one per line; used by `serve`."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(message)s"))
    service = logging.getLogger("soleus")
    service.handlers[:] = [handler]
    service.setLevel(level)
    service.propagate = False
