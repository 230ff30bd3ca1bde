"""Read a request body in the media types an operation takes, with the right error for each failure.

Wrong media type -> 415 (with `Accept-Post`); body past MAX_CONTENT_LENGTH ->
413 (werkzeug raises it while reading); JSON that does not parse, however
deeply nested -> 400. Whether the parsed content is a valid intake is the
core's business (422), not this module's.
"""

import json

from flask import request
from werkzeug.exceptions import BadRequest

from api.problems import Problem

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


def json_body():
    """The parsed JSON body; 400 if it is not JSON (empty, not UTF-8, bad syntax, nested past recursion)."""
    return parse_json(raw_body())


def parse_json(data: bytes):
    """`data` parsed as JSON; 400 if it is not JSON (empty, not UTF-8, bad syntax, nested past recursion)."""
    if not data.strip():
        raise BadRequest("The body is empty: expected JSON.")
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as error:  # UnicodeDecodeError is a ValueError
        reason = "nested too deeply" if isinstance(error, RecursionError) else str(error)
        raise BadRequest(f"The body is not valid JSON: {reason}.") from None


def form_fields() -> dict:
    """The urlencoded form as {dotted name: text, or a list of texts when the field repeats}."""
    return {name: values[0] if len(values) == 1 else values for name, values in request.form.lists()}


def binary_chunks(stream):
    """Yield a stream's bytes in chunks (for the incremental UTF-8 decoder)."""
    while chunk := stream.read(CHUNK):
        yield chunk


def uploaded_csv():
    """The binary stream of the CSV in a multipart upload (field `file`); 400 if it is missing."""
    upload = request.files.get("file")
    if upload is None:
        names = ", ".join(sorted(request.files)) or "none"
        raise BadRequest(f"Upload the roster as a file in the form field 'file' (files sent: {names}).")
    return upload.stream
