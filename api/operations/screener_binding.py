"""Hold the app's screener: the core's process-wide one, or one on the RULES_DIR the config names.

CLOCK_SKEW_SECONDS (default 300) is how far a posted `screened_at` may lie
after the service's clock before it is refused as in the future.
"""

from datetime import timedelta

from flask import current_app

from screening import Screener, default_screener

KEY = "soleus.screener"


def init_app(app) -> None:
    """Load the rules now, so a broken ruleset stops the service from starting instead of failing requests."""
    rules_dir = app.config.get("RULES_DIR")
    core = Screener(rules_dir) if rules_dir else default_screener()
    skew = app.config.get("CLOCK_SKEW_SECONDS")
    if skew is not None:
        core = core.with_clock_skew(timedelta(seconds=float(skew)))
    app.extensions[KEY] = core


def screener() -> Screener:
    return current_app.extensions[KEY]
