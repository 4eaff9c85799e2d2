"""The notification ledger for the administrator: every message sent or kept in the outbox, and
invitations not yet taken up, each with a button that makes a fresh link and sends it again."""

from __future__ import annotations

from flask import abort, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from audit_app.admin.routes import bp
from audit_app.data import accounts
from audit_app.data.notifications import outbox
from audit_app.extensions import db
from audit_app.forms import ConfirmForm
from audit_app.mail import mail_configured
from audit_app.models import Invitation, User
from audit_app.security import roles_required
from audit_app.transactions import saved
from audit_tools.states import Role

# Kinds whose body carries text someone typed for one reader (the reason a return was sent back goes to
# its auditor only): the page shows who, what and when, never that text.
PRIVATE_KINDS = frozenset({"return-sent-back"})


def invitations_not_taken_up() -> list[User]:
    """Active people with an unused invitation and no password of their own yet."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.id.in_(select(Invitation.user_id).where(Invitation.used_at.is_(None))), User.active)
            .order_by(User.display_name, User.id)
        )
    )


@bp.get("/outbox")
@roles_required(Role.ADMIN)
def notifications() -> ResponseReturnValue:
    """What the workbench has sent, or would have sent: newest first, UK time."""
    return render_template(
        "admin/outbox.html",
        page=outbox(),
        mail_on=mail_configured(),
        invited=invitations_not_taken_up(),
        form=ConfirmForm(),
        private_kinds=PRIVATE_KINDS,
    )


@bp.post("/users/<int:user_id>/invitation")
@roles_required(Role.ADMIN)
def resend_invitation(user_id: int) -> ResponseReturnValue:
    """A fresh single-use link for someone who has not taken up their invitation, e-mailed again."""
    user = db.session.get(User, user_id) or abort(404)
    if user not in invitations_not_taken_up():
        abort(404)
    if ConfirmForm().validate_on_submit():
        sent_to = "sent" if mail_configured() else "kept in the outbox below"
        with saved(
            f"A new invitation link for {user.display_name} was made and {sent_to}; the old link no longer works."
        ):
            accounts.invite(user, current_user)
    return redirect(url_for("admin.notifications"))
