"""The full result page a CDS card links to, without storing anything.

    GET /cds-services/soleus-screen/result?token=...

The token is the screened intake with the screening's id and time, compressed,
encrypted and signed (Fernet, keyed from SECRET_KEY) and valid for CDS_RESULT_LINK_TTL
seconds (default 3600): the page screens it again with that id and time, so
it shows the very result the card summarised. It sits in the query string,
which the request log never writes. Any other token is a 404. The page is the
clinic form's result page, with the same headers. Not part of the JSON API's
spec: it is a page, like the form.
"""

import base64
import hashlib
import json
import zlib

from cryptography.fernet import Fernet, InvalidToken
from flask import Blueprint, current_app, render_template, request, url_for

from api.operations.screener_binding import screener
from api.pages import clinic_note, form
from api.plumbing.json_provider import encode
from api.plumbing.problems import Problem

RESULT_LINK_TTL = 3600
bp = Blueprint("cds_pages", __name__)


def _fernet() -> Fernet:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(b"soleus-screen cds result link\0" + secret).digest()))


def result_path(intake: dict, result: dict) -> str:
    """The page's path with the token for this result."""
    content = {"intake": intake, "screening_id": result["screening_id"], "screened_at": result["screened_at"]}
    token = _fernet().encrypt(zlib.compress(encode(content))).decode()
    return url_for("cds_pages.result_page", token=token)


@bp.get("/cds-services/soleus-screen/result")
def result_page():
    """Show the full result a card links to."""
    ttl = int(current_app.config.get("CDS_RESULT_LINK_TTL", RESULT_LINK_TTL))
    try:
        content = json.loads(zlib.decompress(_fernet().decrypt(request.args.get("token", ""), ttl=ttl)))
    except (InvalidToken, ValueError, zlib.error):
        raise Problem(404, "This result link is not valid or has expired: open the runner's record again.") from None
    core = screener()
    intake = core.validate(content["intake"])
    result = core.screen_valid(intake, screening_id=content["screening_id"], screened_at=content["screened_at"])
    page = render_template("clinic/result.html", **clinic_note.note_context(result, intake, core.ruleset))
    return form.protect_page(current_app.make_response(page))
