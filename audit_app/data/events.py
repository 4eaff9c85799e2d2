"""The append-only audit trail, sealed as a keyed hash chain.

Each event stores the seal of the event before it and an HMAC-SHA256 (under ``AUDIT_TRAIL_KEY``,
held outside the database) over that seal, what happened and a digest of its payload; the first
event follows a "genesis" value that only the key can make. Database triggers refuse UPDATE and
DELETE (migration 0011). ``audit_app.data.trail_check`` verifies the chain against a checkpoint.

Payloads never hold typed free text: ``record_event`` reduces them (``trail_seals.reduce_payload``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import event as sa_event
from sqlalchemy import func, null, select, text, update
from sqlalchemy.orm import Session, joinedload

from audit_app.data import trail_seals
from audit_app.database import begin_writing, count_of
from audit_app.extensions import db
from audit_app.models import AuditEvent, User, utcnow

_CHAIN = "audit_trail_chain"  # session.info key: events added in this transaction, in order
_PG_LOCK = 7_272_001  # advisory lock id: one writer extends the chain at a time


def trail_key() -> str:
    """The sealing key, from the configuration (the environment in production; see config.py)."""
    key = current_app.config.get("AUDIT_TRAIL_KEY")
    if not key:
        raise RuntimeError("AUDIT_TRAIL_KEY is not set: the audit trail cannot be sealed.")
    return key


def record_event(
    action: str,
    object_type: str,
    object_id: int | None,
    *,
    user: User | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add one event to the session, sealed onto the chain; the caller's transaction commits it.

    ``before`` and ``after`` are reduced first: any string that is not an application code (a state,
    a question key, a date) is kept only as its keyed digest and length, never as text.
    """
    key = trail_key()
    before, after = trail_seals.reduce_payload(before, key), trail_seals.reduce_payload(after, key)
    chain = db.session.info.setdefault(_CHAIN, [])
    prev_hash = chain[-1].hash if chain else (_last_committed_hash() or trail_seals.genesis(key))
    event = AuditEvent(
        at=utcnow(),
        action=action,
        object_type=object_type,
        object_id=object_id,
        user_id=user.id if user else None,
        before=before,
        after=after,
        prev_hash=prev_hash,
        payload_digest=trail_seals.payload_digest(key, before, after),
    )
    event.hash = seal(event, key)
    chain.append(event)
    db.session.add(event)
    return event


PURGED = "trail.purged"


def purge_payloads(event_ids: list[int], user: User | None = None) -> list[int]:
    """Blank the payload of these events (something was kept that must not be), and record the purge.

    Their seals still hold (a seal covers the payload's digest); the ``trail.purged`` event, sealed
    like any other, is what lets verification accept a blank payload. Returns the ids purged.
    """
    found = sorted(
        db.session.scalars(select(AuditEvent.id).where(AuditEvent.id.in_(event_ids), AuditEvent.action != PURGED))
    )
    if found:
        record_event(PURGED, "audit_events", None, user=user, after={"events": found})
        db.session.execute(
            update(AuditEvent)
            .where(AuditEvent.id.in_(found))
            .values(before=null(), after=null())
            .execution_options(synchronize_session=False)
        )
    return found


def seal(event: AuditEvent, key: str) -> str:
    """The keyed seal of ``event`` as stored (its payload digest, not the payload, is sealed)."""
    return trail_seals.seal(
        key,
        event.prev_hash,
        event.at,
        event.user_id,
        event.action,
        event.object_type,
        event.object_id,
        event.payload_digest,
    )


def _last_committed_hash() -> str:
    with db.session.no_autoflush:
        if db.session.get_bind().dialect.name == "postgresql":
            db.session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _PG_LOCK})
        else:
            begin_writing()  # SQLite: hold the write lock, so no other worker extends the chain meanwhile
        return db.session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)) or ""


@sa_event.listens_for(Session, "after_commit")
@sa_event.listens_for(Session, "after_rollback")
def _forget_chain(session: Session) -> None:
    session.info.pop(_CHAIN, None)


@dataclass(frozen=True)
class EventFilter:
    action: str = ""  # a prefix, e.g. "user." or "return.submitted"
    user_id: int | None = None
    object_type: str = ""


def find_events(where: EventFilter, *, page: int = 1, per_page: int = 100) -> tuple[list[AuditEvent], int]:
    """One page of events, newest first, and how many match in all."""
    query = select(AuditEvent)
    if where.action:
        query = query.where(AuditEvent.action.startswith(where.action, autoescape=True))
    if where.user_id:
        query = query.where(AuditEvent.user_id == where.user_id)
    if where.object_type:
        query = query.where(AuditEvent.object_type == where.object_type)
    total = count_of(select(func.count()).select_from(query.subquery()))
    rows = db.session.scalars(
        query.options(joinedload(AuditEvent.user))
        .order_by(AuditEvent.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return list(rows), total


def event_kinds() -> tuple[list[str], list[str]]:
    """The actions and object types recorded so far, for the filter lists."""
    actions = db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)).all()
    types = db.session.scalars(select(AuditEvent.object_type).distinct().order_by(AuditEvent.object_type)).all()
    return list(actions), list(types)
