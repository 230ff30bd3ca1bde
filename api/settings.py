"""Every setting the service reads, with what it does: the one list `soleus-screen serve --help` shows.

Each is set in the environment as SOLEUS_<KEY> (values read as JSON where they
parse: SOLEUS_BATCH_MAX_ROWS=500, SOLEUS_CDS_CLIENTS='{"iss": "jwks.json"}'),
or passed to `create_app({...})`. A test reads the code for every key the app
looks up in its config and finds it here, so a new setting is listed or that
test fails.
"""

# (KEY, what it does and its default), in the order an operator meets them.
APP_SETTINGS = (
    ("STORE", "keep the runner history: on (default) or off"),
    ("DATABASE_URL", "the history database (default: the SQLite file instance/soleus.sqlite3)"),
    ("SQLITE_SYNCHRONOUS", "a SQLite store's commits: FULL (default, on disk before the answer) or NORMAL"),
    ("STORE_WRITE_WAIT", "seconds a write waits for another process's SQLite write lock, then 503 (default 5)"),
    ("RETENTION_DAYS", "`db prune` deletes screenings older than this (default: keep them)"),
    ("CLOCK_SKEW_SECONDS", "how far a posted screened_at may lie after this service's clock, in seconds (default 300)"),
    ("AUTH", "access control: on (default) or off (then `serve` binds loopback addresses only; docs/security.md)"),
    ("ALLOWED_HOSTS", "host names answered, a JSON list (default: localhost, 127.0.0.1, ::1 and the bound address)"),
    ("CORS_ORIGINS", "origins whose pages may call /v1 and /fhir from a browser, a JSON list (default: none)"),
    ("OIDC_ISSUER", "the clinic's OpenID provider, whose tokens are accepted beside API keys (default: none)"),
    ("OIDC_AUDIENCE", "the `aud` the provider's tokens must name"),
    ("OIDC_TEAM_CLAIM", "the token claim that names the team(s) (default team)"),
    ("OIDC_SCOPE_CLAIM", "the token claim that carries the scopes (default scope)"),
    ("OIDC_ROLE_CLAIM", "the token claim that names a person's role on the pages (default role)"),
    ("OIDC_LEEWAY", "seconds of clock skew allowed on exp/nbf (default 60)"),
    ("OIDC_CLIENT_ID", "the pages' OpenID client, for sign-in through the provider (default: local accounts only)"),
    ("OIDC_CLIENT_SECRET", "that client's secret"),
    ("OIDC_SIGN_IN_SCOPE", 'the scopes the pages ask the provider for at sign-in (default "openid email")'),
    ("LOOKUP_RATE_LIMIT", "runner and screening lookups per credential and per address (default 120/minute)"),
    ("SIGN_IN_FAILURES_PER_ACCOUNT", "failed sign-ins before an account is locked out a while (default 5/minute)"),
    ("SIGN_IN_FAILURES_PER_ADDRESS", "failed sign-ins from one address before it is refused (default 20/minute)"),
    ("SIGN_IN_FAILURE_DELAY", "seconds each failed sign-in waits (default 0.5)"),
    ("SESSION_HOURS", "a signed-in session ends this long after sign-in (default 12)"),
    ("AUDIT_RETENTION_DAYS", "`audit prune` deletes audit entries older than this (default: keep them)"),
    ("MAX_CONTENT_LENGTH", "the largest body taken, in bytes (default 16 MiB)"),
    ("INTAKE_MAX_CONTENT_LENGTH", "the largest single intake, in bytes (default 64 KiB)"),
    ("FHIR_MAX_CONTENT_LENGTH", "the largest FHIR $screen body, in bytes (default 256 KiB)"),
    ("CDS_MAX_CONTENT_LENGTH", "the largest CDS Hooks call, in bytes (default 1 MiB)"),
    ("BATCH_MAX_ROWS", "rows one POST /v1/screenings/batch may hold (default 10,000)"),
    ("SECRET_KEY", "signs the form's CSRF token and the CDS result links (default: random, per start)"),
    ("CLINIC_TIMEZONE", "the clinic note's time zone, an IANA name (default: the server's)"),
    ("RULES_DIR", "a ruleset folder to use instead of the packaged rules/"),
    ("CDS_CLIENTS", 'CDS Hooks clients trusted: {"issuer": "JWKS file or https URL"} (default: none)'),
    ("CDS_BASE_URL", "the public base URL CDS tokens name in `aud` (required with CDS_CLIENTS)"),
    ("CDS_AUTH", "off skips the CDS token check: for local testing only"),
    ("CDS_TESTING", "on: CDS token audience from the request, plain-http fhirServers: for local testing only"),
    ("CDS_FHIR_SERVERS", 'hosts a CDS call\'s fhirServer may name, a JSON list ("ehr.example.org"; default: none)'),
    ("CDS_FHIR_TIMEOUT", "seconds to fetch an intake from a CDS call's fhirServer (default 5)"),
    ("CDS_RESULT_LINK_TTL", "seconds a CDS card's result link works (default 3600)"),
)

# Keys the app sets for its libraries, not for operators.
INTERNAL = frozenset(
    {
        "API_TITLE",
        "API_VERSION",
        "API_DESCRIPTION",
        "OPENAPI_VERSION",
        "SESSION_COOKIE_SAMESITE",
        "WTF_CSRF_ENABLED",
        "WTF_CSRF_CHECK_DEFAULT",
        "TRUSTED_HOSTS",  # Flask's host check, set from ALLOWED_HOSTS
    }
)


def settings_block() -> str:
    """The settings as `--help` lists them: each SOLEUS_<KEY> and what it does."""
    width = max(len(key) for key, _ in APP_SETTINGS) + len("SOLEUS_")
    lines = ["service settings (environment):"]
    lines += [f"  {'SOLEUS_' + key:<{width}}  {what}" for key, what in APP_SETTINGS]
    return "\n".join(lines)
