"""Reminders to agencies that still owe returns, sent when the coordinator presses the button (the
scheduled ones are in ``notices``); both go through the notification ledger."""

from __future__ import annotations

from email.message import EmailMessage

from sqlalchemy import select

from audit_app.data.audits import outstanding_returns
from audit_app.data.events import record_event
from audit_app.data.notifications import send_once
from audit_app.extensions import db
from audit_app.models import Agency, Assignment, Audit, User, UserRole, utcnow
from audit_tools.states import Role
from audit_tools.text import long_date


def reminder_messages(audit: Audit, returns_url: str) -> list[EmailMessage]:
    """One message per auditor of each agency that still owes returns, listing the cases."""
    owed: dict[str, list[str]] = {}
    for item in outstanding_returns(audit):
        owed.setdefault(item.agency, []).append(item.reference)
    auditors = db.session.execute(
        select(Agency.id, Agency.name, User.id, User.email)
        .join(User, User.agency_id == Agency.id)
        .join(UserRole)
        .where(UserRole.role == Role.AUDITOR, User.active, Agency.name.in_(owed))
    ).all()
    named = set(
        db.session.execute(
            select(Assignment.agency_id, Assignment.user_id).where(Assignment.audit_id == audit.id)
        ).all()
    )
    named_agencies = {agency_id for agency_id, _user in named}
    return [
        _message(audit, agency, email, owed[agency], returns_url)
        for agency_id, agency, user_id, email in auditors
        if agency_id not in named_agencies or (agency_id, user_id) in named
    ]


def _message(audit: Audit, agency: str, email: str, references: list[str], returns_url: str) -> EmailMessage:
    message = EmailMessage()
    message["To"] = email
    due = f" by {long_date(audit.returns_due)}" if audit.returns_due else ""
    message["Subject"] = (
        f"Reminder: {len(references)} return{'s' if len(references) != 1 else ''} due{due} – {audit.title}"
    )
    message.set_content(
        f"{agency} still has {len(references)} return{'s' if len(references) != 1 else ''} to complete for "
        f"{audit.title}{due}:\n\n"
        + "\n".join(f"  - case {ref}" for ref in references)
        + f"\n\nOpen them in My returns: {returns_url}"  # send_once adds the note on case details
    )
    return message


def send_reminders(audit: Audit, returns_url: str, user: User | None) -> int:
    """Record one reminder per auditor who owes returns in the ledger (sent once the request commits,
    or kept in the outbox with no MAIL_SERVER); each press of the button is a message of its own."""
    stamp = utcnow().isoformat(timespec="microseconds")
    messages = reminder_messages(audit, returns_url)
    for n, message in enumerate(messages):
        send_once(
            f"reminder:{audit.id}:{stamp}:{n}",
            str(message["To"]),
            str(message["Subject"]),
            message.get_content().rstrip("\n"),
            kind="return-reminder",
            object_type="audit",
            object_id=audit.id,
        )
    record_reminders(audit, user, len(messages))
    return len(messages)


def record_reminders(audit: Audit, user: User | None, sent: int) -> None:
    record_event("reminders.sent", "audit", audit.id, user=user, after={"messages": sent})
