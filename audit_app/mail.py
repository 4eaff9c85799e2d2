"""Sending e-mail through the partnership's SMTP server (settings from the environment)."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from flask import current_app


class MailNotConfigured(RuntimeError):
    """No SMTP server is set up, so nothing can be sent."""


def mail_configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def send_messages(messages: list[EmailMessage]) -> int:
    """Send each message over one SMTP connection; returns how many were sent."""
    config = current_app.config
    if not mail_configured():
        raise MailNotConfigured("E-mail is not set up: ask your administrator to set MAIL_SERVER.")
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=20) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        for message in messages:
            message["From"] = config["MAIL_FROM"]
            smtp.send_message(message)
    return len(messages)
