"""Signing in (password, then an authenticator code where required), signing out and invitations.
A person's own account (password, authenticator app, recovery codes) is in ``account_routes``."""

import time
import unicodedata
from typing import cast
from urllib.parse import unquote, urlsplit

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, logout_user
from werkzeug.wrappers import Response as BaseResponse
from wtforms import Field

from audit_app.auth.forms import CodeForm, LoginForm, NewPasswordForm
from audit_app.data import accounts, throttle
from audit_app.data.events import record_event
from audit_app.data.users import check_sign_in
from audit_app.extensions import db
from audit_app.models import User
from audit_app.security import roles_required, start_session
from audit_app.transactions import saved
from audit_tools.states import Role

bp = Blueprint("auth", __name__)

SIGN_IN_FAILED = (
    f"Enter a correct e-mail address and password. After {throttle.ACCOUNT_LIMIT} wrong attempts in "
    "5 minutes, signing in is paused for 5 minutes."
)
THROTTLED = "There have been too many attempts to sign in. Wait 5 minutes, then try again."
PENDING = "pending_sign_in"  # session key: password accepted, second factor still to come
PENDING_FOR = 600  # seconds to enter the code
MAX_NEXT = 2000  # characters: a link back into the site is never longer
ALL_ROLES = tuple(r.value for r in Role)


@bp.after_request
def _never_stored(response: Response) -> Response:
    """No page of signing in or of a person's account, signed in or not, redirect or error, is kept by a
    browser's cache or a proxy: they show keys, recovery codes and the address typed."""
    response.headers["Cache-Control"] = "no-store"
    return response


def safe_next(target: str | None) -> str:
    """A plain path on this site, else the home page: never another host, a protocol-relative URL,
    a backslash, or a control or format character, typed or percent-encoded (browsers drop a tab or
    line break, so "/<tab>/evil.example" is another host; in a header it is a 500 or an injection)."""
    home = url_for("main.index")
    if not target or len(target) > MAX_NEXT:
        return home
    seen = target
    for _ in range(4):  # each layer of percent-encoding a browser or a proxy might undo
        if not _plain_path(seen):
            return home
        seen, before = unquote(seen), seen
        if seen == before:
            break
    else:
        return home  # encoded more deeply than any honest link
    parts = urlsplit(target)
    return home if parts.scheme or parts.netloc else target


def _plain_path(text: str) -> bool:
    return (
        text.startswith("/")
        and not text.startswith("//")
        and "\\" not in text
        and not any(unicodedata.category(ch)[0] == "C" or unicodedata.category(ch) in ("Zl", "Zp") for ch in text)
    )


def _typed(field: Field) -> str:
    """What was typed in a required text field of a form that has validated (its validators refuse None)."""
    return cast(str, field.data)


def _client_ip() -> str:
    return request.remote_addr or "unknown"


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    """Sign in. Every failure gets the same message and costs the same time, known account or not;
    a paused address gets the same answer whether or not it has an account."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        email, password = _typed(form.email), _typed(form.password)
        attempt = throttle.admit_attempt(_client_ip(), email)
        db.session.commit()  # counted before the password is checked: the next try, however close, sees it
        if attempt is None:
            form.password.errors = [*form.password.errors, THROTTLED]
            return render_template("auth/login.html", form=form), 429
        user = check_sign_in(email, password)
        if user is not None:
            throttle.forgive_attempt(attempt)
            return _password_accepted(user)
        db.session.commit()  # the trail's record of a failure for a known account
        form.password.errors = [*form.password.errors, SIGN_IN_FAILED]
    return render_template("auth/login.html", form=form)


def _password_accepted(user: User) -> BaseResponse:
    """Straight in, or on to the authenticator code (or to setting one up, where the role requires it)."""
    next_url = safe_next(request.args.get("next"))
    needs_setup = not user.mfa_secret and current_app.config["MFA_ENFORCED"] and accounts.mfa_required(user)
    if user.mfa_secret or needs_setup:
        db.session.commit()
        session[PENDING] = {"user": user.get_id(), "at": time.time(), "next": next_url}
        return redirect(url_for("auth.mfa_setup" if needs_setup else "auth.second_factor"))
    return _finish_sign_in(user, next_url)


def _finish_sign_in(user: User, next_url: str) -> BaseResponse:
    record_event("user.login", "user", user.id, user=user)
    db.session.commit()
    start_session(user)
    return redirect(next_url)


def _pending_user() -> User | None:
    """The person who gave the right password a few minutes ago in this browser, if any."""
    pending = session.get(PENDING) or {}
    if time.time() - pending.get("at", 0) > PENDING_FOR:
        return None
    user_id, _, version = str(pending.get("user", "")).partition(":")
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    return user if user is not None and user.active and str(user.session_version) == version else None


@bp.route("/login/code", methods=["GET", "POST"])
def second_factor() -> ResponseReturnValue:
    user = _pending_user()
    if user is None or not user.mfa_secret:
        flash("Sign in with your e-mail address and password first.", "info")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        attempt = throttle.admit_attempt(_client_ip(), user.email)
        db.session.commit()
        if attempt is None:
            form.code.errors = [*form.code.errors, THROTTLED]
            return render_template("auth/code.html", form=form), 429
        if accounts.check_second_factor(user, _typed(form.code)):
            throttle.forgive_attempt(attempt)
            next_url = session.pop(PENDING)["next"]
            return _finish_sign_in(user, next_url)
        db.session.commit()
        form.code.errors = [*form.code.errors, "That code is not right. Check your authenticator app and try again."]
    return render_template("auth/code.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout() -> ResponseReturnValue:
    """Signing out ends this person's sessions everywhere: a copied cookie stops working too."""
    if current_user.is_authenticated:
        user = db.session.get_one(User, current_user.id)
        accounts.end_sessions(user)
        record_event("user.logout", "user", user.id, user=user)
        db.session.commit()
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.login"))


@bp.post("/session/keep-alive")
@roles_required(*ALL_ROLES)
def keep_alive() -> ResponseReturnValue:
    """The idle clock was reset by this request; the page tells the person they are still signed in."""
    return jsonify(signed_in=True)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def invitation(token: str) -> ResponseReturnValue:
    """Choose a first password from a single-use invitation link."""
    invite = accounts.open_invitation(token)
    if invite is None:
        return render_template("auth/invitation_expired.html"), 404
    form = NewPasswordForm()
    if form.validate_on_submit():
        with saved("Your password is set. Sign in to continue.", tell=False) as outcome:
            accounts.accept_invitation(invite, _typed(form.password))
        if outcome.ok:
            return redirect(url_for("auth.login"))
        form.password.errors = [*form.password.errors, str(outcome.error)]
    return render_template("auth/invitation.html", form=form, user=invite.user)


from audit_app.auth import account_routes  # noqa: E402,F401  (adds the account pages to this blueprint)
