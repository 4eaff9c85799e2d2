"""A person's own account: password, authenticator app and recovery codes.

Changing any of the things a person signs in with needs the ones they have now (the password,
and for the second factor also a current code or recovery code), counted by the same throttle as
signing in, so a session left open at a desk is not enough to take the account over.
"""

from collections.abc import Callable
from typing import TypeVar

import segno
from flask import flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm

from audit_app.auth import notices
from audit_app.auth.forms import (
    AddAuthenticatorForm,
    ChangePasswordForm,
    CodeForm,
    ProveItIsYouForm,
    ReplaceAuthenticatorForm,
)
from audit_app.auth.routes import ALL_ROLES, PENDING, THROTTLED, _client_ip, _pending_user, _typed, bp
from audit_app.data import accounts, throttle
from audit_app.data.events import record_event
from audit_app.extensions import db
from audit_app.models import AuthenticatorDraft, User
from audit_app.security import roles_required, start_session
from audit_app.transactions import saved

DRAFT = "authenticator_draft"  # session key: a random reference to the key being set up, never the key
CODES = "codes"  # the recovery-codes form's prefix: its fields share names with the password form's
DRAFT_EXPIRED = (
    "The key on this page had expired, so here is a new one. Scan the new QR code (or type the new "
    "key) and enter the code the app shows."
)
T = TypeVar("T")  # what a change proven by `_proven` returns


@bp.route("/account/authenticator", methods=["GET", "POST"])
def mfa_setup() -> ResponseReturnValue:
    """Set up a first authenticator app (half signed in, where the role requires one, or signed in),
    or replace one, signed in only, with the password and a current code. The key being set up stays
    on the server; this browser's session holds only a random reference to it."""
    user = _setup_user()
    if user is None:
        return redirect(url_for("auth.second_factor" if _pending_user() else "auth.login"))
    replacing = bool(user.mfa_secret)
    form = (
        ReplaceAuthenticatorForm()
        if replacing
        else AddAuthenticatorForm()
        if current_user.is_authenticated
        else CodeForm()
    )
    draft = accounts.open_draft(user, session.get(DRAFT))
    if form.validate_on_submit():
        if draft is None:
            form.code.errors = [*form.code.errors, DRAFT_EXPIRED]
        elif done := (_replace_authenticator if replacing else _first_authenticator)(user, draft, form):
            return done
    if draft is None:
        session[DRAFT], draft = accounts.start_draft(user)
    db.session.commit()
    return _setup_page(user, draft, form), 422 if request.method == "POST" else 200


def _setup_user() -> User | None:
    """Who may be on the set-up page: anyone signed in, or a half-signed-in person with no authenticator
    yet. A password alone never replaces an authenticator, or anyone who learnt it could take over."""
    if current_user.is_authenticated:
        return db.session.get(User, current_user.id)
    user = _pending_user()
    return user if user is not None and not user.mfa_secret else None


def _first_authenticator(user: User, draft: AuthenticatorDraft, form: CodeForm | AddAuthenticatorForm) -> str | None:
    if current_user.is_authenticated:
        codes = _proven(
            user, form, lambda: accounts.add_mfa(user, draft.secret, _typed(form.current_password), _typed(form.code))
        )
        if codes is None:
            return None
        session.pop(DRAFT, None)
        return render_template("auth/recovery_codes.html", codes=codes, next_url=url_for("auth.account"))
    with saved(tell=False) as outcome:
        codes = accounts.enrol_mfa(user, draft.secret, _typed(form.code))
        session.pop(DRAFT, None)
        next_url = session.pop(PENDING)["next"]
        record_event("user.login", "user", user.id, user=user)
    if not outcome.ok:
        form.code.errors = [*form.code.errors, str(outcome.error)]
        return None
    start_session(user)
    return render_template("auth/recovery_codes.html", codes=codes, next_url=next_url)


def _replace_authenticator(user: User, draft: AuthenticatorDraft, form: ReplaceAuthenticatorForm) -> str | None:
    codes = _proven(
        user,
        form,
        lambda: accounts.replace_mfa(
            user, draft.secret, _typed(form.current_password), _typed(form.current_code), _typed(form.code)
        ),
    )
    if codes is None:
        return None
    start_session(user)  # this browser stays signed in; every other session has ended
    notices.authenticator_changed(user)
    db.session.commit()
    return render_template("auth/recovery_codes.html", codes=codes, next_url=url_for("auth.account"))


def _setup_page(user: User, draft: AuthenticatorDraft, form: FlaskForm) -> str:
    uri = accounts.provisioning_uri(user, draft.secret)
    qr = segno.make(uri, error="m").svg_data_uri(scale=5, dark="#0b0c0c", light="#ffffff")
    return render_template(
        "auth/mfa_setup.html",
        form=form,
        secret=draft.secret,
        qr=qr,
        required=not current_user.is_authenticated,
        replacing=bool(user.mfa_secret),
    )


def _proven(user: User, form: FlaskForm, change: Callable[[], T]) -> T | None:
    """Run ``change`` (which checks what the person typed and raises ``FactorError`` naming the field
    that was wrong) as one sign-in try on their account; commits. Its result, or None with the
    reason shown on the form."""
    attempt = throttle.admit_attempt(_client_ip(), user.email)
    db.session.commit()  # counted before anything is checked, as at sign-in
    if attempt is None:
        form.current_password.errors.append(THROTTLED)
        return None
    with saved(tell=False, refusals=accounts.FactorError) as outcome:
        result = change()
        throttle.forgive_attempt(attempt)
    error = outcome.error
    if not isinstance(error, accounts.FactorError):
        return result
    record_event("user.reauthentication_failed", "user", user.id, user=user, after={"field": error.field})
    db.session.commit()
    form[error.field].errors.append(str(error))
    return None


@bp.get("/account")
@roles_required(*ALL_ROLES)
def account() -> ResponseReturnValue:
    return _account_page()


def _account_page(password_form: ChangePasswordForm | None = None, codes_form: ProveItIsYouForm | None = None) -> str:
    return render_template(
        "auth/account.html",
        form=password_form or ChangePasswordForm(),
        codes_form=codes_form or ProveItIsYouForm(prefix=CODES),
        mfa_required=accounts.mfa_required(current_user),
    )


@bp.post("/account/password")
@roles_required(*ALL_ROLES)
def change_password() -> ResponseReturnValue:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = db.session.get_one(User, current_user.id)
        problem = accounts.new_password_problem(user, _typed(form.password))
        if problem:
            form.password.errors = [*form.password.errors, problem]
        elif _proven(
            user, form, lambda: accounts.change_password(user, _typed(form.current_password), _typed(form.password))
        ):
            start_session(user)  # this browser stays signed in; every other session has ended
            flash("Your password has been changed. Any other sessions have been signed out.", "success")
            return redirect(url_for("auth.account"))
    return _account_page(password_form=form), 422


@bp.post("/account/recovery-codes")
@roles_required(*ALL_ROLES)
def recovery_codes() -> ResponseReturnValue:
    """New recovery codes, given the password and a current code (or an unused recovery code)."""
    user = db.session.get_one(User, current_user.id)
    if not user.mfa_secret:
        return redirect(url_for("auth.mfa_setup"))
    form = ProveItIsYouForm(prefix=CODES)
    if form.validate_on_submit():
        codes = _proven(
            user,
            form,
            lambda: accounts.replace_recovery_codes(user, _typed(form.current_password), _typed(form.current_code)),
        )
        if codes is not None:
            return render_template("auth/recovery_codes.html", codes=codes, next_url=url_for("auth.account"))
    return _account_page(codes_form=form), 422
