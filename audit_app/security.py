"""Sign-in required everywhere, role checks, and security headers."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import ParamSpec

from flask import Flask, Response, abort, current_app, flash, g, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user, logout_user

from audit_app import rescue
from audit_app.extensions import db, login_manager
from audit_app.models import User

SIGNED_IN_AT, LAST_SEEN = "signed_in_at", "last_seen"  # session keys, seconds since the epoch

# Endpoints anyone may reach; every other endpoint needs a signed-in user.
PUBLIC_ENDPOINTS = frozenset(
    {
        "auth.login",
        "auth.second_factor",
        "auth.mfa_setup",
        "auth.invitation",
        "main.health",
        "main.accessibility",
        "briefings.public_page",  # a published briefing given a public address (issue 19)
        "briefings.public_pdf",
        "static",
    }
)
UNTIMED_ENDPOINTS = frozenset({"main.health", "static"})  # neither a person's activity nor a page of theirs


def init_app(app: Flask) -> None:
    app.before_request(_require_login)
    app.before_request(_make_csp_nonce)
    app.after_request(_security_headers)
    app.context_processor(lambda: {"csp_nonce": g.get("csp_nonce", "")})
    app.add_template_global(rescue.rescue_token)  # the return form's hidden rescue token
    app.add_template_global(session_seconds_left)  # the time-out warning counts down to both limits
    app.add_template_global(duration_words)


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The user of a session, unless the session has been ended (sign-out elsewhere, new password,
    account disabled): the cookie carries the session version it was signed in with."""
    user_id, _, version = session_id.partition(":")
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    if user is None or not user.active or str(user.session_version) != version:
        return None
    return user


def start_session(user: User) -> None:
    """Sign ``user`` in on this browser, with fresh idle and absolute clocks."""
    kept = {key: session[key] for key in (rescue.SESSION_KEY,) if key in session}  # typed work to restore
    session.clear()  # otherwise a new session for a new sign-in: nothing carried over from before
    session.update(kept)
    login_user(user)
    session.permanent = True
    session[SIGNED_IN_AT] = session[LAST_SEEN] = time.time()


def _session_expired() -> str:
    """Why the signed-in session has ended ("" while it is alive); refreshes the idle clock."""
    now = time.time()
    lifetime, idle = current_app.config["PERMANENT_SESSION_LIFETIME"], current_app.config["SESSION_IDLE_TIMEOUT"]
    if now - session.get(SIGNED_IN_AT, 0) > lifetime.total_seconds():
        return (
            f"You were signed out because you had been signed in for {duration_words(lifetime)}. Please sign in again."
        )
    if now - session.get(LAST_SEEN, 0) > idle.total_seconds():
        return f"You were signed out after {duration_words(idle)} without activity. Please sign in again."
    session[LAST_SEEN] = now
    return ""


def duration_words(length: timedelta) -> str:
    """A time-out in words: "12 hours", "30 minutes" (whole units only; a shortened test one in seconds)."""
    seconds = int(length.total_seconds())
    for unit, size in (("hour", 3600), ("minute", 60), ("second", 1)):
        if seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{seconds} seconds"  # pragma: no cover - every whole number of seconds is caught above


def session_seconds_left() -> int:
    """Seconds until the signed-in session reaches its absolute limit (the page warns before it)."""
    lifetime = current_app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()
    return max(0, int(session.get(SIGNED_IN_AT, 0) + lifetime - time.time()))


_P = ParamSpec("_P")
_View = Callable[_P, ResponseReturnValue]  # a view taking _P


def roles_required(*roles: str) -> Callable[[_View[_P]], _View[_P]]:
    """Allow the view only to signed-in users holding one of ``roles`` (else 403)."""

    def decorator(view: _View[_P]) -> _View[_P]:
        @wraps(view)
        def wrapped(*args: _P.args, **kwargs: _P.kwargs) -> ResponseReturnValue:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = roles  # type: ignore[attr-defined]  # a mark on the function, read by the route-coverage test
        return wrapped

    return decorator


def _require_login() -> ResponseReturnValue | None:
    if request.endpoint in UNTIMED_ENDPOINTS or request.endpoint is None:
        return None
    # Time-outs apply on the public pages too: the authenticator page serves signed-in people as well.
    if current_user.is_authenticated and (reason := _session_expired()):
        logout_user()
        for key in (SIGNED_IN_AT, LAST_SEEN):
            session.pop(key, None)
        flash(reason, "info")
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        if rescue.is_return_post() and (kept := rescue.keep_typed_work(signed_in=False)):
            return kept  # the session ended mid-return: keep what was typed, sign in, come back to it
        if request.method != "GET":  # after signing in, a browser can only come back with a GET
            return redirect(url_for("auth.login"))
        return redirect(url_for("auth.login", next=request.full_path if request.query_string else request.path))
    return None


def _make_csp_nonce() -> None:
    g.csp_nonce = secrets.token_urlsafe(16)


def _security_headers(response: Response) -> Response:
    nonce = g.get("csp_nonce", "")
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; "
        f"script-src 'self' 'nonce-{nonce}'; "
        "style-src 'self'; img-src 'self' data:; object-src 'none'; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    # same-origin, not no-referrer: over HTTPS Flask-WTF's CSRF check needs the Referer of our own
    # pages; other sites still receive nothing.
    response.headers["Referrer-Policy"] = "same-origin"
    if current_user.is_authenticated:
        response.headers["Cache-Control"] = "no-store"
    if current_app.config.get("HSTS_SECONDS"):
        response.headers["Strict-Transport-Security"] = f"max-age={current_app.config['HSTS_SECONDS']}"
    return response
