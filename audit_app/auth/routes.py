"""Signing in and out."""

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from audit_app.auth.forms import LoginForm
from audit_app.auth.passwords import check_password
from audit_app.data.events import record_event
from audit_app.data.users import find_user_by_email
from audit_app.extensions import db

bp = Blueprint("auth", __name__)

SIGN_IN_FAILED = "Enter a correct e-mail address and password. Ask your administrator if you are locked out."
LOCK_AFTER_FAILURES = 10


def safe_next(target: str | None) -> str:
    """Only a path on this site: never another host, never a protocol-relative URL."""
    if not target:
        return url_for("main.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return url_for("main.index")
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = find_user_by_email(form.email.data)
        if user and user.active and user.failed_logins < LOCK_AFTER_FAILURES \
                and check_password(user.password_hash, form.password.data):
            user.failed_logins = 0
            record_event("user.login", "user", user.id, user=user)
            db.session.commit()
            login_user(user)
            return redirect(safe_next(request.args.get("next")))
        if user:
            user.failed_logins += 1
            record_event("user.login_failed", "user", user.id)
            db.session.commit()
        form.password.errors.append(SIGN_IN_FAILED)
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.login"))
