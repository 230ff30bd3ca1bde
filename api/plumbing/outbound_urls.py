"""Which URLs the service may fetch keys or data from: a CDS client's JWKS and FHIR server, the OpenID provider.

Only https, or plain http to a loopback host (a test server on this machine).
"""

import ipaddress
import urllib.parse


def allowed_url(url: str) -> bool:
    """Whether keys or data may be fetched from `url`: https, or plain http to a loopback host (testing)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "https":
        return True
    if parts.scheme != "http":
        return False
    if parts.hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(parts.hostname or "").is_loopback
    except ValueError:
        return False
