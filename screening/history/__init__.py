"""Runner history: every screening stored (SQLite by default, PostgreSQL to scale out), read back exactly."""

from screening.history.migrate import SchemaBehind
from screening.history.store import Screening, Store

__all__ = ["SchemaBehind", "Screening", "Store"]
