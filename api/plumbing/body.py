"""Read a request body in the media types an operation takes, with the right error for each failure.

Wrong media type -> 415 (with `Accept-Post`; the JSON API refuses a form's
body before any view, api/access/boundary.py, so JSON sent as curl's
`--data` default is a 415 too); body past MAX_CONTENT_LENGTH -> 413, with or
without Content-Length (see api/plumbing/limits.py for chunked bodies); JSON that does
not parse, however deeply nested, that is not UTF-8 (UTF-16 and UTF-32 are
refused, RFC 8259 section 8.1), that repeats a key in one object (the last
would silently win: `"calf_swelling": true, "calf_swelling": false`) or holds
an integer past Python's 4,300 digits -> 400. Whether the parsed content is a valid intake is the
core's business (422), not this module's.
"""

import json
import sys

from flask import request
from werkzeug.exceptions import BadRequest

from api.plumbing.problems import Problem
from screening.intake.json_keys import DuplicateKey, unique_object

CHUNK = 64 * 1024


def media_type(*accepted: str) -> str:
    """Return the request's media type if the operation takes it, else raise 415."""
    given = request.mimetype
    if given in accepted:
        return given
    raise Problem(
        415,
        f"Send the body as {' or '.join(accepted)}; got {given or 'no Content-Type'}.",
        headers={"Accept-Post": ", ".join(accepted)},
    )


def raw_body() -> bytes:
    """The body's bytes, read once and not kept (werkzeug raises 413 past MAX_CONTENT_LENGTH)."""
    return request.get_data(cache=False)


UTF8_BOM = b"\xef\xbb\xbf"


def json_body():
    """The parsed JSON body; 400 if it is not JSON (empty, not UTF-8, bad syntax, nested past recursion)."""
    return parse_json(raw_body())


def parse_json(data: bytes):
    """`data` parsed as JSON; 400 if it is not JSON (empty, not UTF-8, bad syntax, nested past recursion)."""
    if not data.strip():
        raise BadRequest("The body is empty: expected JSON.")
    text = _utf8(data)
    try:
        return json.loads(text, object_pairs_hook=unique_object)
    except DuplicateKey as error:
        raise BadRequest(f"The body is not valid JSON: {error}.") from None
    except (ValueError, RecursionError) as error:
        raise BadRequest(f"The body is not valid JSON: {_reason(error)}.") from None


def _utf8(data: bytes) -> str:
    """The body as text; 400 unless it is UTF-8 (json.loads would also take UTF-16 and UTF-32 bytes)."""
    if data.startswith(UTF8_BOM):
        data = data[len(UTF8_BOM) :]
    # A NUL byte cannot be in JSON text (it must be escaped): UTF-16/32 put one beside every ASCII character.
    nul = data.find(b"\x00")
    if nul >= 0:
        raise BadRequest(f"The body is not UTF-8 text (a NUL byte at byte {nul}; UTF-16 or UTF-32?): send UTF-8 JSON.")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadRequest(f"The body is not UTF-8 text (byte {error.start} is not UTF-8): send UTF-8 JSON.") from None


def _reason(error: Exception) -> str:
    if isinstance(error, RecursionError):
        return "nested too deeply"
    if "int_max_str_digits" in str(error):  # "Exceeds the limit (4300 digits) ...; use sys.set_int_max_str_digits()"
        return f"a number has more than {sys.get_int_max_str_digits():,} digits"
    return str(error)


def binary_chunks(stream):
    """Yield a stream's bytes in chunks (for the incremental UTF-8 decoder)."""
    while chunk := stream.read(CHUNK):
        yield chunk
