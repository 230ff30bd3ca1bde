"""Hold every request body to MAX_CONTENT_LENGTH and the read timeout, however it is sent.

werkzeug refuses a Content-Length past MAX_CONTENT_LENGTH with 413, but a
chunked body (no Content-Length; gunicorn sets `wsgi.input_terminated`) is
only read *up to* the limit: `request.get_data()` and the form parser stop
there and see a body cut short, with no error. A form whose red flag came
after byte 16 MiB was screened without it. This WSGI middleware, beneath
werkzeug, looks one byte past the limit: if the body goes on, reading it
raises 413, so a body is answered whole or not at all.

It also turns a socket timeout while reading the body (a client that stopped
sending, see api/server.py) into 408, where werkzeug would call it a client
disconnect (400).
"""

from werkzeug.exceptions import RequestEntityTooLarge, RequestTimeout


class BoundedInput:
    """`wsgi.input` that raises 413 past `limit` bytes (None: no limit) and 408 on a read timeout."""

    def __init__(self, stream, limit: int | None):
        self._stream = stream
        self._limit = limit
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
                "The client stopped sending the request body: send it whole, without pauses."
            ) from None

    def _checked(self, data: bytes) -> bytes:
        self._read += len(data)
        if self._limit is not None and self._read >= self._limit:
            if self._read > self._limit or self._call(self._stream.read, 1):
                raise _too_large(self._limit)
            self._ended = True  # exactly at the limit: the body ended there
        return data


def _too_large(limit: int) -> RequestEntityTooLarge:
    return RequestEntityTooLarge(
        f"The body is larger than {limit:,} bytes, the most this service takes (MAX_CONTENT_LENGTH)."
    )


class LimitMiddleware:
    """Wrap each request's `wsgi.input` in BoundedInput (the limit only for a body without Content-Length)."""

    def __init__(self, wsgi_app, config):
        self.wsgi_app = wsgi_app
        self.config = config

    def __call__(self, environ, start_response):
        chunked = not environ.get("CONTENT_LENGTH") and environ.get("wsgi.input_terminated")
        limit = self.config.get("MAX_CONTENT_LENGTH") if chunked else None
        environ["wsgi.input"] = BoundedInput(environ["wsgi.input"], limit)
        return self.wsgi_app(environ, start_response)


def init_app(app) -> None:
    app.wsgi_app = LimitMiddleware(app.wsgi_app, app.config)
