"""Say why the database failed, in its own words, without the statement or its values.

    describe(error)          Failure(code="SQLITE_FULL", message="database or disk is full")
    str(describe(error))     "database or disk is full (SQLITE_FULL)"
    failure_reason(error)    "OperationalError: database or disk is full (SQLITE_FULL)"

An operator told only `OperationalError` cannot tell a full disk from a
refused connection. The driver's exception (`error.orig`) carries the
database's own code (SQLite's result code name, PostgreSQL's SQLSTATE) and
message; SQLAlchemy's str() of the error also holds the SQL and its bound
values (an intake), so it is never used. PostgreSQL's DETAIL line may quote
values ("Key (screening_id)=(...) already exists"): only the primary message
is kept. A connection libpq could not open has no SQLSTATE: its code is the
exception's class name, its message libpq's first line (host and port, no
values).
"""

from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError

# The codes that say another writer holds the lock (SQLite; PostgreSQL's lock_not_available): waiting longer
# or trying each row again alone would only hold more threads.
BUSY = frozenset({"SQLITE_BUSY", "SQLITE_LOCKED", "55P03"})


@dataclass(frozen=True)
class Failure:
    code: str  # SQLITE_FULL, 53100 (PostgreSQL's disk_full), or the exception's class name
    message: str  # the database's own message, one line

    def __str__(self) -> str:
        return f"{self.message} ({self.code})"


class StoreBusy(SQLAlchemyError):
    """A write not tried: the store's last write found another process holding the lock a moment ago."""

    def __init__(self, failure: Failure):
        super().__init__(f"not tried: {failure.message} a moment ago")
        self.failure = failure


def describe(error: BaseException) -> Failure:
    """The database's code and message for a store error (a SQLAlchemy error, a driver's, or an OSError)."""
    if isinstance(error, StoreBusy):
        return Failure(error.failure.code, f"not tried: {error.failure.message} a moment ago")
    original = getattr(error, "orig", None) or error
    if isinstance(original, OSError):  # a file beside the database (the writers' lock) could not be opened
        return Failure(type(original).__name__, original.strerror or type(original).__name__)
    code = getattr(original, "sqlite_errorname", None) or getattr(original, "sqlstate", None)
    diagnosis = getattr(original, "diag", None)
    message = getattr(diagnosis, "message_primary", None) if diagnosis is not None else None
    if not message:
        text = str(original.args[0]) if original.args else ""
        message = text.strip().splitlines()[0] if text.strip() else type(original).__name__
    return Failure(str(code or type(original).__name__), message)


def failure_reason(error: BaseException) -> str:
    """A store error as a command prints and the service logs it: its name, the database's own message and
    code (describe), never the statement or its values (an intake)."""
    return f"{type(error).__name__}: {describe(error)}"
