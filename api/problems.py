"""Answer every error with one documented shape: RFC 9457 problem details.

    {"type": "about:blank", "title": "Unprocessable Content", "status": 422,
     "detail": "The intake is invalid: see errors.", "request_id": "...",
     "errors": {"training.weekly_distance.3": ["Expected a number, got a string."]}}

`errors` (field path -> messages) comes with 422; `row` with a CSV that cannot
be read; `limit` with a batch past its row limit. A 500 says nothing about the
internals: the traceback goes to the log, keyed by the same request id.
"""

from flask import current_app, json
from marshmallow import Schema, fields
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed

from api.requestlog import current_request_id
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
    response = current_app.response_class(json.dumps(body), status=f"{status} {title}", mimetype=PROBLEM_JSON)
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
        422, "Unprocessable Content", "The intake is invalid: see errors, by field path.", errors=error.errors
    )


def _phrase(error: HTTPException) -> str:
    # werkzeug still says "Request Entity Too Large" / "Unprocessable Entity"; RFC 9110 renamed them.
    renamed = {413: "Content Too Large", 422: "Unprocessable Content"}
    return renamed[error.code] if error.code in renamed else error.name


def init_app(app) -> None:
    """Register the problem+json handlers on `app`."""
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(IntakeError, handle_intake_error)
