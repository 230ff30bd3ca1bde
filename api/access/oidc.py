"""Verify bearer tokens of the clinic's own OpenID provider (OAuth 2.0 access tokens that are JWTs).

    OIDC_ISSUER        https://id.clinic.example/realms/soleus   (its discovery document names the JWKS)
    OIDC_AUDIENCE      soleus-screen                              (the token's `aud` must hold it)
    OIDC_TEAM_CLAIM    team    (a string or a list of team keys)
    OIDC_SCOPE_CLAIM   scope   (space-separated, or a list: screen, history:read, history:erase, admin)
    OIDC_LEEWAY        60      (seconds of clock skew allowed on exp, nbf and iat)

The provider's keys come from the `jwks_uri` of
`{OIDC_ISSUER}/.well-known/openid-configuration`, fetched on first use and
kept; a token whose `kid` is not among them makes one fresh fetch (the
provider rotated its keys), at most once every REFRESH_AT_MOST seconds. A
token is accepted when its `alg` is on ALGORITHMS (asymmetric only: never
`none`, never an HMAC, whose "secret" would be the public key), its header's
`kid` names a key of the set, the signature verifies (joserfc), `iss` is the
issuer, `aud` holds the audience, `exp` is present and not past and `nbf`
(if any) reached, within the leeway. The checks are joserfc's; nothing of
JOSE is written here.
"""

import threading
import time

import requests
from joserfc import jwt
from joserfc.errors import ExpiredTokenError, InvalidKeyIdError, JoseError, MissingClaimError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

from api.access.principal import SCOPES, Principal
from api.plumbing.outbound_urls import allowed_url

ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
REFRESH_AT_MOST = 10.0  # seconds between two fetches of the JWKS on an unknown kid
TIMEOUT = 5.0


class TokenRefused(Exception):
    """The token is not acceptable; the message says why (never the token)."""


class Unavailable(Exception):
    """The provider's keys cannot be had, so no token can be checked now (503, not 401)."""


class ProviderTokens:
    """Checks access tokens of one OpenID provider (the configuration above)."""

    def __init__(self, config):
        self.issuer = str(config["OIDC_ISSUER"]).rstrip("/")
        if not allowed_url(self.issuer):
            raise ValueError(f"OIDC_ISSUER must be an https URL (http only to a loopback address): {self.issuer}")
        self.audience = config.get("OIDC_AUDIENCE")
        if not self.audience:
            raise ValueError("OIDC_AUDIENCE must be set with OIDC_ISSUER: the `aud` this service's tokens carry")
        self.team_claim = config.get("OIDC_TEAM_CLAIM") or "team"
        self.scope_claim = config.get("OIDC_SCOPE_CLAIM") or "scope"
        self.leeway = int(config.get("OIDC_LEEWAY", 60))
        self._keys: KeySet | None = None
        self._fetched = 0.0
        self._lock = threading.Lock()
        self._registry = JWSRegistry(algorithms=list(ALGORITHMS))

    def discovery(self) -> dict:
        return _get_json(f"{self.issuer}/.well-known/openid-configuration")

    def _key_set(self, refresh: bool = False) -> KeySet:
        with self._lock:
            if self._keys is None or (refresh and time.monotonic() - self._fetched > REFRESH_AT_MOST):
                uri = self.discovery().get("jwks_uri")
                if not isinstance(uri, str) or not allowed_url(uri):
                    raise Unavailable("The identity provider's discovery document names no usable jwks_uri.")
                self._keys = KeySet.import_key_set(_get_json(uri))  # type: ignore[arg-type]
                self._fetched = time.monotonic()
            return self._keys

    def verify(self, token: str) -> Principal:
        """The token's principal (teams and scopes from its claims), or TokenRefused saying why."""
        try:
            try:
                decoded = jwt.decode(token, self._key_set(), registry=self._registry)
            except InvalidKeyIdError:
                decoded = jwt.decode(token, self._key_set(refresh=True), registry=self._registry)
        except (TokenRefused, Unavailable):
            raise
        except InvalidKeyIdError:
            raise TokenRefused("The token's kid names no key of the identity provider.") from None
        except JoseError as error:
            raise TokenRefused(f"The token does not verify: {error.error or type(error).__name__}.") from None
        except (ValueError, TypeError):
            raise TokenRefused("The bearer token is not a JWT.") from None
        claims = decoded.claims
        registry = jwt.JWTClaimsRegistry(
            leeway=self.leeway,
            iss={"essential": True, "value": self.issuer},
            aud={"essential": True, "value": self.audience},
            exp={"essential": True},
        )
        try:
            registry.validate(claims)
        except ExpiredTokenError:
            raise TokenRefused("The token has expired (exp).") from None
        except MissingClaimError as error:
            raise TokenRefused(f"The token lacks a claim: {error.description}.") from None
        except JoseError as error:
            raise TokenRefused(f"The token's claims are not acceptable: {error.description or error.error}.") from None
        return Principal(
            actor=str(claims.get("client_id") or claims.get("azp") or claims.get("sub") or "unknown"),
            kind="oidc",
            scopes=frozenset(self.scopes(claims)),
            teams=frozenset(self.teams(claims)),
        )

    def scopes(self, claims: dict) -> list[str]:
        value = claims.get(self.scope_claim)
        given = value.split() if isinstance(value, str) else value if isinstance(value, list) else []
        return [scope for scope in given if scope in SCOPES]

    def teams(self, claims: dict) -> list[str]:
        value = claims.get(self.team_claim)
        given = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        return [team for team in given if isinstance(team, str) and team]


def _get_json(url: str) -> dict:
    try:
        response = requests.get(url, timeout=TIMEOUT)
        response.raise_for_status()
        found = response.json()
    except (requests.RequestException, ValueError) as error:
        raise Unavailable(
            f"The identity provider cannot be reached to check the token ({type(error).__name__})."
        ) from None
    if not isinstance(found, dict):
        raise Unavailable("The identity provider answered something other than a JSON object.")
    return found
