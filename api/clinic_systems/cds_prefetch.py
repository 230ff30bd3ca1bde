"""Find the QuestionnaireResponse a CDS call is about: in the prefetch, else on the client's FHIR server.

    prefetch.intake present   a QuestionnaireResponse, or a searchset Bundle (the latest `authored` is
                              used), or null / an empty Bundle: no intake on record -> no cards
    prefetch.intake absent    fetched from `fhirServer` with the call's `fhirAuthorization` token, by the
                              same search as the prefetch template; without a `fhirServer` -> 412
    an OperationOutcome       the client could not get it -> 412

The fetch is bounded: only to a host named in CDS_FHIR_SERVERS (none named:
no fetch), `https` only (plain http only with CDS_TESTING on, for local
testing), no redirects (the token must not travel to another host), a timeout
(CDS_FHIR_TIMEOUT, default 5 s) and a size limit. Any failure is a 412 with
one and the same detail, as the spec asks of a service that cannot obtain the
data it needs (a caller cannot tell a closed port from an open one, or a host
not allowed from one that failed); the log says which. Nothing about the
patient is logged.
"""

import json
import logging
import urllib.error
import urllib.parse
import urllib.request

from flask import current_app

from api.clinic_systems.cds_auth import testing
from api.plumbing.problems import Problem
from screening.interop import codes

PREFETCH_KEY = "intake"
MAX_BYTES = 8 * 1024 * 1024
NOT_FETCHED = "The intake could not be fetched from the fhirServer."
log = logging.getLogger("soleus")
SEARCH = {"questionnaire": codes.QUESTIONNAIRE_URL, "status": "completed", "_sort": "-authored", "_count": "1"}


def prefetch_template() -> str:
    """The discovery's prefetch template for the runner's most recent soleus-intake response."""
    query = "&".join(f"{name}={value}" for name, value in SEARCH.items())
    return "QuestionnaireResponse?patient={{context.patientId}}&" + query


def intake_response(body: dict, patient_id: str) -> dict | None:
    """The response to screen for this call, or None when the client has none on record."""
    prefetch = body.get("prefetch") or {}
    if PREFETCH_KEY in prefetch:
        return latest_response(prefetch[PREFETCH_KEY])
    server = body.get("fhirServer")
    if not isinstance(server, str) or not server:
        raise Problem(412, f"The prefetch has no '{PREFETCH_KEY}' and there is no fhirServer to fetch it from.")
    token = (body.get("fhirAuthorization") or {}).get("access_token")
    return latest_response(fetch(server, patient_id, token if isinstance(token, str) else None))


def latest_response(found) -> dict | None:
    """The QuestionnaireResponse in a prefetch value or search result; None if there is none; 412/400 if unusable."""
    if found is None:
        return None
    kind = found.get("resourceType") if isinstance(found, dict) else None
    if kind == "QuestionnaireResponse":
        return found
    if kind == "OperationOutcome":
        raise Problem(412, "The client could not get the intake (it sent an OperationOutcome).")
    if kind == "Bundle":
        responses = [
            entry["resource"]
            for entry in found.get("entry") or []
            if isinstance(entry, dict)
            and isinstance(entry.get("resource"), dict)
            and entry["resource"].get("resourceType") == "QuestionnaireResponse"
        ]
        # ISO 8601 instants of one zone sort as text; a response without `authored` sorts first.
        return max(responses, key=lambda each: str(each.get("authored") or ""), default=None)
    raise Problem(400, f"prefetch.{PREFETCH_KEY} must be a QuestionnaireResponse, a Bundle of them, or null.")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def fetch(server: str, patient_id: str, token: str | None) -> dict:
    """The search result for the patient's latest soleus-intake response on `server`; 412 on any failure."""
    refused = _refused(server)
    if refused:
        return _not_fetched(refused)
    url = server.rstrip("/") + "/QuestionnaireResponse?" + urllib.parse.urlencode({"patient": patient_id, **SEARCH})
    request = urllib.request.Request(url, headers={"Accept": codes.FHIR_JSON})
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    timeout = float(current_app.config.get("CDS_FHIR_TIMEOUT", 5))
    try:
        with urllib.request.build_opener(_NoRedirects).open(request, timeout=timeout) as answer:
            data = answer.read(MAX_BYTES + 1)
    except urllib.error.HTTPError as error:
        return _not_fetched(f"it answered {error.code}")
    except (urllib.error.URLError, OSError) as error:
        return _not_fetched(f"it could not be reached ({type(error).__name__})")
    if len(data) > MAX_BYTES:
        return _not_fetched("its answer is larger than 8 MiB")
    try:
        return json.loads(data)
    except ValueError:
        return _not_fetched("its answer is not JSON")


def _refused(server: str) -> str | None:
    """Why `server` may not be fetched from (and sent the caller's FHIR token), or None."""
    parts = urllib.parse.urlsplit(server)
    if parts.scheme != "https" and not (parts.scheme == "http" and testing(current_app)):
        return "it is not an https URL"
    allowed = {str(host).lower() for host in current_app.config.get("CDS_FHIR_SERVERS") or ()}
    try:
        named = {(parts.hostname or "").lower(), parts.netloc.lower().rpartition("@")[2]}
    except ValueError:
        return "it is not a URL"
    if not allowed & named:
        return "its host is not in CDS_FHIR_SERVERS"
    return None


def _not_fetched(why: str):
    log.warning("CDS fhirServer fetch refused or failed: %s", why)
    raise Problem(412, NOT_FETCHED)
