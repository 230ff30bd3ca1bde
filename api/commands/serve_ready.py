"""What `soleus-screen serve` says once it is ready: where to go, and which optional parts are off.

    soleus-screen is ready on http://127.0.0.1:8000 (2 workers x 8 threads)
      the clinic form   http://127.0.0.1:8000/
      the API docs      http://127.0.0.1:8000/docs
      health check      http://127.0.0.1:8000/health
      history           on: the SQLite file /srv/soleus/instance/soleus.sqlite3
      CDS Hooks         off: no trusted clients; to turn it on set SOLEUS_CDS_CLIENTS='{...}'
    Stop it with Ctrl-C.

Information, not warnings: an optional part that is off is said once here
with how to turn it on. Each part is one function of the app in PARTS; a new
optional part adds its own.
"""

from collections.abc import Callable
from typing import NamedTuple

PAGES = (("the clinic form", "/"), ("the API docs", "/docs"), ("health check", "/health"))
EVERYWHERE = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}


class Part(NamedTuple):
    name: str
    state: str  # "on: ..." or "off: ...; to turn it on ..."


def history(app) -> Part:
    from api.commands.target_database import database_in_words
    from api.operations.store_binding import database_url, enabled

    if not enabled(app.config):
        return Part("history", "off (SOLEUS_STORE=off): nothing is stored; to keep it set SOLEUS_STORE=on")
    return Part("history", f"on: {database_in_words(database_url(app))}")


def cds_hooks(app) -> Part:
    from api.clinic_systems.cds_hooks import KEY

    clients = app.extensions.get(KEY)
    if clients is None:
        return Part("CDS Hooks", "on WITHOUT authorisation (SOLEUS_CDS_AUTH=off): for local testing only")
    if not clients:
        return Part(
            "CDS Hooks",
            "off: no trusted clients, every call is refused (401); to turn it on set "
            """SOLEUS_CDS_CLIENTS='{"<issuer>": "<JWK Set file or https URL>"}'""",
        )
    return Part("CDS Hooks", f"on: {len(app.config.get('CDS_CLIENTS') or {})} trusted client(s)")


PARTS: tuple[Callable, ...] = (history, cds_hooks)


def base_url(host: str, port: int) -> str:
    """The address a person on this machine opens: loopback for a service bound to every interface."""
    shown = EVERYWHERE.get(host, host)
    return f"http://[{shown}]:{port}" if ":" in shown else f"http://{shown}:{port}"


def ready_lines(app, *, host: str, port: int, workers: int, threads: int) -> list[str]:
    """The lines `serve` prints once every worker is up."""
    base = base_url(host, port)
    where = ", listening on every interface" if host in EVERYWHERE else ""
    lines = [f"soleus-screen is ready on {base} ({workers} workers x {threads} threads){where}"]
    parts = [Part(name, base + path) for name, path in PAGES] + [part(app) for part in PARTS]
    width = max(len(part.name) for part in parts)
    lines += [f"  {part.name:<{width}}  {part.state}" for part in parts]
    lines.append("Stop it with Ctrl-C.")
    return lines
