"""The append-only audit trail, sealed as a hash chain.

Each event stores the hash of the event before it and a SHA-256 over that hash and its
own content, so changing or removing any row breaks the chain from there on
(``verify_trail`` finds where). Database triggers refuse UPDATE and DELETE (migration 0011).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, joinedload

from audit_app.database import begin_writing
from audit_app.extensions import db
from audit_app.models import AuditEvent, User, utcnow

_CHAIN = "audit_trail_chain"  # session.info key: events added in this transaction, in order
_PG_LOCK = 7_272_001  # advisory lock id: one writer extends the chain at a time


def record_event(action: str, object_type: str, object_id: int | None, *,
                 user: User | None = None, before: dict[str, Any] | None = None,
                 after: dict[str, Any] | None = None) -> AuditEvent:
    """Add one event to the session, sealed onto the chain; the caller's transaction commits it."""
    chain = db.session.info.setdefault(_CHAIN, [])
    prev_hash = chain[-1].hash if chain else _last_committed_hash()
    event = AuditEvent(at=utcnow(), action=action, object_type=object_type, object_id=object_id,
                       user_id=user.id if user else None, before=before, after=after, prev_hash=prev_hash)
    event.hash = seal(event)
    chain.append(event)
    db.session.add(event)
    return event


def seal(event: AuditEvent) -> str:
    """SHA-256 over the previous hash and everything the event says."""
    content = json.dumps([event.prev_hash, event.at.isoformat(), event.user_id, event.action, event.object_type,
                          event.object_id, event.before, event.after], sort_keys=True, ensure_ascii=False,
                         separators=(",", ":"), default=str)
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


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
class TrailCheck:
    events: int
    sealed: int
    broken_at: int | None  # id of the first event whose seal or link does not hold
    problem: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_at is None


def verify_trail(batch: int = 5_000) -> TrailCheck:
    """Walk the whole trail in id order, re-computing every seal and link."""
    previous, count, sealed, last_id = None, 0, 0, 0
    while True:
        rows = db.session.scalars(select(AuditEvent).where(AuditEvent.id > last_id)
                                  .order_by(AuditEvent.id).limit(batch)).all()
        if not rows:
            return TrailCheck(count, sealed, None)
        for row in rows:
            count, last_id = count + 1, row.id
            if not row.hash:  # recorded before sealing began (migration 0011)
                if previous is not None:
                    return TrailCheck(count, sealed, row.id, "an unsealed event follows sealed ones")
                continue
            if row.hash != seal(row):
                return TrailCheck(count, sealed, row.id, "the event's content does not match its seal")
            if previous is not None and row.prev_hash != previous:
                return TrailCheck(count, sealed, row.id, "the event does not follow the one before it")
            previous, sealed = row.hash, sealed + 1


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
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.scalars(query.options(joinedload(AuditEvent.user)).order_by(AuditEvent.id.desc())
                              .offset((page - 1) * per_page).limit(per_page)).all()
    return list(rows), total


def event_kinds() -> tuple[list[str], list[str]]:
    """The actions and object types recorded so far, for the filter lists."""
    actions = db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)).all()
    types = db.session.scalars(select(AuditEvent.object_type).distinct().order_by(AuditEvent.object_type)).all()
    return list(actions), list(types)
