"""Verify the bearer JWT a CDS Hooks 2.0 client signs each call with ("Trusting CDS Clients").

    CDS_CLIENTS = {"https://ehr.example.org": "/etc/soleus/ehr-jwks.json"}    # issuer -> JWKS file
    CDS_CLIENTS = {"https://ehr.example.org": "https://ehr.example.org/jwks"} # or the JWKS URL

A JWK Set URL must be https (plain http only to a loopback address, for
testing). A token is accepted when: its `alg` is ES384 or RS384 (the spec's
recommendation; never `none` or a shared-secret HMAC); its header names a
`kid` found in the JWK Set configured for its `iss` (a `jku` header must be
that same URL: keys are never fetched from an address the token chooses); the
signature verifies; `aud` is the URL of the endpoint called; `exp`, `iat` and
`jti` are present and `exp` has not passed (60 s leeway for clock skew); the
token lives at most MAX_LIFETIME (5 minutes, as the spec's examples: `exp`
no more than that after `iat`, nor after now); and its `jti` has not been
seen before from that issuer. Seen tokens are kept in the database while they
live (cds_replay.py), so a replay is refused by every worker and replica; a
key whose type does not fit the token's `alg` is a 401 like any bad token.
Keys from a URL are fetched outside the calls (cds_keys.py).
"""

import json
import time
from pathlib import Path

import jwt

from api.clinic_systems.cds_keys import KeySource
from api.clinic_systems.cds_replay import SeenTokens
from api.plumbing.outbound_urls import allowed_url

ALGORITHMS = ("ES384", "RS384")
KEY_TYPES = {"ES384": "EC", "RS384": "RSA"}  # the JWK `kty` each accepted alg needs
LEEWAY = 60
MAX_LIFETIME = 300  # seconds a token may live (exp - iat, and exp - now), as the spec's examples
REQUIRED_CLAIMS = ["iss", "aud", "exp", "iat", "jti"]


class Unauthorised(Exception):
    """The call's token is missing or not acceptable; the message says why (never the token)."""


class TrustedClients:
    """The CDS clients this service trusts: each issuer's public keys, and the jti seen so far."""

    def __init__(self, clients: dict[str, str], seen: SeenTokens | None = None):
        if not isinstance(clients, dict) or not all(isinstance(v, str) for v in clients.values()):
            raise ValueError('CDS_CLIENTS must map each issuer to its JWKS file or URL: {"<iss>": "<file or URL>"}')
        self._keys: dict[str, tuple[str | None, object]] = {}
        self._seen = seen if seen is not None else SeenTokens(None, LEEWAY)
        for issuer, source in clients.items():
            if source.startswith(("https://", "http://")):
                if not allowed_url(source):
                    raise ValueError(f"CDS_CLIENTS: the JWK Set URL of {issuer} must be https: {source}")
                self._keys[issuer] = (source, KeySource(source))
                continue
            try:
                self._keys[issuer] = (None, jwt.PyJWKSet.from_dict(json.loads(Path(source).read_text("utf-8"))))
            except (OSError, ValueError, jwt.PyJWTError) as error:
                raise ValueError(f"CDS_CLIENTS: the JWK Set of {issuer} ({source}) cannot be read: {error}") from None

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
        jwk = _signing_key(keys, header.get("kid"))
        if jwk.key_type != KEY_TYPES[algorithm]:
            raise Unauthorised(f"The token's alg {algorithm} does not fit its key {jwk.key_id!r} ({jwk.key_type}).")
        try:
            claims = jwt.decode(
                token,
                jwk.key,
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
        except (jwt.PyJWTError, ValueError, TypeError) as error:  # a key the signature cannot be checked with too
            raise Unauthorised(f"The token does not verify: {error}.") from None
        _short_lived(claims)
        self._once(issuer, claims)
        return claims

    def _once(self, issuer: str, claims: dict) -> None:
        jti = claims["jti"]
        if not isinstance(jti, str) or not jti:
            raise Unauthorised("The token's jti must be a non-empty string.")
        if not self._seen.first(issuer, jti, float(claims["exp"])):
            raise Unauthorised("The token was used before (jti replay).")


def _short_lived(claims: dict) -> None:
    expires, issued = claims["exp"], claims["iat"]
    if not isinstance(issued, int | float) or isinstance(issued, bool):
        raise Unauthorised("The token's iat must be a number (seconds since the epoch).")
    if expires - issued > MAX_LIFETIME or expires - time.time() > MAX_LIFETIME + LEEWAY:
        raise Unauthorised(f"The token lives longer than {MAX_LIFETIME // 60} minutes (exp).")


def _bearer(authorization: str | None) -> str:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorised("Send the CDS client's signed JWT as 'Authorization: Bearer <JWT>'.")
    return token.strip()


def _signing_key(keys, kid) -> jwt.PyJWK:
    if not isinstance(kid, str) or not kid:
        raise Unauthorised("The token's header has no kid.")
    source = keys if isinstance(keys, KeySource) else None
    if source is not None:
        keys = source.keys()
        if keys is None:
            source.missing()
            raise Unauthorised("The issuer's JWK Set could not be fetched yet: try again shortly.")
    try:
        return keys[kid]
    except KeyError:
        if source is not None:
            source.missing()  # rotated keys: fetched again in the background
        raise Unauthorised(f"No key {kid!r} in the issuer's JWK Set.") from None


def testing(app) -> bool:
    """Flask's TESTING, or CDS_TESTING on: the audience from the request, plain-http fhirServers allowed."""
    return bool(app.testing) or str(app.config.get("CDS_TESTING", "off")).strip().lower() in ("on", "true", "1", "yes")
