"""Bring a database's schema to the newest migration, or say how far behind it is.

The Alembic configuration is built here, not read from an alembic.ini, so
the migrations are found as package data wherever the package is installed.
"""

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

MIGRATIONS = Path(__file__).with_name("migrations")


def _config(connection=None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head() -> str:
    """The newest migration's revision id."""
    heads = ScriptDirectory.from_config(_config()).get_heads()
    assert len(heads) == 1, f"the migrations have more than one head: {heads}"
    return heads[0]


def current(engine: Engine) -> str | None:
    """The revision the database is at (None: no schema yet)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply every migration up to `revision`, in one transaction per run."""
    with engine.begin() as connection:
        command.upgrade(_config(connection), revision)


class SchemaBehind(Exception):
    """The database's schema is older than this code's (run `soleus-screen db upgrade`)."""


def require_current(engine: Engine, where: str) -> None:
    at = current(engine)
    if at != head():
        state = "has no schema" if at is None else f"is at revision {at}"
        raise SchemaBehind(
            f"the database {where} {state}, this version needs {head()}: run `soleus-screen db upgrade` first"
        )
