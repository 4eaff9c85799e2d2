"""Typed work is never thrown away because a session or a form expired, and nobody else can plant any.

The return form carries a rescue token the app signs (``rescue_token``): whose form it is, for which
return, and which fields it holds, valid for a day. A return posted without a signed-in user, or with
an expired form token, is kept only when that token verifies for the return posted to (and for the
signed-in user, if any) and no browser header says another site sent it. The draft is remembered in
this browser's session and brought back, unsaved and merged over the saved answers, only to the
auditor the token named, once they are signed in again.

Every refusal looks the same whatever the return id, so the answer never tells whether a return exists.
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, request, session, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from itsdangerous import BadData, URLSafeTimedSerializer
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from audit_app.data import returns as return_data
from audit_app.data.rescue import RescuedWork, RescueTicket, rescue, rescued
from audit_app.extensions import db
from audit_app.form_builder import ReturnFormBase, field_name, filled_return_form
from audit_app.models import Return
from audit_tools.tools import ToolDefinition

SESSION_KEY = "rescued_drafts"
FIELD = "rescue"  # the hidden input on the return form
TOKEN_AGE = 24 * 3600  # seconds: a page left open longer than a day cannot have its text kept
MAX_BYTES = 4 * 1024 * 1024  # a whole return, every character four UTF-8 bytes, fits well within
NOT_KEPT = (
    "Your session had ended and what you typed could not be kept: the page had been open for more "
    "than a day, or too much was sent from your network at once. Sign in and enter it again."
)
_NOT_ANSWERS = frozenset({"csrf_token", FIELD, "save_draft", "submit_return"})


def is_return_post() -> bool:
    return request.method == "POST" and request.endpoint == "returns.edit"


def rescue_token(return_id: int, form: FlaskForm) -> str:
    """The token a return form carries for the signed-in auditor: it lets what they type be kept if their
    session ends, and nobody else's post be kept in its place."""
    fields = sorted(field.name for field in form if field.name not in _NOT_ANSWERS)
    return _serializer().dumps({"u": current_user.id, "r": return_id, "f": fields})


def keep_typed_work(signed_in: bool) -> Response | None:
    """Keep the posted return and send the auditor back to it (through sign-in if needed); None when
    refused, and the caller answers as it would without any rescue."""
    return_id = (request.view_args or {})["return_id"]
    ticket = _ticket(return_id) if _sent_by_this_site() and (request.content_length or 0) <= MAX_BYTES else None
    if ticket is not None and signed_in and ticket.user_id != current_user.id:
        ticket = None
    token = rescue(ticket, list(request.form.items(multi=True)), _address_digest()) if ticket else None
    if token is None:
        if not signed_in and request.headers.get("Sec-Fetch-Site") == "same-origin":
            flash(NOT_KEPT, "error")  # only our own pages hear why: nothing set in a browser for another site
        return None
    db.session.commit()
    session[SESSION_KEY] = (session.get(SESSION_KEY, []) + [token])[-5:]
    back = url_for("returns.edit", return_id=return_id, restore=token)
    return redirect(back if signed_in else url_for("auth.login", next=back))


def restored_form(ret: Return, definition: ToolDefinition, token: str) -> ReturnFormBase | None:
    """The return form with the kept draft merged over the saved answers, or None if there is none to
    bring back (not kept in this browser, not this auditor's, or expired)."""
    work = rescued(token, ret.id, current_user.id) if token in session.get(SESSION_KEY, []) else None
    if work is None:
        return None
    form = filled_return_form(definition, return_data.load_answers(ret, definition), version=ret.version)
    choices = {field_name(q.key) for q in definition.questions if q.is_choice}
    for name, values in merged_fields(work, choices).items():
        if name in form:
            form[name].process(MultiDict([(name, value) for value in values]))
    return form


def merged_fields(work: RescuedWork, choice_fields: set[str]) -> dict[str, list[str]]:
    """The fields the draft decides, with its values; every other field keeps the saved answer.

    The draft decides each field it holds a value for. A browser sends nothing for a radio or checkbox
    left unticked, but always sends every text box, even empty: so when the draft holds every text box
    the form contained, it is the whole form as the auditor left it, and a choice it lacks was cleared.
    A draft without them all is not a whole form, and the choices it lacks keep their saved answers.
    """
    sent: dict[str, list[str]] = {}
    for name, value in work.pairs:
        if name in work.fields:
            sent.setdefault(name, []).append(value)
    whole_form = work.fields - choice_fields <= sent.keys()
    cleared: dict[str, list[str]] = (
        {name: [] for name in (work.fields & choice_fields) - sent.keys()} if whole_form else {}
    )
    return cleared | sent


def _ticket(return_id: int) -> RescueTicket | None:
    """What the posted rescue token vouches for, if the app signed it for this return within a day."""
    try:
        claims = _serializer().loads(request.form.get(FIELD, ""), max_age=TOKEN_AGE)
    except BadData:
        return None
    if not isinstance(claims, dict) or claims.get("r") != return_id or not isinstance(claims.get("u"), int):
        return None
    fields = claims.get("f")
    if not isinstance(fields, list) or not all(isinstance(name, str) for name in fields):
        return None
    return RescueTicket(user_id=claims["u"], return_id=return_id, fields=frozenset(fields))


def _sent_by_this_site() -> bool:
    """False when the browser says another site (or another origin of this site) sent the post.

    Browsers send ``Sec-Fetch-Site`` and ``Origin`` with every form post; a client without them cannot
    plant anything in someone else's browser, and still needs a valid token.
    """
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None and fetch_site != "same-origin":
        return False
    origin = request.headers.get("Origin")
    if origin is not None:
        return origin in _our_origins()
    referrer = request.headers.get("Referer")
    return referrer is None or _origin_of(referrer) in _our_origins()


def _our_origins() -> set[str]:
    origins = {_origin_of(request.host_url)}
    if current_app.config.get("APP_BASE_URL"):
        origins.add(_origin_of(current_app.config["APP_BASE_URL"]))
    return origins


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _address_digest() -> str:
    """The sending address as a keyed digest: enough to count by, nothing to read back."""
    secret: str | bytes = current_app.config["SECRET_KEY"]
    key = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(key, f"rescue:{request.remote_addr}".encode(), hashlib.sha256).hexdigest()


def _serializer() -> URLSafeTimedSerializer:
    """Signed with the app's key; the earlier keys (SECRET_KEY_FALLBACKS) still verify during a rotation."""
    keys = [*current_app.config.get("SECRET_KEY_FALLBACKS", []), current_app.secret_key]
    return URLSafeTimedSerializer(keys, salt="return-rescue")
