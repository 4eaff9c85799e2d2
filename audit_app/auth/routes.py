"""Signing in and out."""

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from audit_app.auth.forms import LoginForm
from audit_app.data.events import record_event
from audit_app.data.users import check_sign_in
from audit_app.extensions import db

bp = Blueprint("auth", __name__)

SIGN_IN_FAILED = ("Enter a correct e-mail address and password. After 10 wrong attempts an account is locked "
                  "for 15 minutes.")


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
    """Sign in. Every failure gets the same message and costs the same time, known account or not."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = check_sign_in(form.email.data, form.password.data)
        if user is not None:
            record_event("user.login", "user", user.id, user=user)
            db.session.commit()
            login_user(user)
            return redirect(safe_next(request.args.get("next")))
        db.session.commit()  # keeps the failure count
        form.password.errors.append(SIGN_IN_FAILED)
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.login"))
