"""The service's edge: which hosts it answers, which bodies the JSON API takes, who may post to the pages.

    ALLOWED_HOSTS  the Host names answered (default: localhost, 127.0.0.1, ::1 and the address `serve`
                   binds); any other Host gets 400, so a DNS-rebinding page cannot read the service
                   from a browser. Flask's TRUSTED_HOSTS does the check.
    CORS_ORIGINS   origins whose pages may call the JSON API from a browser (flask-cors); none by default,
                   so no CORS header is ever sent unless configured.

The JSON API (/v1, /fhir) refuses urlencoded, multipart and text/plain bodies
with 415, whether AUTH is on or off: those are exactly what an HTML form on
another site can send without a CORS preflight. Pages that change data (the
form's POST, sign-in and sign-out) check the CSRF token (flask-wtf) and refuse
a request whose `Sec-Fetch-Site` or `Origin` says it came from another site.
"""

from urllib.parse import urlsplit

from flask import request

from api.plumbing.problems import Problem

API_PREFIXES = ("/v1/", "/fhir/")
SERVER_TO_SERVER = ("/cds-services/",)  # signed JWT calls from a clinic's record system, not a browser
LOOPBACK_HOSTS = ["localhost", "127.0.0.1", "::1"]
FORM_BODIES = {"application/x-www-form-urlencoded", "multipart/form-data", "text/plain"}
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def allowed_hosts(config, bound: str | None = None) -> list[str]:
    """ALLOWED_HOSTS as a list (a comma-separated text from the environment too), else the defaults."""
    given = config.get("ALLOWED_HOSTS")
    if isinstance(given, str):
        given = [part.strip() for part in given.split(",") if part.strip()]
    if given:
        return list(given)
    hosts = list(LOOPBACK_HOSTS)
    if bound and bound not in hosts and bound not in ("0.0.0.0", "::"):
        hosts.append(bound)
    return hosts


def refuse_form_bodies():
    """before_request: 415 for a body on the JSON API that an HTML form could send cross-site."""
    if request.method in SAFE_METHODS or not request.path.startswith(API_PREFIXES):
        return
    if request.mimetype in FORM_BODIES:
        accepted = "application/json, text/csv" if request.path == "/v1/screenings/batch" else "application/json"
        raise Problem(
            415,
            f"The JSON API does not take {request.mimetype} bodies (a form on any web site can send those): "
            f"send the body with Content-Type: {accepted.replace(', ', ' or ')}.",
            headers={"Accept-Post": accepted},
        )


def same_origin_pages():
    """before_request: a page's POST from another site is refused (403), before its CSRF token is read."""
    if request.method in SAFE_METHODS or request.path.startswith(API_PREFIXES + SERVER_TO_SERVER):
        return
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None and site not in ("same-origin", "none"):
        raise Problem(403, f"This page takes posts from its own pages only (Sec-Fetch-Site: {site}).")
    origin = request.headers.get("Origin")
    if origin is not None and (origin == "null" or urlsplit(origin).netloc != request.host):
        raise Problem(403, "This page takes posts from its own pages only (the Origin is another site).")


def init_cors(app) -> None:
    """CORS headers for the JSON API, only for the configured CORS_ORIGINS (a list, or comma-separated)."""
    origins = app.config.get("CORS_ORIGINS")
    if isinstance(origins, str):
        origins = [part.strip() for part in origins.split(",") if part.strip()]
    if not origins:
        return
    from flask_cors import CORS

    CORS(
        app,
        resources={r"/v1/*": {}, r"/fhir/*": {}},
        origins=list(origins),
        allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
        expose_headers=["X-Request-ID", "Retry-After", "WWW-Authenticate"],
        supports_credentials=False,
        max_age=600,
    )
