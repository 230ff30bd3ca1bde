"""The request plumbing every face shares: bodies, limits, errors, the request log, the bindings, the probes.

    json_provider.py     every JSON answer through orjson, keys in the order the code built them
    requestlog.py        an id for every request and one JSON log line for it, never its content
    problems.py          every error as RFC 9457 problem details
    openapi.py           the OpenAPI spec from the marshmallow schemas, and its offline docs page
    body.py              a request body read in the media types an operation takes
    limits.py            every request body held to its size and the read timeout
    gathering.py         one request's bytes as the worker's event loop gathers them
    worker.py            gunicorn's threaded worker, safe against slow clients (api/server.py runs it)
    screener_binding.py  the app's screener (the core's, or one on RULES_DIR)
    store_binding.py     the app's history store, and screenings written to it
    metrics.py           GET /metrics, the Prometheus counters
    health_probes.py     GET /health (alive) and /ready (can it screen), for the orchestrator

Nothing here knows one face from another; the faces (api.v1, api.pages,
api.clinic_systems) import from here, never the other way round.
"""
