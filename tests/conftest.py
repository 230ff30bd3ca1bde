"""Shared fixtures: the HTTP service built by its factory, a test client, the contract's example intake.

Under CI (CI=true) hypothesis runs derandomized: every CI run tries the same
examples, so a landing never hangs on a random draw. Local runs keep exploring
new examples; pin anything they find with @example.
"""

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings

# The service stores every screening by default: the tests' apps and servers (which inherit the
# environment) store in a throwaway SQLite file, never in the checkout's instance folder.
_STORE_DIR = tempfile.TemporaryDirectory(prefix="soleus-test-store-")
os.environ.setdefault("SOLEUS_DATABASE_URL", f"sqlite:///{_STORE_DIR.name}/history.sqlite3")
# The tests written before access control build the app and start servers without credentials, as the
# in-process test client and a loopback-only service may (AUTH=off); the access tests turn it on themselves.
os.environ.setdefault("SOLEUS_AUTH", "off")

# No per-example deadline under CI: a loaded machine can slow one example past 200 ms, and timing is
# the benchmark scripts' job, not a test's.
settings.register_profile("ci", derandomize=True, print_blob=True, deadline=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

from api import create_app  # noqa: E402 (after the hypothesis profile, which must load first)
from tests.support.databases import database_url  # noqa: E402, F401 (the fixture: a SQLite file, then a real PostgreSQL)

EXAMPLE_INTAKE = Path(__file__).parents[1] / "examples" / "intake.json"


@pytest.fixture(scope="session")
def _empty_store_file() -> Path:
    """A history database migrated to head once; each test starts from a copy of it."""
    from screening.history.store import Store

    path = Path(_STORE_DIR.name) / "template.sqlite3"
    store = Store.open(f"sqlite:///{path}", upgrade=True)
    with store.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    store.engine.dispose()
    return path


@pytest.fixture(autouse=True)
def _own_history_store(_empty_store_file, tmp_path_factory, monkeypatch):
    """Every test's apps and servers store in a database of their own: what one test stored (a runner's
    earlier screenings, which the history rules read) can never change another test's results."""
    folder = tmp_path_factory.mktemp("store")
    shutil.copyfile(_empty_store_file, folder / "history.sqlite3")
    monkeypatch.setenv("SOLEUS_DATABASE_URL", f"sqlite:///{folder / 'history.sqlite3'}")


@pytest.fixture
def app():
    return create_app({"TESTING": True, "AUTH": "off"})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def example_intake() -> dict:
    """A fresh copy of the contract's example intake (examples/intake.json)."""
    return json.loads(EXAMPLE_INTAKE.read_text())
