"""Per-process rate limits (the `limits` library, moving windows in memory): lookups and failed sign-ins.

    LOOKUP_RATE_LIMIT             "120/minute"  lookups of runners and screenings, per credential and per
                                                client address (each counted on its own)
    SIGN_IN_FAILURES_PER_ACCOUNT  "5/minute"    failed sign-ins to one account name before it is locked
    SIGN_IN_FAILURES_PER_ADDRESS  "20/minute"   failed sign-ins from one address before it is locked

The counts are kept in each process's memory: under gunicorn each worker
counts its own, so with W workers a client may get up to W times the limit
through before every worker refuses it (documented in docs/security.md). A
shared store (Redis: limits' redis:// storage) would make them exact; the
embedded default needs none.
"""

import math
import os
import time

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

DEFAULTS = {
    "LOOKUP_RATE_LIMIT": "120/minute",
    "SIGN_IN_FAILURES_PER_ACCOUNT": "5/minute",
    "SIGN_IN_FAILURES_PER_ADDRESS": "20/minute",
}


class Throttle:
    """The app's limits, each parsed once; the counts live in memory made per process (after a fork too)."""

    def __init__(self, config):
        self.lookups = parse(str(config.get("LOOKUP_RATE_LIMIT") or DEFAULTS["LOOKUP_RATE_LIMIT"]))
        self.account_failures = parse(
            str(config.get("SIGN_IN_FAILURES_PER_ACCOUNT") or DEFAULTS["SIGN_IN_FAILURES_PER_ACCOUNT"])
        )
        self.address_failures = parse(
            str(config.get("SIGN_IN_FAILURES_PER_ADDRESS") or DEFAULTS["SIGN_IN_FAILURES_PER_ADDRESS"])
        )
        self._pid = 0
        self._limiter: MovingWindowRateLimiter | None = None

    @property
    def limiter(self) -> MovingWindowRateLimiter:
        if self._limiter is None or self._pid != os.getpid():
            self._limiter, self._pid = MovingWindowRateLimiter(MemoryStorage()), os.getpid()
        return self._limiter

    def hit(self, limit: RateLimitItem, *key: str) -> int | None:
        """Count one against `limit` for `key`; None while within it, else the seconds to wait."""
        if self.limiter.hit(limit, *key):
            return None
        return self.retry_after(limit, *key)

    def allowed(self, limit: RateLimitItem, *key: str) -> int | None:
        """None if one more is within `limit` (nothing counted), else the seconds to wait."""
        if self.limiter.test(limit, *key):
            return None
        return self.retry_after(limit, *key)

    def retry_after(self, limit: RateLimitItem, *key: str) -> int:
        reset, _ = self.limiter.get_window_stats(limit, *key)
        return max(1, math.ceil(reset - time.time()))

    def count(self, limit: RateLimitItem, *key: str) -> None:
        self.limiter.hit(limit, *key)
