"""Screen runners over HTTP: one intake, or a club's roster in one request.

    POST /v1/screenings         one intake (JSON) -> its result
    POST /v1/screenings/batch   a JSON array of intakes or a CSV roster (text/csv) -> per-row results and errors

Both need a credential with the scope `screen` (api/access). Neither takes an
HTML form's body (urlencoded or multipart, 415): a form on another site could
send one without the browser asking first. The clinic form posts to its own
page, which checks its CSRF token.

The core validates every intake (its errors are already keyed by field path;
a JSON intake is first offered to its compiled fast path) and screens it;
this module only reads bodies and writes answers. Results are built as
plain data by the core and sent as JSON directly: ResultSchema documents them
(the contract tests check every result against it) but is not run per request.
"""

from flask import current_app
from flask_smorest import Blueprint

from api.access import requires
from api.access.principal import SCREEN
from api.operations import metrics
from api.operations.screener_binding import screener
from api.operations.store_binding import TEAM_PARAMETER, team
from api.operations.store_binding import screen as screen_and_store
from api.plumbing.body import media_type, parse_json, raw_body
from api.plumbing.limits import limit_body
from api.plumbing.openapi import CSV, JSON, REQUEST_ID_HEADER, REQUEST_ID_PARAMETER, intake_body, problems
from api.v1 import roster_request
from screening.result.schema import ResultSchema

blp = Blueprint(
    "screenings", __name__, url_prefix="/v1/screenings", description="Screen runners for soleus (calf) strain risk"
)


def no_store(payload, status: int = 200):
    """A JSON response that shared caches must not keep: it is health data."""
    response = current_app.json.response(payload)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


@blp.post("")
@requires(SCREEN, "screen")
@blp.doc(
    parameters=[TEAM_PARAMETER, REQUEST_ID_PARAMETER],
    requestBody=intake_body("One runner's intake (JSON; an HTML form's body is refused with 415)."),
)
@blp.response(
    200,
    ResultSchema,
    headers=REQUEST_ID_HEADER,
    description="The screening result: risk, referral, and the rules that fired with their evidence",
)
@blp.doc(
    responses=problems(
        400,
        408,
        413,
        s415="Not application/json (urlencoded, multipart and text/plain bodies are always refused)",
        s422="Invalid intake (`errors` lists every problem by field path), or an invalid `team`",
        s503="The history store is on and the screening could not be stored: nothing was stored",
    )
)
def screen():
    """Screen one runner

    Validates the intake (every error is reported, by field path, in one 422)
    and returns the result: the risk score and band, the referral, the
    recommendations and, for every rule that fired, the inputs it read, its
    condition, points and evidence. The same intake and ruleset version always
    give the same result (apart from `screening_id` and `screened_at`).
    When the service keeps history (the default) the screening is stored
    first, under the credential's team (or `team`, one it holds), and the
    result says `"stored": true`; it is then shown again by GET
    /v1/screenings/{screening_id}. Needs the scope `screen`.
    """
    key = team()
    limit_body(current_app.config["INTAKE_MAX_CONTENT_LENGTH"], "INTAKE_MAX_CONTENT_LENGTH")
    media_type(JSON)
    core = screener()
    body = raw_body()
    # The fast path takes most valid intakes; marshmallow judges the rest and names every error.
    intake = core.accept_json(body)
    if intake is None:
        intake = core.validate(parse_json(body))
    result, stored = screen_and_store(core, intake, key)
    if stored is None:
        return no_store(result)
    response = current_app.response_class(stored, mimetype=JSON)
    response.headers["Cache-Control"] = "no-store"
    return response


@blp.post("/batch")
@requires(SCREEN, "screen_batch")
@blp.doc(
    parameters=[REQUEST_ID_PARAMETER],
    requestBody={
        "required": True,
        "description": "A JSON array of intakes, or a CSV roster (text/csv; a multipart upload is refused, 415) "
        "whose header names the intake's dotted fields (`runner.id`, `heel_raise.left`, "
        "`training.weekly_distance` as ';'-separated numbers, ...). At most BATCH_MAX_ROWS rows "
        "(default 10,000), else 413.",
        "content": {
            JSON: {
                "schema": {
                    "type": "array",
                    "items": {},
                    "description": (
                        "Intakes (see Intake). Each item is validated on its own: an invalid one gets a row error, "
                        "the others are still screened."
                    ),
                }
            },
            CSV: {"schema": {"type": "string", "description": "UTF-8 CSV with a header row"}},
        },
    },
)
@blp.response(
    200,
    roster_request.BatchSchema,
    headers=REQUEST_ID_HEADER,
    description="A result or the errors for every row, numbered from 1, and a summary",
)
@blp.doc(
    responses=problems(
        408,
        s415="Not application/json or text/csv (urlencoded, multipart and text/plain bodies are always refused)",
        s400="Malformed body: not JSON, or a CSV that cannot be read as a roster (bad quoting, wrong cell "
        "count, not UTF-8, unknown or missing columns); `row` names the row (0 = header)",
        s413="More rows than BATCH_MAX_ROWS (`limit` says how many), or a body past MAX_CONTENT_LENGTH",
        s422="A JSON body that is not an array of intakes",
    )
)
def screen_batch():
    """Screen a roster

    Each row (array item or CSV data row, numbered from 1) gets its own result
    or its own errors by field path: one bad row never loses the others. The
    summary counts the rows by risk band and the referrals by urgency.
    Nothing is stored; each screened runner is recorded in the audit trail.
    Needs the scope `screen`.
    """
    key = team()
    kind = media_type(JSON, CSV)
    core = screener()
    answer = roster_request.screen(core, kind)
    roster_request.audit_rows(answer, key)
    metrics.roster_rows(answer["summary"])
    return no_store(answer)
