"""Verify the bearer JWT a CDS Hooks 2.0 client signs each call with ("Trusting CDS Clients").

    CDS_CLIENTS = {"https://ehr.example.org": "/etc/soleus/ehr-jwks.json"}    # issuer -> JWKS file
    CDS_CLIENTS = {"https://ehr.example.org": "https://ehr.example.org/jwks"} # or the JWKS URL

A JWK Set URL must be https (plain http only to a loopback address, for
testing). A token is accepted when: its `alg` is ES384 or RS384 (the spec's
recommendation; never `none` or a shared-secret HMAC); its header names a
`kid` found in the JWK Set configured for its `iss` (a `jku` header must be
that same URL: keys are never fetched from an address the token chooses); the
signature verifies; `aud` is the URL of the endpoint called; `exp`, `iat` and
`jti` are present and `exp` has not passed (60 s leeway for clock skew); and
its `jti` has not been seen before from that issuer. Seen `jti`s are kept in
memory until their token expires, per process: under several gunicorn workers a
replay that lands on another worker is not caught (a shared store would be
needed for that).
"""

import ipaddress
import json
import threading
import time
import urllib.parse
from pathlib import Path

import jwt

ALGORITHMS = ("ES384", "RS384")
LEEWAY = 60
REQUIRED_CLAIMS = ["iss", "aud", "exp", "iat", "jti"]


class Unauthorised(Exception):
    """The call's token is missing or not acceptable; the message says why (never the token)."""


class TrustedClients:
    """The CDS clients this service trusts: each issuer's public keys, and the jti seen so far."""

    def __init__(self, clients: dict[str, str]):
        if not isinstance(clients, dict) or not all(isinstance(v, str) for v in clients.values()):
            raise ValueError('CDS_CLIENTS must map each issuer to its JWKS file or URL: {"<iss>": "<file or URL>"}')
        self._keys: dict[str, tuple[str | None, object]] = {}
        for issuer, source in clients.items():
            if source.startswith(("https://", "http://")):
                if not allowed_url(source):
                    raise ValueError(f"CDS_CLIENTS: the JWK Set URL of {issuer} must be https: {source}")
                self._keys[issuer] = (source, jwt.PyJWKClient(source, cache_keys=True, lifespan=300, timeout=5))
                continue
            try:
                self._keys[issuer] = (None, jwt.PyJWKSet.from_dict(json.loads(Path(source).read_text("utf-8"))))
            except (OSError, ValueError, jwt.PyJWTError) as error:
                raise ValueError(f"CDS_CLIENTS: the JWK Set of {issuer} ({source}) cannot be read: {error}") from None
        self._seen: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()

    def __bool__(self) -> bool:
        return bool(self._keys)

    def verify(self, authorization: str | None, audience: str) -> dict:
        """The token's claims if the `Authorization` header carries an acceptable one, else Unauthorised."""
        token = _bearer(authorization)
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise Unauthorised("The bearer token is not a JWT.") from None
        algorithm = header.get("alg")
        if algorithm not in ALGORITHMS:
            raise Unauthorised(f"The token is signed with {algorithm!r}: only {' or '.join(ALGORITHMS)} are accepted.")
        issuer = unverified.get("iss")
        if not isinstance(issuer, str) or issuer not in self._keys:
            raise Unauthorised("The token's issuer (iss) is not a trusted CDS client.")
        url, keys = self._keys[issuer]
        if header.get("jku") is not None and header["jku"] != url:
            raise Unauthorised("The token's jku is not the JWK Set URL configured for its issuer.")
        key = _signing_key(keys, header.get("kid"))
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                audience=audience,
                issuer=issuer,
                leeway=LEEWAY,
                options={"require": REQUIRED_CLAIMS},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthorised("The token has expired (exp).") from None
        except jwt.InvalidAudienceError:
            raise Unauthorised(f"The token's aud is not this endpoint ({audience}).") from None
        except jwt.MissingRequiredClaimError as error:
            raise Unauthorised(f"The token has no {error.claim} claim.") from None
        except jwt.PyJWTError as error:
            raise Unauthorised(f"The token does not verify: {error}.") from None
        self._once(issuer, claims)
        return claims

    def _once(self, issuer: str, claims: dict) -> None:
        jti = claims["jti"]
        if not isinstance(jti, str) or not jti:
            raise Unauthorised("The token's jti must be a non-empty string.")
        now = time.time()
        with self._lock:
            for seen, expires in list(self._seen.items()):
                if expires + LEEWAY < now:
                    del self._seen[seen]
            if (issuer, jti) in self._seen:
                raise Unauthorised("The token was used before (jti replay).")
            self._seen[(issuer, jti)] = float(claims["exp"])


def _bearer(authorization: str | None) -> str:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorised("Send the CDS client's signed JWT as 'Authorization: Bearer <JWT>'.")
    return token.strip()


def _signing_key(keys, kid):
    if not isinstance(kid, str) or not kid:
        raise Unauthorised("The token's header has no kid.")
    try:
        if isinstance(keys, jwt.PyJWKClient):
            return keys.get_signing_key(kid).key
        return keys[kid].key
    except KeyError:
        raise Unauthorised(f"No key {kid!r} in the issuer's JWK Set.") from None
    except jwt.PyJWKClientError as error:
        raise Unauthorised(f"The issuer's JWK Set could not be read: {error}.") from None


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
