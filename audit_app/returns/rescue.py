"""Typed work is never thrown away because a session or a form expired.

A return posted without a signed-in user, or with an expired form token, is kept
under a random token; the token is remembered in this browser's session only, and
the form comes back, unsaved, once the auditor is signed in again.
"""

from __future__ import annotations

from flask import redirect, request, session, url_for

from audit_app.data.rescue import rescue
from audit_app.extensions import db

SESSION_KEY = "rescued_drafts"


def is_return_post() -> bool:
    return request.method == "POST" and request.endpoint == "returns.edit"


def keep_typed_work(signed_in: bool):
    """Keep the posted return and send the auditor back to it (through sign-in if needed)."""
    return_id = request.view_args["return_id"]
    token = rescue(return_id, list(request.form.items(multi=True)))
    if token is None:
        return None
    db.session.commit()
    session[SESSION_KEY] = (session.get(SESSION_KEY, []) + [token])[-5:]
    back = url_for("returns.edit", return_id=return_id, restore=token)
    return redirect(back if signed_in else url_for("auth.login", next=back))


def may_restore(token: str) -> bool:
    return token in session.get(SESSION_KEY, [])
