"""Hold the app's screener: the core's process-wide one, or one on the RULES_DIR the config names."""

from flask import current_app

from screening import Screener, default_screener

KEY = "soleus.screener"


def init_app(app) -> None:
    """Load the rules now, so a broken ruleset stops the service from starting instead of failing requests."""
    rules_dir = app.config.get("RULES_DIR")
    app.extensions[KEY] = Screener(rules_dir) if rules_dir else default_screener()


def screener() -> Screener:
    return current_app.extensions[KEY]
