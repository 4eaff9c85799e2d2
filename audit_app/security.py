"""Sign-in required everywhere, role checks, and security headers."""

from __future__ import annotations

import secrets
from functools import wraps

from flask import Flask, abort, current_app, g, redirect, request, url_for
from flask_login import current_user

from audit_app.extensions import db, login_manager
from audit_app.returns import rescue
from audit_app.models import User

# Endpoints anyone may reach; every other endpoint needs a signed-in user.
PUBLIC_ENDPOINTS = frozenset({"auth.login", "static"})


def init_app(app: Flask) -> None:
    app.before_request(_require_login)
    app.before_request(_make_csp_nonce)
    app.after_request(_security_headers)
    app.context_processor(lambda: {"csp_nonce": g.get("csp_nonce", "")})


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id))


def roles_required(*roles: str):
    """Allow the view only to signed-in users holding one of ``roles`` (else 403)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = roles  # read by the route-coverage test
        return wrapped

    return decorator


def _require_login():
    if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
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


def _security_headers(response):
    nonce = g.get("csp_nonce", "")
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; "
        f"script-src 'self' 'nonce-{nonce}'; "
        "style-src 'self'; img-src 'self' data:; object-src 'none'; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    if current_user.is_authenticated:
        response.headers["Cache-Control"] = "no-store"
    if current_app.config.get("HSTS_SECONDS"):
        response.headers["Strict-Transport-Security"] = f"max-age={current_app.config['HSTS_SECONDS']}"
    return response
