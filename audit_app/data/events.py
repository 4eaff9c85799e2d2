"""The append-only audit trail."""

from __future__ import annotations

from typing import Any

from audit_app.extensions import db
from audit_app.models import AuditEvent, User


def record_event(action: str, object_type: str, object_id: int | None, *,
                 user: User | None = None, before: dict[str, Any] | None = None,
                 after: dict[str, Any] | None = None) -> AuditEvent:
    """Add one event to the session; the caller's transaction commits it."""
    event = AuditEvent(action=action, object_type=object_type, object_id=object_id,
                       user_id=user.id if user else None, before=before, after=after)
    db.session.add(event)
    return event
