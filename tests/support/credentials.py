"""Apps with access control on, their keys and accounts, and a loopback OpenID issuer for signed tokens.

    app = access_app(tmp_path)                                     # AUTH on, its own SQLite database
    token = key(app, "club-a", "screen,history:read")              # a key as `keys create` makes it
    issuer = LocalIssuer(); issuer.start()                          # discovery + JWKS on 127.0.0.1
    jwt = issuer.token(team="club-a", scope="screen")               # signed by joserfc, as a provider would

The local issuer stands in for a provider where the tests need tokens that
are forged, expired or unsigned (alg none); the real provider, panva's
oidc-provider, runs in tests/api/access/test_access_oidc.py.
"""

import base64
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from joserfc import jwt
from joserfc.jwk import ECKey, KeySet

from api import create_app
from api.access import accounts, key_ring
from tests.support.json_server import send_json

AUDIENCE = "soleus-screen"


def access_app(tmp_path, **config):
    settings = {
        "TESTING": True,
        "AUTH": "on",
        "DATABASE_URL": f"sqlite:///{tmp_path}/access.sqlite3",
        "SIGN_IN_FAILURE_DELAY": 0,
        **config,
    }
    return create_app(settings)


def engine_of(app):
    from api.operations.store_binding import database_of

    return database_of(app).engine


def key(app, team: str, scopes: str, name: str | None = None, days: int | None = None) -> str:
    return key_ring.create(
        engine_of(app),
        name=name or f"{team}-{uuid.uuid4().hex[:8]}",
        team=team,
        scopes=key_ring.parse_scopes(scopes),
        days=days,
    )


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def account(app, email: str, role: str, *teams: str, password: str = "correct horse battery") -> str:
    accounts.add(engine_of(app), email, role=role, teams=list(teams), password=password)
    return password


class LocalIssuer:
    """An OpenID issuer on a free loopback port: its discovery document and JWKS, and tokens it signs."""

    def __init__(self):
        self.key = ECKey.generate_key("P-256", parameters={"kid": "k1", "alg": "ES256", "use": "sig"})
        self.fetches = 0
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path == "/.well-known/openid-configuration":
                    body = {"issuer": issuer.url, "jwks_uri": f"{issuer.url}/jwks"}
                elif self.path == "/jwks":
                    issuer.fetches += 1
                    body = KeySet([issuer.key]).as_dict(private=False)
                else:
                    self.send_error(404)
                    return
                send_json(self, body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> "LocalIssuer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def config(self) -> dict:
        return {"OIDC_ISSUER": self.url, "OIDC_AUDIENCE": AUDIENCE}

    def claims(self, **changes) -> dict:
        now = int(time.time())
        found = {"iss": self.url, "aud": AUDIENCE, "sub": "ehr-app", "exp": now + 300, "iat": now, "scope": "screen"}
        found.update(changes)
        return {name: value for name, value in found.items() if value is not None}

    def token(self, *, signing_key=None, header: dict | None = None, **claims) -> str:
        return jwt.encode(header or {"alg": "ES256", "kid": "k1"}, self.claims(**claims), signing_key or self.key)

    def forged(self, **claims) -> str:
        """Signed by another key under the issuer's kid."""
        other = ECKey.generate_key("P-256", parameters={"kid": "k1"})
        return self.token(signing_key=other, **claims)

    def unsigned(self, **claims) -> str:
        """alg none: no signature at all."""

        def part(value: dict) -> str:
            return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

        return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(self.claims(**claims))}."
