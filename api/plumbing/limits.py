"""Hold every request body to MAX_CONTENT_LENGTH and the read timeout, however it is sent.

werkzeug refuses a Content-Length past MAX_CONTENT_LENGTH with 413, but a
chunked body (no Content-Length; gunicorn sets `wsgi.input_terminated`) is
only read *up to* the limit: `request.get_data()` and the form parser stop
there and see a body cut short, with no error. A form whose red flag came
after byte 16 MiB was screened without it. This WSGI middleware, beneath
werkzeug, looks one byte past the limit: if the body goes on, reading it
raises 413, so a body is answered whole or not at all.

`limit_body(n, setting)` lowers the limit for one request (one intake needs
about 1 KB, so POST /v1/screenings takes at most INTAKE_MAX_CONTENT_LENGTH:
a body of millions of list items is refused before it is parsed), with the
same guarantee for a chunked body.

It also turns a socket timeout while reading the body (a client that stopped
sending, or whose request passed its deadline, see api/plumbing/worker.py) into 408,
where werkzeug would call it a client disconnect (400).
"""

from flask import current_app, request
from werkzeug.exceptions import RequestEntityTooLarge, RequestTimeout

INPUT = "soleus.bounded_input"
DRAIN = 64 * 1024


class BoundedInput:
    """`wsgi.input` that raises 413 past `limit` bytes (None: no limit) and 408 on a read timeout."""

    def __init__(self, stream, limit: int | None, setting: str = "MAX_CONTENT_LENGTH"):
        self._stream = stream
        self.limit = limit
        self.setting = setting
        self._read = 0
        self._ended = False

    def read(self, size: int | None = -1) -> bytes:
        return self._checked(self._call(self._stream.read, size))

    def readline(self, size: int | None = -1) -> bytes:
        return self._checked(self._call(self._stream.readline, size))

    def __iter__(self):
        while line := self.readline():
            yield line

    def _call(self, method, size):
        if self._ended:
            return b""
        try:
            return method(size) if size is not None and size >= 0 else method()
        except TimeoutError:
            raise RequestTimeout(
                "The client stopped sending the request body, or did not send it whole within the read timeout: "
                "send it whole, without pauses."
            ) from None

    def _checked(self, data: bytes) -> bytes:
        self._read += len(data)
        if self.limit is not None and self._read >= self.limit:
            if self._read > self.limit or self._call(self._stream.read, 1):
                raise too_large(self.limit, self.setting)
            self._ended = True  # exactly at the limit: the body ended there
        return data


def too_large(limit: int, setting: str) -> RequestEntityTooLarge:
    return RequestEntityTooLarge(f"The body is larger than {limit:,} bytes, the most this service takes ({setting}).")


def limit_body(limit: int, setting: str) -> None:
    """Take at most `limit` bytes of body in this request (call it before the body is read).

    A body within the service's own MAX_CONTENT_LENGTH is read and dropped
    before the 413, in 64 KiB pieces: a client that sends its whole body
    before it reads the answer (most do) then gets the 413, not a reset.
    """
    most = current_app.config.get("MAX_CONTENT_LENGTH")
    if most is not None and most < limit:
        limit, setting = most, "MAX_CONTENT_LENGTH"
    length = request.content_length
    if length is not None and length > limit:
        if length <= (most or 0):
            stream = request.environ["wsgi.input"]
            while length > 0 and (piece := stream.read(min(length, DRAIN))):
                length -= len(piece)
        raise too_large(limit, setting)
    request.max_content_length = limit
    bounded = request.environ.get(INPUT)
    if bounded is not None and bounded.limit is not None:  # chunked: BoundedInput holds the limit
        bounded.limit, bounded.setting = limit, setting


class LimitMiddleware:
    """Wrap each request's `wsgi.input` in BoundedInput (the limit only for a body without Content-Length)."""

    def __init__(self, wsgi_app, config):
        self.wsgi_app = wsgi_app
        self.config = config

    def __call__(self, environ, start_response):
        chunked = not environ.get("CONTENT_LENGTH") and environ.get("wsgi.input_terminated")
        limit = self.config.get("MAX_CONTENT_LENGTH") if chunked else None
        environ["wsgi.input"] = environ[INPUT] = BoundedInput(environ["wsgi.input"], limit)
        return self.wsgi_app(environ, start_response)


def init_app(app) -> None:
    app.wsgi_app = LimitMiddleware(app.wsgi_app, app.config)
