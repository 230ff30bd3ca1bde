"""Shared fixtures: the HTTP service built by its factory, a test client, the contract's example intake."""
import json
from pathlib import Path

import pytest

from api import create_app

EXAMPLE_INTAKE = Path(__file__).parents[1] / "examples" / "intake.json"


@pytest.fixture
def app():
    return create_app({"TESTING": True})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def example_intake() -> dict:
    """A fresh copy of the contract's example intake (examples/intake.json)."""
    return json.loads(EXAMPLE_INTAKE.read_text())
