"""The documentation site (mkdocs.yml, docs/), built as scripts/check builds it: fits a phone, axe-core clean."""

import functools
import os
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.support.paths import ROOT

# One page of each kind: the home page, a tutorial, a guide with wide tables, a generated reference page.
PAGES = ["", "tutorial/second-visit/", "guides/clinic-systems/", "reference/evidence/"]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The built site, served from a temporary folder on a free loopback port."""
    folder = tmp_path_factory.mktemp("site")
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(folder)]
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    built = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120, env=env)
    assert built.returncode == 0, built.stderr
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *args: None
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    thread.join()
    server.server_close()


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("path", PAGES)
def test_a_docs_page_fits_the_screen_and_passes_axe_core(browser, site, path, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    tab = context.new_page()
    try:
        tab.goto(site + path)
        assert tab.evaluate("document.documentElement.scrollWidth") <= width  # code and tables scroll inside
        results = Axe().run(tab)
        assert results.violations_count == 0, results.generate_report()
    finally:
        context.close()
