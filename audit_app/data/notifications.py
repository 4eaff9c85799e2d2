"""The notification ledger: every message the workbench sends, recorded once per key.

``send_once`` records a message under a key that names it (``return-sent-back:42:2026-12-06T10:00``):
a second call with the same key records nothing and returns False, so nobody is sent the same message
twice, also when two servers run ``flask notify run`` at once (each run takes ``notify_lock`` first).
The message is sent through ``audit_app.mail`` only once its transaction has committed (a rolled-back
change tells nobody); with no MAIL_SERVER it is kept in the ledger, which the admin's outbox page shows.

Messages carry pseudonymous case references and links only, never case detail.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage

from sqlalchemy import event, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from audit_app.database import begin_writing
from audit_app.extensions import db
from audit_app.mail import mail_configured, send_messages
from audit_app.models import Notification
from audit_tools.states import NotificationState

log = logging.getLogger(__name__)

PENDING = "notifications_pending"  # the session's ids of messages to send once it commits
NOTIFY_LOCK = 170017  # the PostgreSQL advisory lock key of `flask notify run`
FOOTER = (
    "\n\nThis message carries pseudonymous case references and links only. Please do not reply with case details.\n"
)


def send_once(
    key: str,
    to_email: str,
    subject: str,
    body: str,
    *,
    kind: str,
    user_id: int | None = None,
    object_type: str | None = None,
    object_id: int | None = None,
) -> bool:
    """Record the message under ``key`` and send it after commit (or keep it, with no MAIL_SERVER).

    Returns False, recording nothing, when a message with this key is already in the ledger."""
    if db.session.scalar(select(Notification.id).where(Notification.key == key)) is not None:
        return False
    notification = Notification(
        key=key,
        kind=kind,
        user_id=user_id,
        to_email=to_email,
        object_type=object_type,
        object_id=object_id,
        subject=subject[:250],
        body=body + FOOTER,
        state=NotificationState.WAITING if mail_configured() else NotificationState.KEPT,
    )
    try:
        with db.session.begin_nested():  # a key another transaction has just recorded: nothing is sent twice
            db.session.add(notification)
    except IntegrityError:
        return False
    if notification.state == NotificationState.WAITING:
        db.session.info.setdefault(PENDING, []).append(notification.id)
    return True


def retry_failed() -> int:
    """Send again, after commit, the messages the mail server refused or did not answer (none without MAIL_SERVER)."""
    if not mail_configured():
        return 0
    ids = list(db.session.scalars(select(Notification.id).where(Notification.state == NotificationState.FAILED)))
    if ids:
        db.session.execute(update(Notification).where(Notification.id.in_(ids)).values(state=NotificationState.WAITING))
        db.session.info.setdefault(PENDING, []).extend(ids)
    return len(ids)


def notify_lock() -> None:
    """Hold the lock that makes runs of `flask notify run` take turns until this transaction ends:
    PostgreSQL's advisory lock, SQLite's write lock."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": NOTIFY_LOCK})
    else:
        begin_writing(connection)


@event.listens_for(Session, "after_commit")
def _deliver_after_commit(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint released: the transaction goes on
        return
    ids = session.info.pop(PENDING, None)
    if ids:
        deliver(ids)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    if session.in_nested_transaction():
        return
    session.info.pop(PENDING, None)


def deliver(ids: list[int]) -> int:
    """Send the committed messages ``ids`` over one SMTP connection, on a connection of their own, and
    mark each sent (or failed: it stays in the ledger for the admin to see). Returns how many went."""
    with db.engine.begin() as connection:
        rows = connection.execute(
            select(Notification.id, Notification.to_email, Notification.subject, Notification.body).where(
                Notification.id.in_(ids), Notification.state == NotificationState.WAITING
            )
        ).all()
        messages = []
        for _id, to_email, subject, body in rows:
            message = EmailMessage()
            message["To"] = to_email
            message["Subject"] = subject
            message.set_content(body)
            messages.append(message)
        try:
            sent = send_messages(messages) if messages else 0
        except (OSError, smtplib.SMTPException, RuntimeError) as error:
            log.warning("Notifications not sent (%s): %s", type(error).__name__, len(messages))
            state, sent_at, sent = NotificationState.FAILED, None, 0
        else:
            state, sent_at = NotificationState.SENT, datetime.now(UTC)
        if rows:
            connection.execute(
                update(Notification)
                .where(Notification.id.in_([row[0] for row in rows]))
                .values(state=state, sent_at=sent_at)
            )
    return sent


@dataclass(frozen=True)
class OutboxPage:
    notifications: list[Notification]
    total: int


def outbox(limit: int = 200) -> OutboxPage:
    """The newest messages in the ledger, newest first, with how many there are in all."""
    rows = list(
        db.session.scalars(
            select(Notification).order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)
        )
    )
    total = db.session.scalar(select(db.func.count(Notification.id))) or 0
    return OutboxPage(rows, total)
