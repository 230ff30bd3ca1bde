"""Run the test OpenID provider (tests/support/oidc: panva's oidc-provider on Node.js) on a free loopback port.

    with running_provider(redirect_uris=[...]) as issuer:   # "http://127.0.0.1:<port>"
        ...

Its packages are installed with `npm ci` (from the committed package-lock.json)
the first time, and again when the lock file changes, into
tests/support/oidc/node_modules (git-ignored). Where
Node.js or npm is missing the tests that need it skip, saying so; under CI
(CI=true) they fail instead. Starting and installing are bounded in time; the
provider is stopped (SIGTERM, then SIGKILL) on leaving.
"""

import hashlib
import json
import os
import shutil
import subprocess
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest

FOLDER = Path(__file__).resolve().parent / "oidc"
INSTALL_SECONDS, START_SECONDS = 300, 30


def _missing(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must run the OpenID provider tests)", pytrace=False)
    pytest.skip(reason)


def installed() -> None:
    """npm ci once: again only when package-lock.json changed (node_modules keeps a stamp of the lock's hash)."""
    if not shutil.which("node") or not shutil.which("npm"):
        _missing("Node.js and npm are needed for the OpenID provider tests (apt-get install nodejs npm)")
    stamp = FOLDER / "node_modules" / ".soleus-installed"
    lock = hashlib.sha256((FOLDER / "package-lock.json").read_bytes()).hexdigest()
    if stamp.is_file() and stamp.read_text() == lock:
        return
    done = subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=FOLDER,
        capture_output=True,
        text=True,
        timeout=INSTALL_SECONDS,
        stdin=subprocess.DEVNULL,
    )
    if done.returncode != 0:
        _missing(f"npm ci failed for the OpenID provider: {done.stderr.strip()[-500:]}")
    stamp.write_text(lock)


@contextmanager
def running_provider(redirect_uris: list[str] | None = None):
    installed()
    process = subprocess.Popen(
        ["node", "provider.mjs"],
        cwd=FOLDER,
        env={**os.environ, "REDIRECT_URIS": ",".join(redirect_uris or [])},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    first: list[str] = []
    reader = threading.Thread(target=lambda: first.append(process.stdout.readline()), daemon=True)  # type: ignore[union-attr]
    reader.start()
    reader.join(START_SECONDS)
    try:
        if not first or not first[0].strip():
            raise RuntimeError(f"the OpenID provider did not start within {START_SECONDS} s")
        yield json.loads(first[0])["issuer"]
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        if process.stdout:
            process.stdout.close()
