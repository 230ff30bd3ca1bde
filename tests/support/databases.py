"""The databases the history tests run on: a SQLite file, and a real PostgreSQL server.

PostgreSQL: by default the server on 127.0.0.1:5432 (trust auth), reached
through its `postgres` database; SOLEUS_TEST_DATABASE_URL names another
(any database on the server to connect to: each test creates its own
soleus_test_<random> database beside it and drops it afterwards). Where no
server answers, the PostgreSQL tests are skipped with the reason, except under
CI (CI=true), where they fail: CI must test both databases.
"""

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
DATABASES = ["sqlite", "postgresql"]


def postgres_server_url() -> str:
    return os.environ.get("SOLEUS_TEST_DATABASE_URL") or DEFAULT_POSTGRES


@contextmanager
def postgres_database() -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped on exit."""
    server = make_url(postgres_server_url())
    admin = create_engine(server, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})
    name = f"soleus_test_{secrets.token_hex(6)}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as error:
        admin.dispose()
        reason = f"PostgreSQL not reachable at {server.render_as_string()}: {str(error).splitlines()[0]}"
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (CI must run the PostgreSQL tests)")
        pytest.skip(reason)
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def empty_database(kind: str, folder) -> Iterator[str]:
    """A new empty database of this kind ('sqlite' or 'postgresql'), as a SQLAlchemy URL."""
    if kind == "sqlite":
        yield f"sqlite:///{folder}/history.sqlite3"
    else:
        with postgres_database() as url:
            yield url


@pytest.fixture(params=DATABASES)
def database_url(request, tmp_path) -> Iterator[str]:
    """An empty database, once as a SQLite file and once on PostgreSQL."""
    with empty_database(request.param, tmp_path) as url:
        yield url
