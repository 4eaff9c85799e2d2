"""Keeping what an auditor typed when their session or form expired, until they are back."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, select

from audit_app.extensions import db
from audit_app.models import RescuedDraft, Return

KEEP_FOR = timedelta(hours=24)
MAX_CHARACTERS = 300_000  # more than a whole return's worth of text; refuses junk posted to fill the table


def rescue(return_id: int, pairs: list[tuple[str, str]]) -> str | None:
    """Store the posted form (field name, value pairs, no CSRF token); returns the token, or None if refused."""
    kept = [(name, value) for name, value in pairs if name != "csrf_token"]
    if db.session.get(Return, return_id) is None or sum(len(n) + len(v) for n, v in kept) > MAX_CHARACTERS:
        return None
    db.session.execute(delete(RescuedDraft).where(RescuedDraft.created_at < datetime.now(timezone.utc) - KEEP_FOR))
    token = secrets.token_urlsafe(32)
    db.session.add(RescuedDraft(token=token, return_id=return_id, form=kept))
    db.session.flush()
    return token


def rescued(token: str, return_id: int) -> list[tuple[str, str]] | None:
    """The kept form for this return, or None when unknown or older than a day. It stays until it
    expires, so reloading the page before saving loses nothing."""
    draft = db.session.scalar(select(RescuedDraft).where(RescuedDraft.token == token,
                                                          RescuedDraft.return_id == return_id))
    if draft is None or draft.created_at < datetime.now(timezone.utc) - KEEP_FOR:
        return None
    return [tuple(pair) for pair in draft.form]
