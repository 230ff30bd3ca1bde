"""Accept each CDS client token once: across every worker and replica when the service has a database.

    seen = SeenTokens(engine)          # or SeenTokens(None): this process's memory only
    seen.first(issuer, jti, expires)   True the first time, False for a replay

With a database (the history store, or with access control its keys' database)
a token is one row of cds_tokens_seen, keyed by the SHA-256 of its issuer and
jti; the insert that finds the row already there is the replay, so two
workers or two replicas given the same token at the same moment accept it
once (the primary key decides). Rows are kept until the token has expired
(and LEEWAY after); expired ones are deleted at most once a minute per
process. Without a database (STORE=off and AUTH=off) the set is per process,
as it was before.
"""

import hashlib
import threading
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from screening.history.tables import cds_tokens_seen

PRUNE_EVERY = 60.0  # seconds between deletions of expired rows, per process


class SeenTokens:
    def __init__(self, engine: Engine | None, leeway: int):
        self.engine = engine
        self._leeway = leeway
        self._memory: dict[str, float] = {}
        self._lock = threading.Lock()
        self._pruned = 0.0

    def first(self, issuer: str, jti: str, expires: float) -> bool:
        """Whether this is the first call with the token (`expires`: its exp, seconds since the epoch)."""
        key = hashlib.sha256(f"{issuer}\0{jti}".encode()).hexdigest()
        if self.engine is None:
            return self._first_in_memory(key, expires)
        until = datetime.fromtimestamp(expires + self._leeway, UTC).replace(tzinfo=None)
        self._prune()
        try:
            with self.engine.begin() as connection:
                connection.execute(insert(cds_tokens_seen).values(token_sha256=key, expires_at=until))
        except IntegrityError:
            return False
        return True

    def _first_in_memory(self, key: str, expires: float) -> bool:
        now = time.time()
        with self._lock:
            for seen, until in list(self._memory.items()):
                if until + self._leeway < now:
                    del self._memory[seen]
            if key in self._memory:
                return False
            self._memory[key] = expires
            return True

    def _prune(self) -> None:
        now = time.monotonic()
        if now - self._pruned < PRUNE_EVERY:
            return
        self._pruned = now
        assert self.engine is not None
        cutoff = datetime.now(UTC).replace(tzinfo=None) - timedelta(seconds=1)
        with self.engine.begin() as connection:
            connection.execute(delete(cds_tokens_seen).where(cds_tokens_seen.c.expires_at < cutoff))
