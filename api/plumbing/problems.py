"""Answer every error with one documented shape: RFC 9457 problem details.

    {"type": "about:blank", "title": "Unprocessable Content", "status": 422,
     "detail": "The intake is invalid: see errors.", "request_id": "...",
     "errors": {"training.weekly_distance.3": ["Expected a number, got a string."]}}

`errors` (field path -> messages) comes with 422; `row` with a CSV that cannot
be read; `limit` with a batch past its row limit. A 500 says nothing about the
internals: the traceback goes to the log, keyed by the same request id.

Every answer's status line carries RFC 9110's reason phrase (`reason_phrase`),
whichever face made it: werkzeug would write "422 UNPROCESSABLE ENTITY" for a
FHIR OperationOutcome or the form, beside problem+json's "Unprocessable
Content"; gunicorn's own refusals (api/plumbing/worker.py) use the same phrases.
"""

from http import HTTPStatus

from flask import current_app
from marshmallow import Schema, fields
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed

from api.plumbing.json_provider import encode
from api.plumbing.requestlog import current_request_id
from screening import IntakeError

PROBLEM_JSON = "application/problem+json"


class ProblemSchema(Schema):
    """An error (RFC 9457 problem details); documents every non-2xx response."""

    type = fields.String(required=True, metadata={"description": "Always about:blank: the status says what kind"})
    title = fields.String(required=True, metadata={"description": "The HTTP status phrase"})
    status = fields.Integer(required=True, metadata={"description": "The HTTP status code"})
    detail = fields.String(required=True, metadata={"description": "What went wrong and how to fix it"})
    request_id = fields.String(required=True, metadata={"description": "Same as the X-Request-ID header"})
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "422 only: messages by field path, e.g. training.weekly_distance.3"},
    )
    row = fields.Integer(metadata={"description": "CSV only: the 1-based data row that cannot be read (0 = header)"})
    limit = fields.Integer(metadata={"description": "Batch only: the most rows one request may hold"})
    scope = fields.String(metadata={"description": "403 only: the scope the operation needs"})
    store = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        metadata={
            "description": "Optional (added by issue 23), /ready 503 only: why the database cannot be written, "
            "`code` (SQLite's result code name, PostgreSQL's SQLSTATE, or the driver's error class) and `message` "
            "(the database's own words)"
        },
    )


class Problem(HTTPException):
    """An HTTP error with a specific detail and extension members; raise it from a view."""

    def __init__(self, status: int, detail: str, *, headers: dict | None = None, **extra):
        self.code = status
        self.extra = extra
        self.extra_headers = headers or {}
        super().__init__(description=detail)


def problem_response(status: int, title: str, detail: str, headers=None, **extra):
    body = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        "request_id": current_request_id(),
        **extra,
    }
    # The status line carries the same phrase as `title` (werkzeug's would say "422 UNPROCESSABLE ENTITY").
    response = current_app.response_class(encode(body), status=f"{status} {title}", mimetype=PROBLEM_JSON)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def handle_http_exception(error: HTTPException):
    """Turn any werkzeug HTTP error (404, 405, 413, ...) into problem+json, keeping its headers."""
    if isinstance(error, InternalServerError) or error.code is None:
        return handle_server_error(error)
    headers = {}
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    headers.update(getattr(error, "extra_headers", {}))
    return problem_response(
        error.code, _phrase(error), error.description or _phrase(error), headers, **getattr(error, "extra", {})
    )


def handle_server_error(error):
    # Flask has already logged the original exception with its traceback.
    return problem_response(
        500,
        "Internal Server Error",
        "The service failed to answer this request. Quote the request id when reporting it.",
    )


def handle_intake_error(error: IntakeError):
    return problem_response(
        422, reason_phrase(422), "The intake is invalid: see errors, by field path.", errors=error.errors
    )


# werkzeug and Python 3.11 still say "Request Entity Too Large" / "Unprocessable Entity"; RFC 9110 renamed them.
RENAMED = {413: "Content Too Large", 422: "Unprocessable Content"}


def reason_phrase(status: int) -> str:
    """RFC 9110's reason phrase for `status` ("Unprocessable Content"), or "" for a code it does not name."""
    if status in RENAMED:
        return RENAMED[status]
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _phrase(error: HTTPException) -> str:
    return reason_phrase(error.code) if error.code else error.name


def with_reason_phrase(response):
    """Give the status line RFC 9110's phrase (werkzeug upper-cases its own, and names 413 and 422 the old way)."""
    phrase = reason_phrase(response.status_code)
    if phrase:
        response.status = f"{response.status_code} {phrase}"
    return response


def init_app(app) -> None:
    """Register the problem+json handlers on `app`, and one reason phrase per status on every answer."""
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(IntakeError, handle_intake_error)
    app.after_request(with_reason_phrase)
