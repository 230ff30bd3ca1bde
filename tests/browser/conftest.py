"""A real local server and headless Chromium (Debian's, driven by Playwright) for the browser tests.

No `playwright install`: Playwright drives the system Chromium through
`executable_path`. If it is missing the tests fail (never skip) and say how
to install it.
"""

import os
from pathlib import Path

import pytest

from api import create_app
from tests.support.launch import serving
from tests.support.paths import ROOT

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = ROOT / "test-artifacts"


def pytest_collection_modifyitems(items):
    for item in items:
        if Path(str(item.fspath)).parent == Path(__file__).parent:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="module")
def base_url():
    """The app served by werkzeug on a free local port, for one test module."""
    with serving(create_app()) as url:
        yield url


# Module scope, not session: two sync Playwright instances cannot run at once in
# one thread, and other test modules (the roster report's) start their own.
@pytest.fixture(scope="module")
def browser():
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: run scripts/install-browser (or set CHROMIUM to a Chromium binary)",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    # launch() gives every run a fresh temporary profile of its own.
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, base_url):
    """A fresh browser context (own cookies) whose every request is recorded."""
    context = browser.new_context(base_url=base_url, accept_downloads=True, viewport={"width": 1100, "height": 900})
    context.set_default_timeout(15_000)
    tab = context.new_page()
    tab.requested = []
    tab.on("request", lambda request: tab.requested.append(request.url))
    yield tab
    context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
