"""The soleus-screen HTTP service (Flask), built by `create_app`."""
from flask import Flask

DEFAULTS = {
    "API_TITLE": "soleus-screen",
    "API_VERSION": "1.0.0",
    "OPENAPI_VERSION": "3.0.3",
}


def create_app(config: dict | None = None) -> Flask:
    """Build the service; `config` overrides the defaults (tests pass their own)."""
    app = Flask(__name__)
    app.config.from_mapping(DEFAULTS)
    if config:
        app.config.update(config)
    return app
