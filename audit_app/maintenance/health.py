"""Whether the service can do its work: the one thing a load balancer or uptime check needs to know."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from audit_app.extensions import db
from audit_app.transactions import discard_changes


def database_answers() -> bool:
    """Run ``SELECT 1``; False (and a log line for operators) when the database does not answer."""
    try:
        db.session.execute(text("SELECT 1"))
        return True
    except SQLAlchemyError:
        current_app.logger.warning("Health check: the database did not answer", exc_info=True)
        discard_changes()
        return False
