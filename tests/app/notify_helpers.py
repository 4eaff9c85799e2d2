"""Helpers for the notification tests: a frozen clock for `flask notify run`, and what the test SMTP
server received."""

from datetime import UTC, date, datetime

import time_machine

from audit_app.extensions import db


def at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def notify(runner, day: date):
    with time_machine.travel(at(day), tick=False):
        result = runner.invoke(args=["notify", "run"])
    assert result.exit_code == 0, result.output
    db.session.rollback()  # see what the command committed
    return result


def body_of(message) -> str:
    return message.get_payload(decode=True).decode()


def recipients(smtp) -> list[str]:
    return sorted(address for rcpt, _message in smtp.messages for address in rcpt)
