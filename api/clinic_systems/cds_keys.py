"""A CDS client's public keys from its JWK Set URL, fetched outside the requests that use them.

    source = KeySource("https://ehr.example.org/jwks")
    source.keys()       the last good PyJWKSet (never fetched in the caller's thread), or None

The set is fetched once when the service starts (FETCH_TIMEOUT at most: a slow
URL delays the start, never a call), then again every REFRESH seconds by a
thread of each process (a forked worker starts its own on first use), and
sooner (at most every MIN_REFRESH seconds) when a call names a key id the set
does not have: a client that rotated its keys is accepted within seconds.
A fetch that fails or times out keeps the last good keys and is logged; a
call is never held waiting for the URL.
"""

import json
import logging
import os
import threading
import time
import urllib.request

import jwt

FETCH_TIMEOUT = 2.0  # seconds one fetch of the JWK Set may take
REFRESH = 300.0  # seconds between fetches
MIN_REFRESH = 10.0  # the soonest a missing key id fetches again
MAX_BYTES = 1024 * 1024
log = logging.getLogger("soleus")


class KeySource:
    def __init__(self, url: str):
        self.url = url
        self._keys: jwt.PyJWKSet | None = None
        self._fetched = 0.0
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid: int | None = None
        self._start_lock = threading.Lock()
        self._fetch()

    def keys(self) -> jwt.PyJWKSet | None:
        """The last good key set; starts this process's refresher if it has none yet."""
        self._ensure_refresher()
        return self._keys

    def missing(self) -> None:
        """A call named a key id the set lacks: fetch again soon (in the background)."""
        self._ensure_refresher()
        if time.monotonic() - self._fetched >= MIN_REFRESH:
            self._wake.set()

    def _ensure_refresher(self) -> None:
        if self._pid == os.getpid() and self._thread is not None and self._thread.is_alive():
            return
        with self._start_lock:
            if self._pid != os.getpid() or self._thread is None or not self._thread.is_alive():
                self._wake = threading.Event()
                self._thread = threading.Thread(target=self._refresh, name="cds-jwks", daemon=True)
                self._pid = os.getpid()
                self._thread.start()

    def _refresh(self) -> None:
        while True:
            self._wake.wait(REFRESH)
            self._wake.clear()
            self._fetch()

    def _fetch(self) -> None:
        self._fetched = time.monotonic()
        request = urllib.request.Request(self.url, headers={"Accept": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT) as answer:
                data = answer.read(MAX_BYTES + 1)
            if len(data) > MAX_BYTES:
                raise ValueError("the JWK Set is larger than 1 MiB")
            self._keys = jwt.PyJWKSet.from_dict(json.loads(data))
        except (OSError, ValueError, jwt.PyJWTError) as error:
            kept = "the last good keys are kept" if self._keys is not None else "no keys yet"
            log.error("CDS client keys could not be fetched from %s (%s): %s", self.url, type(error).__name__, kept)
