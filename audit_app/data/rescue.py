"""Keeping what an auditor typed when their session or form had expired, until they are back.

Only a draft vouched for by a ``RescueTicket`` (a rescue token the app signed for that auditor and
that return, checked in ``audit_app.rescue``) can be kept, so nothing posted by someone
without one reaches the table. What is kept is capped per auditor and return, per auditor, and per
sending address, and holds only the fields the form itself contained.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select, update

from audit_app.database import count_of
from audit_app.extensions import db
from audit_app.models import RescuedDraft, Return, User

KEEP_FOR = timedelta(hours=24)
MAX_CHARACTERS = 300_000  # more than a whole return's worth of text; refuses junk posted to fill the table
MAX_PER_RETURN = 3  # restorable drafts of one auditor for one return (two tabs, and a spare)
MAX_PER_USER = 10  # restorable drafts of one auditor across all returns
# Drafts kept from one address in RATE_WINDOW. Well above what a council's auditors behind one NAT
# address ever need (a draft is kept only when a session ends mid-return), far below a flood.
MAX_PER_ADDRESS = 30
MAX_PER_USER_IN_WINDOW = 10  # one auditor's session cannot end ten times in ten minutes
RATE_WINDOW = timedelta(minutes=10)


@dataclass(frozen=True)
class RescueTicket:
    """What a verified rescue token says: whose form it was, for which return, which fields it held."""

    user_id: int
    return_id: int
    fields: frozenset[str]


@dataclass(frozen=True)
class RescuedWork:
    """A kept draft: the posted (field, value) pairs and the fields the form contained."""

    pairs: list[tuple[str, str]]
    fields: frozenset[str]


def rescue(ticket: RescueTicket, pairs: list[tuple[str, str]], address_digest: str) -> str | None:
    """Keep the posted form's own fields for ``ticket``'s auditor; the draft's token, or None if refused
    (too large, too many from this address, or the return or account has gone)."""
    kept = [(name, value) for name, value in pairs if name in ticket.fields]
    now = datetime.now(UTC)
    if sum(len(n) + len(v) for n, v in kept) > MAX_CHARACTERS or _too_many_lately(ticket, address_digest, now):
        return None
    if db.session.get(Return, ticket.return_id) is None or db.session.get(User, ticket.user_id) is None:
        return None
    db.session.execute(delete(RescuedDraft).where(RescuedDraft.created_at < now - KEEP_FOR))
    token = secrets.token_urlsafe(32)
    db.session.add(
        RescuedDraft(
            token=token,
            return_id=ticket.return_id,
            user_id=ticket.user_id,
            fields=sorted(ticket.fields),
            form=kept,
            address_digest=address_digest,
        )
    )
    db.session.flush()
    _empty_all_but_newest(ticket.user_id, MAX_PER_USER)
    _empty_all_but_newest(ticket.user_id, MAX_PER_RETURN, ticket.return_id)
    return token


def rescued(token: str, return_id: int, user_id: int) -> RescuedWork | None:
    """The draft kept for this auditor and return, or None when unknown, someone else's, superseded or
    older than a day. It stays until it expires, so reloading the page before saving loses nothing."""
    draft = db.session.scalar(
        select(RescuedDraft).where(
            RescuedDraft.token == token, RescuedDraft.return_id == return_id, RescuedDraft.user_id == user_id
        )
    )
    if draft is None or draft.superseded or draft.created_at < datetime.now(UTC) - KEEP_FOR:
        return None
    return RescuedWork([(name, value) for name, value in draft.form], frozenset(draft.fields))


def _too_many_lately(ticket: RescueTicket, address_digest: str, now: datetime) -> bool:
    """The rate limits: drafts kept lately from this address, and for this auditor from any address."""
    lately = select(func.count()).select_from(RescuedDraft).where(RescuedDraft.created_at >= now - RATE_WINDOW)
    return (
        count_of(lately.where(RescuedDraft.address_digest == address_digest)) >= MAX_PER_ADDRESS
        or count_of(lately.where(RescuedDraft.user_id == ticket.user_id)) >= MAX_PER_USER_IN_WINDOW
    )


def _empty_all_but_newest(user_id: int, keep: int, return_id: int | None = None) -> None:
    """Empty the older drafts beyond ``keep``. The rows stay until they expire, so that they still count
    against the address they came from: deleting them would let one token refill the table at will."""
    mine = [RescuedDraft.user_id == user_id, RescuedDraft.superseded.is_(False)]
    if return_id is not None:
        mine.append(RescuedDraft.return_id == return_id)
    newest = (
        select(RescuedDraft.id)
        .where(*mine)
        .order_by(RescuedDraft.created_at.desc(), RescuedDraft.id.desc())
        .limit(keep)
    )
    db.session.execute(
        update(RescuedDraft).where(*mine, RescuedDraft.id.not_in(newest)).values(superseded=True, form=[], fields=[]),
        execution_options={"synchronize_session": False},
    )
