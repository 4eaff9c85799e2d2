"""Withdrawing a briefing version's approval when it changes, and who may approve it again.

``briefing_versions.change_version`` calls ``withdraw_approval`` for every change it makes;
the ``before_flush`` guard here withdraws the approval of an approved version changed any other
way, so no code path can publish text that nobody approved. Functions flush and never commit.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

from flask import current_app, has_app_context
from sqlalchemy import event as sa_event
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session, UOWTransaction

from audit_app.data.events import record_event
from audit_app.extensions import db
from audit_app.links import external_url
from audit_app.mail import mail_configured, send_messages
from audit_app.models import AuditEvent, Briefing, User
from audit_tools.states import BriefingState


def withdraw_approval(briefing: Briefing, user: User | None) -> None:
    """Send an approved version back to draft: recorded in the trail, its approver told after the commit."""
    approver_id = briefing.approved_by_id
    briefing.state, briefing.approved_by_id, briefing.approved_at = BriefingState.DRAFT, None, None
    # States and ids only: the trail never holds typed text.
    record_event(
        "briefing.approval_withdrawn",
        "briefing",
        briefing.id,
        user=user,
        before={"state": BriefingState.APPROVED, "approved_by": approver_id},
        after={"state": BriefingState.DRAFT},
    )
    if approver_id is not None and approver_id != (user.id if user else None):
        with db.session.no_autoflush:  # read now: nothing can be read once the change is committed
            approver = db.session.get_one(User, approver_id)
            notice = _Withdrawn(approver.email, briefing.number, briefing.audit.title, briefing.audit_id)
        db.session.info.setdefault(_WITHDRAWN, []).append(notice)


_WITHDRAWN = "briefing_approvals_withdrawn"  # session.info key: approvers to tell once the change is committed
_CHANGES = ("content", "overrides")


@sa_event.listens_for(Session, "before_flush")
def _guard_approved_versions(session: Session, _context: UOWTransaction, _instances: object) -> None:
    """Withdraw the approval of an approved version whose content or overrides changed without going through
    ``change_version`` (a later change that forgot): it can then never be published unapproved."""
    for briefing in [row for row in session.dirty if isinstance(row, Briefing)]:
        state = inspect(briefing).attrs.state.history
        if state.has_changes() or briefing.state != BriefingState.APPROVED:
            continue  # approving or publishing now, or not approved: nothing to withdraw
        if any(inspect(briefing).attrs[name].history.has_changes() for name in _CHANGES):
            withdraw_approval(briefing, None)


@sa_event.listens_for(Session, "after_commit")
def _tell_approvers(session: Session) -> None:
    """E-mail each approver whose approval a committed change withdrew (when e-mail is set up)."""
    withdrawn = session.info.pop(_WITHDRAWN, [])
    if withdrawn and has_app_context() and mail_configured():
        try:
            send_messages([_withdrawn_message(notice) for notice in withdrawn])
        except (OSError, smtplib.SMTPException):  # the change is saved; the composer shows the state anyway
            current_app.logger.warning("Could not e-mail %d approver(s) about a withdrawn approval", len(withdrawn))


@sa_event.listens_for(Session, "after_rollback")
def _forget_withdrawn(session: Session) -> None:
    session.info.pop(_WITHDRAWN, None)


@dataclass(frozen=True)
class _Withdrawn:
    """What the approver's e-mail says: which version of which audit's briefing (never what changed)."""

    email: str
    number: int
    audit_title: str
    audit_id: int


def _withdrawn_message(notice: _Withdrawn) -> EmailMessage:
    message = EmailMessage()
    message["To"] = notice.email
    message["Subject"] = f"Your approval of version {notice.number} of a learning briefing was withdrawn"
    message.set_content(
        f'You approved version {notice.number} of the learning briefing for the audit "{notice.audit_title}".\n\n'
        "Someone has changed it since (a section, or a possible identifier allowed to stay or no longer allowed), "
        "so your approval was withdrawn. It cannot be published until someone other than the person who changed it "
        f"approves it again.\n\nSee the briefing: {external_url('briefings.composer', audit_id=notice.audit_id)}\n"
    )
    return message


def changed_since_approval(briefing: Briefing) -> set[int]:
    """Who has changed this version since it was last approved (nobody, if it never was): one query."""
    of_this = (AuditEvent.object_type == "briefing", AuditEvent.object_id == briefing.id)
    approved = select(func.max(AuditEvent.id)).where(*of_this, AuditEvent.action == "briefing.approved")
    return set(
        db.session.scalars(
            select(AuditEvent.user_id)
            .distinct()
            .where(
                *of_this,
                AuditEvent.id > approved.scalar_subquery(),
                AuditEvent.action.in_(CHANGE_ACTIONS),
                AuditEvent.user_id.is_not(None),
            )
        )
    )


# Trail actions that change a version; approving again needs someone who made none of them since the last approval.
CHANGE_ACTIONS = (
    "briefing.section_saved",
    "briefing.section_refreshed",
    "briefing.override",
    "briefing.override_removed",
    "briefing.approval_withdrawn",
)
