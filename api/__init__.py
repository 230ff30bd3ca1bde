"""The soleus-screen HTTP service (Flask), built by `create_app`.

    from api import create_app
    app = create_app({"BATCH_MAX_ROWS": 500})    # or SOLEUS_BATCH_MAX_ROWS=500 in the environment

The API's resources are flask-smorest blueprints, so each one is in the
OpenAPI spec; other parts (pages) register through their own `init_app(app)`.
The blueprint modules are imported inside the factory, as flaskr's `create_app`
imports `db`, `auth` and `blog`; here Flask is too (flaskr imports it at the
top), because the command line imports `api.commands.serve` for every
subcommand and should not pay for Flask when it only screens a file.

The package, by face, from the top floor down (each imports only what stands below it):

    commands/        the `soleus-screen` command line, one module per subcommand
    clinic_systems/  HL7 FHIR R4 and CDS Hooks 2.0, for clinic record systems
    pages/           the HTML pages (the clinic form and note, rulebook, team, runner, programme pages)
    v1/              the JSON API under /v1 (screenings, runner history, teams, audit trail, rules)
    operations/      the app's screener and store bindings, /metrics and the health probes
    access/          access control: credentials, sign-in, the audit entry, the edge
    plumbing/        bodies, limits, problem details, the request log, the spec, the gunicorn worker
    server.py        runs a WSGI app under gunicorn, configured from Python
    settings.py      every setting the service reads, with what it does
    templates/, static/  the pages' templates and files (package data)
"""

DEFAULTS = {
    "API_TITLE": "soleus-screen",
    "API_VERSION": "1.0.0",
    "OPENAPI_VERSION": "3.0.3",
    "API_DESCRIPTION": (
        "Rule-based soleus (calf) strain risk screening for runners, with an explanation a clinician can "
        "check. A screening aid for clinicians, not a diagnosis. Every error is RFC 9457 problem+json; "
        "every response carries X-Request-ID."
    ),
    # A 10,000-row JSON roster is about 7 MB; nothing this service takes needs more.
    "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
    # One intake (POST /v1/screenings) is about 1 KB: a larger body is refused before it is parsed.
    "INTAKE_MAX_CONTENT_LENGTH": 64 * 1024,
    # One QuestionnaireResponse ($screen) is about 5 KB; a CDS Hooks call adds the Patient and a Bundle around it.
    "FHIR_MAX_CONTENT_LENGTH": 256 * 1024,
    "CDS_MAX_CONTENT_LENGTH": 1024 * 1024,
    # Rows one batch request may hold; past it the answer is 413 with the limit.
    "BATCH_MAX_ROWS": 10_000,
    # Runner history (api/operations/store_binding.py): on, in a SQLite file in the instance folder unless
    # DATABASE_URL names one.
    "STORE": "on",
    "DATABASE_URL": None,
    # A SQLite store's commits: FULL (flushed to disk before the answer) or NORMAL (screening/history/database.py).
    "SQLITE_SYNCHRONOUS": "FULL",
    # `soleus-screen db prune` deletes screenings older than this many days (None: keep them).
    "RETENTION_DAYS": None,
    # Access control (api/access, docs/security.md): on unless SOLEUS_AUTH=off (loopback only, `serve` checks).
    "AUTH": "on",
    # Host names answered (None: localhost, 127.0.0.1, ::1 and the address `serve` binds); others get 400.
    "ALLOWED_HOSTS": None,
    # Origins whose pages may call /v1 and /fhir from a browser (None: no CORS headers at all).
    "CORS_ORIGINS": None,
    # The clinic's OpenID provider (None: API keys and local accounts only). Claim names as documented.
    "OIDC_ISSUER": None,
    "OIDC_AUDIENCE": None,
    "OIDC_TEAM_CLAIM": "team",
    "OIDC_SCOPE_CLAIM": "scope",
    "OIDC_ROLE_CLAIM": "role",
    "OIDC_LEEWAY": 60,
    # The clinic pages' sign-in through the provider (authorization code + PKCE); None: local accounts only.
    "OIDC_CLIENT_ID": None,
    "OIDC_CLIENT_SECRET": None,
    # Lookups of runners and screenings per credential and per address; failed sign-ins (api/access/throttle.py).
    "LOOKUP_RATE_LIMIT": "120/minute",
    "SIGN_IN_FAILURES_PER_ACCOUNT": "5/minute",
    "SIGN_IN_FAILURES_PER_ADDRESS": "20/minute",
    "SIGN_IN_FAILURE_DELAY": 0.5,  # seconds each failed sign-in waits
    "SESSION_HOURS": 12,  # a signed-in session ends this long after sign-in
    # `soleus-screen audit prune` deletes audit entries older than this many days (None: keep them).
    "AUDIT_RETENTION_DAYS": None,
    # How far a posted `screened_at` may lie after this service's clock (a client's clock running fast).
    "CLOCK_SKEW_SECONDS": 300,
}


def create_app(config: dict | None = None):
    """Build the service (a Flask app); `config` overrides the defaults (tests pass their own)."""
    from flask import Flask

    from api import access
    from api.clinic_systems import cds_hooks, fhir
    from api.operations import health_probes, metrics, screener_binding, store_binding
    from api.pages import form, programme_pages, rulebook_pages, runner_pages, team_pages
    from api.plumbing import limits, openapi, requestlog
    from api.plumbing.json_provider import OrjsonProvider
    from api.v1 import audit_entries, rulebook, runner_history, screenings, teams

    app = Flask(__name__)
    app.config.from_mapping(DEFAULTS)
    # Operators set any key from the environment: SOLEUS_BATCH_MAX_ROWS=500 (values read as JSON).
    app.config.from_prefixed_env("SOLEUS")
    if config:
        app.config.update(config)
    # One encoder for every JSON answer, keeping the contract's field order (Flask's default sorts keys).
    app.json = OrjsonProvider(app)
    requestlog.init_app(app)
    limits.init_app(app)
    screener_binding.init_app(app)
    store_binding.init_app(app)
    runner_history.init_app(app)
    api = openapi.init_app(app)
    # The API's resources, in the order the spec lists them.
    for blueprint in (
        screenings.blp,
        runner_history.blp,
        programme_pages.blp,
        teams.blp,
        audit_entries.blp,
        rulebook.blp,
        health_probes.blp,
        fhir.blp,
        cds_hooks.blp,
    ):
        api.register_blueprint(blueprint)
    access.init_app(app, store_binding.database_of(app))
    metrics.init_app(app, store_binding.database_of(app))
    # Pages outside the JSON API, each registering itself with init_app(app).
    for init_app in (
        form.init_app,
        programme_pages.init_app,
        runner_pages.init_app,
        team_pages.init_app,
        rulebook_pages.init_app,
        cds_hooks.init_app,
    ):
        init_app(app)
    return app
