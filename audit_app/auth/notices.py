"""Telling a person that something about how they sign in has changed, so that a change they did
not make does not go unnoticed."""

from __future__ import annotations

import logging
import smtplib
from datetime import UTC, datetime
from email.message import EmailMessage

from audit_app.data.events import record_event
from audit_app.mail import MailNotConfigured, mail_configured, send_messages
from audit_app.models import User
from audit_tools.text import uk_date_time

log = logging.getLogger(__name__)


def authenticator_changed(user: User) -> bool:
    """E-mail the owner that their authenticator app was replaced; True if the message went.

    Without an SMTP server (or when it refuses), an event with no text in it goes in the audit
    trail instead, so an administrator can see whom to tell. The caller commits it.
    """
    if mail_configured():
        try:
            send_messages([_authenticator_message(user)])
            return True
        except (MailNotConfigured, OSError, smtplib.SMTPException) as error:
            # the kind of failure only: an SMTP server's reply can quote the address
            log.warning(
                "The e-mail about a replaced authenticator could not be sent (user %s): %s",
                user.id,
                type(error).__name__,
            )
    record_event("user.mfa_change_not_emailed", "user", user.id)
    return False


def _authenticator_message(user: User) -> EmailMessage:
    message = EmailMessage()
    message["To"] = user.email
    message["Subject"] = "Your authenticator app for the case audit workbench was changed"
    message.set_content(
        f"The authenticator app used to sign in to the case audit workbench as {user.email} was replaced "
        f"on {uk_date_time(datetime.now(UTC))}. Your old recovery codes no longer work, and "
        "every other session was signed out.\n\n"
        "If this was you, there is nothing more to do.\n\n"
        "If this was not you, tell your partnership's administrator straight away: someone may know "
        "your password.\n"
    )
    return message
