"""One request's bytes as the worker's event loop gathers them, and what a thread then reads them through.

`PendingRequest` takes the bytes as they arrive and says when the request is
whole: by Content-Length, or by following a chunked body's framing as it comes
(no byte looked at twice). The first BUFFER bytes stay in memory, the rest go
to a temporary file, so a 16 MiB roster costs 256 KiB of memory while it
arrives. `GatheredUnreader` is gunicorn's socket reader reading that file
first; `TimedSocket` holds every read a thread still makes from the socket to
the request's deadline, not only to a timeout per recv.
"""

import re
import socket
import tempfile
import time
from typing import IO

from gunicorn.http.unreader import SocketUnreader

READ_TIMEOUT = 30.0  # seconds a client may take to send its request (and to read the answer)
BUFFER = 256 * 1024  # bytes of a request gathered in memory; the rest goes to a temporary file
MAX_BODY = 16 * 1024 * 1024  # the app's MAX_CONTENT_LENGTH unless the server is told otherwise
MAX_CHUNK_LINE = 4096  # a chunk-size line longer than this is malformed framing, for gunicorn's parser to refuse
RECV = 64 * 1024

_CONTENT_LENGTH = re.compile(rb"\r\ncontent-length[ \t]*:[ \t]*([0-9]+)[ \t]*(?=\r\n|$)", re.IGNORECASE)
_CHUNKED = re.compile(rb"\r\ntransfer-encoding[ \t]*:[^\r\n]*chunked", re.IGNORECASE)
_EXPECT = re.compile(rb"\r\nexpect[ \t]*:", re.IGNORECASE)


class PendingRequest:
    """The bytes of one request as they arrive; `feed` says when it is all in (or must be handed over as it is).

    The first BUFFER bytes stay in `data`; the rest is written to `spill`, a
    temporary file. Chunked framing is followed as the bytes arrive, so no
    byte is looked at twice.
    """

    def __init__(self, deadline: float, max_body: int | None = MAX_BODY):
        self.deadline = deadline
        self.max_body = max_body
        self.data = bytearray()
        self.spill: IO[bytes] | None = None  # a temporary file, once the request passes BUFFER
        self.size = 0  # bytes gathered
        self._body_start = -1  # where the body starts, once the head is in
        self._length: int | None = None  # Content-Length, when not chunked
        self._chunked = False
        self._skip = 0  # chunked: bytes of the current chunk (and its CRLF) still to come
        self._line = b""  # chunked: the part of a chunk-size line received so far
        self._trailer: bytes | None = None  # chunked: after the last chunk, the trailer so far

    def feed(self, data: bytes) -> bool:
        """Take the next bytes; True once the request is whole (or cannot be gathered any further here)."""
        spilled = self._keep(data)
        if self._body_start < 0:
            head_end = self._read_head()
            if head_end < 0:
                return len(self.data) >= BUFFER  # a head this long is gunicorn's to refuse (431)
            if self._length is not None and self.max_body is not None and self._length > self.max_body:
                return True  # announced past the limit: the app answers 413 without reading it
            data = bytes(self.data[head_end:]) + spilled  # the body's bytes so far
        if self._chunked:
            if self._chunks_complete(data):
                return True
            return self.max_body is not None and self.size - self._body_start > self.max_body
        assert self._length is not None
        return self.size - self._body_start >= self._length

    def _keep(self, data: bytes) -> bytes:
        """Hold `data`: in memory up to BUFFER, the rest in the spill file; returns what was spilled."""
        room = BUFFER - len(self.data)
        if room > 0:
            self.data += data[:room]
            data = data[room:]
        if data:
            if self.spill is None:
                self.spill = tempfile.TemporaryFile()  # noqa: SIM115 (closed by the unreader or on drop)
            self.spill.write(data)
        self.size = len(self.data) + (self.spill.tell() if self.spill is not None else 0)
        return data

    def _read_head(self) -> int:
        """Where the body starts once the head is in (its framing noted), else -1."""
        end = self.data.find(b"\r\n\r\n")
        if end < 0:
            # A head with bare LF line ends is gunicorn's to refuse; an incomplete one waits.
            if b"\n\n" in self.data:
                self._body_start, self._length = len(self.data), 0
                return self._body_start
            return -1
        head = bytes(self.data[:end])
        self._body_start = end + 4
        if _EXPECT.search(head):
            # The client waits for "100 Continue" before its body: gunicorn sends it once a thread reads on.
            self._length = 0
        elif _CHUNKED.search(head):
            self._chunked = True
        else:
            match = _CONTENT_LENGTH.search(head)
            self._length = int(match.group(1)) if match else 0
        return self._body_start

    def _chunks_complete(self, data: bytes) -> bool:
        """Follow the chunked framing through `data`, the body bytes just received; True at its end."""
        at = 0
        while at < len(data):
            if self._trailer is not None:
                self._trailer += data[at:]
                break
            if self._skip:
                taken = min(self._skip, len(data) - at)
                self._skip -= taken
                at += taken
                continue
            line_end = data.find(b"\n", at)
            if line_end < 0:
                self._line += data[at:]
                return len(self._line) > MAX_CHUNK_LINE
            line, self._line = self._line + data[at : line_end + 1], b""
            at = line_end + 1
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                return True  # malformed framing: gunicorn's parser answers it
            if size == 0:
                self._trailer = b""
            else:
                self._skip = size + 2
        # Trailers, if any, end with an empty line (the last chunk's own line end counts as the first CRLF).
        return self._trailer is not None and (b"\r\n" + self._trailer).find(b"\r\n\r\n") >= 0

    def close(self) -> None:
        if self.spill is not None:
            self.spill.close()
            self.spill = None


class GatheredUnreader(SocketUnreader):
    """gunicorn's socket reader, reading first what was gathered past BUFFER into a temporary file."""

    def __init__(self, sock, spill):
        super().__init__(sock)
        self.spill = spill
        if spill is not None:
            spill.seek(0)

    def chunk(self, size_hint=None):
        if self.spill is not None:
            # As gunicorn's own reads, at most max_body_chunk at once: the parser copies what it buffers.
            data = self.spill.read(min(max(size_hint or 0, RECV), self.max_body_chunk))
            if data:
                return data
            self.close_spill()
        return super().chunk(size_hint)

    def close_spill(self) -> None:
        if self.spill is not None:
            self.spill.close()
            self.spill = None

    def keep_rest(self) -> None:
        """Move what the request left unread of the file (a next request, pipelined) into the buffer."""
        if self.spill is not None:
            rest = self.spill.read()
            self.close_spill()
            if rest:
                self.unread(rest)


class DeadlinePassed(TimeoutError):
    """The request was not all in by its deadline (READ_TIMEOUT from its first byte)."""


class TimedSocket(socket.socket):
    """A client socket that keeps a timeout where gunicorn asks for a blocking one, and a deadline for reading.

    `deadline` (time.monotonic()) bounds every read a thread makes for the
    request: each recv waits at most until then, not a whole timeout again.
    """

    read_timeout = READ_TIMEOUT
    deadline: float | None = None

    def setblocking(self, flag) -> None:
        super().settimeout(self.read_timeout if flag else 0.0)

    def recv(self, size, *flags):
        return self._by_deadline(super().recv, size, *flags)

    def recv_into(self, buffer, *args):
        return self._by_deadline(super().recv_into, buffer, *args)

    def _by_deadline(self, read, *args):
        self._until_deadline()
        try:
            return read(*args)
        finally:
            self._restore()

    def _until_deadline(self) -> None:
        timeout = self.gettimeout()
        if self.deadline is None or not timeout:  # non-blocking (the event loop's reads), or no deadline
            return
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise DeadlinePassed(f"the request was not sent whole within {self.read_timeout:g} s")
        if left < timeout:
            super().settimeout(left)

    def _restore(self) -> None:
        timeout = self.gettimeout()
        if timeout and timeout != self.read_timeout:
            super().settimeout(self.read_timeout)
