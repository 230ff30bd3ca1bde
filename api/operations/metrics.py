"""GET /metrics: the service's counters in the Prometheus text format (prometheus_client).

    soleus_requests_total{endpoint,method,status}       requests answered, by route (its rule, not the path)
    soleus_request_seconds{endpoint}                    latency histogram
    soleus_screenings_total{band,urgency}               screenings answered (stored or not)
    soleus_store_commit_seconds / _store_batch_rows     the group commit: each batch's time and rows
    soleus_unavailable_total{cause}                     503s by cause (the database's code, not_ready, ...)
    soleus_roster_rows_total{outcome}                   rows of POST /v1/screenings/batch: screened or invalid

Under gunicorn each worker is a process: `serve` sets PROMETHEUS_MULTIPROC_DIR
(a fresh folder, unless the operator names one) before the app is built, so
every worker writes its numbers there and a scrape on any worker adds them
up (prometheus_client's multiprocess mode; a worker that exits is marked dead,
its counters kept). With access control on, /metrics needs a credential with
the `admin` scope (scrapes are not audited: they read no runner's data); with
AUTH=off it is open, as everything is, on loopback.
"""

import os
import time

from flask import Blueprint, Response, g, request

from api.access import guard, requires
from api.access.principal import ADMIN

bp = Blueprint("metrics", __name__)
# prometheus_client's multiprocess files are read without a lock: a scrape that meets one a worker is adding a
# label set to can fail (seen in a test scraping during load); it reads every file again, this many times at most.
SCRAPE_TRIES = 5
_metrics: dict = {}


def _registry():
    from prometheus_client import CollectorRegistry, multiprocess

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    from prometheus_client import REGISTRY

    return REGISTRY


def _made() -> dict:
    """The metrics, made once per process (prometheus_client refuses a second of one name)."""
    if not _metrics:
        from prometheus_client import Counter, Histogram

        _metrics.update(
            requests=Counter("soleus_requests", "Requests answered", ["endpoint", "method", "status"]),
            latency=Histogram("soleus_request_seconds", "Time to answer a request", ["endpoint"]),
            screenings=Counter("soleus_screenings", "Screenings answered", ["band", "urgency"]),
            commit=Histogram("soleus_store_commit_seconds", "Time of one group commit batch"),
            batch=Histogram(
                "soleus_store_batch_rows", "Requests in one group commit batch", buckets=(1, 2, 4, 8, 16, 32, 64)
            ),
            unavailable=Counter("soleus_unavailable", "503 answers by cause", ["cause"]),
            roster_rows=Counter("soleus_roster_rows", "Rows of rosters posted to the batch endpoint", ["outcome"]),
        )
    return _metrics


def screened(result: dict) -> None:
    _made()["screenings"].labels(result["risk"]["band"], result["referral"]["urgency"] or "none").inc()


def roster_rows(summary: dict) -> None:
    """Count a posted roster's rows by outcome: screened, or invalid (with errors, not screened)."""
    counter = _made()["roster_rows"]
    counter.labels("screened").inc(summary["screened"])
    counter.labels("invalid").inc(summary["invalid"])


def committed(seconds: float, rows: int) -> None:
    made = _made()
    made["commit"].observe(seconds)
    made["batch"].observe(rows)


def unavailable(cause: str) -> None:
    """Name the cause of the 503 this request is answered with (counted once it is sent)."""
    g.unavailable_cause = cause


@bp.get("/metrics")
@requires(ADMIN, "metrics")
def metrics():
    """The counters in the Prometheus text format."""
    from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

    guard.audited()  # no runner's data: a scrape every 15 s is not an audit entry
    registry = _registry()
    for attempt in range(SCRAPE_TRIES):
        try:
            text = generate_latest(registry)
            break
        except Exception:  # a worker's file read while it grows (a new label set): read them all again
            if attempt == SCRAPE_TRIES - 1:
                raise
            time.sleep(0.01)
    return Response(text, mimetype=CONTENT_TYPE_LATEST.split(";")[0])


def init_app(app, store=None) -> None:
    _made()
    if store is not None:
        store.on_commit = committed

    @app.before_request
    def _started() -> None:
        g.metrics_started = time.perf_counter()

    @app.after_request
    def _counted(response):
        started = g.get("metrics_started")
        endpoint = request.url_rule.rule if request.url_rule is not None else "unmatched"
        made = _made()
        made["requests"].labels(endpoint, request.method, str(response.status_code)).inc()
        if started is not None:
            made["latency"].labels(endpoint).observe(time.perf_counter() - started)
        if response.status_code == 503:
            made["unavailable"].labels(g.get("unavailable_cause", "other")).inc()
        return response

    app.register_blueprint(bp)
