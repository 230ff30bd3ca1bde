"""What the running service holds and tells its operator: the screener and store bound to the app, metrics, probes.

    screener_binding.py  the app's screener (the core's, or one on RULES_DIR)
    store_binding.py     the app's history store, and screenings written to it
    metrics.py           GET /metrics, the Prometheus counters
    health_probes.py     GET /health (alive) and /ready (can it screen), for the orchestrator

Above api.plumbing and api.access (the store writes the credential's team;
/metrics is for admins); below the faces, which all read the app's screener
and store through here.
"""
