"""Find the QuestionnaireResponse a CDS call is about: in the prefetch, else on the client's FHIR server.

    prefetch.intake present   a QuestionnaireResponse, or a searchset Bundle (the latest `authored` is
                              used), or null / an empty Bundle: no intake on record -> no cards
    prefetch.intake absent    fetched from `fhirServer` with the call's `fhirAuthorization` token, by the
                              same search as the prefetch template; without a `fhirServer` -> 412
    an OperationOutcome       the client could not get it -> 412

The fetch is bounded: `https` only (plain http only to a loopback address, for
testing), no redirects (the token must not travel to another host), a timeout
(CDS_FHIR_TIMEOUT, default 5 s) and a size limit. Any failure is a 412, as the
spec asks of a service that cannot obtain the data it needs. Nothing about the
patient is logged.
"""

import json
import urllib.error
import urllib.parse
import urllib.request

from flask import current_app

from api.cds_auth import allowed_url
from api.problems import Problem
from screening.interop import codes

PREFETCH_KEY = "intake"
MAX_BYTES = 8 * 1024 * 1024
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
    if not allowed_url(server):
        raise Problem(412, "fhirServer must be an https URL: the intake could not be fetched.")
    url = server.rstrip("/") + "/QuestionnaireResponse?" + urllib.parse.urlencode({"patient": patient_id, **SEARCH})
    request = urllib.request.Request(url, headers={"Accept": codes.FHIR_JSON})
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    timeout = float(current_app.config.get("CDS_FHIR_TIMEOUT", 5))
    try:
        with urllib.request.build_opener(_NoRedirects).open(request, timeout=timeout) as answer:
            data = answer.read(MAX_BYTES + 1)
    except urllib.error.HTTPError as error:
        raise Problem(412, f"The fhirServer answered {error.code}: the intake could not be fetched.") from None
    except (urllib.error.URLError, OSError) as error:
        raise Problem(412, f"The fhirServer could not be reached ({type(error).__name__}).") from None
    if len(data) > MAX_BYTES:
        raise Problem(412, "The fhirServer's answer is too large to be a single intake.")
    try:
        return json.loads(data)
    except ValueError:
        raise Problem(412, "The fhirServer's answer is not JSON.") from None
