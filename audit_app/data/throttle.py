"""Sign-in throttling by the address typed (known account or not) and by network address.

Every try is recorded, as a failure, before its password or code is checked, and removed if it
was right; counting and recording are one step, so a burst of simultaneous tries cannot slip
past the limit. A pause ends by itself when the window has passed: a permanent lockout would let
anyone lock a colleague out.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import ColumnElement, delete, func, select, text

from audit_app.database import begin_writing, count_of
from audit_app.extensions import db
from audit_app.models import SignInFailure, User

THROTTLE_WINDOW = timedelta(minutes=5)
# Failed tries within the window. Per account (the typed address, known or not) this stops guessing
# one password; per network address it is ten times higher, because a council's whole staff may
# reach us from one NAT address, and it only has to stop one machine spraying many accounts.
ACCOUNT_LIMIT = 10
ADDRESS_LIMIT = 100
_PG_THROTTLE_LOCK = 7_272_016  # advisory lock id: one sign-in try is counted and recorded at a time


def account_key(email: str) -> str:
    """What throttling counts an address typed at sign-in under: the same for every spelling of it
    (spaces, capitals), whether or not it has an account, and keyed so the table never holds it."""
    typed = email.strip().casefold()
    return hmac.new(
        current_app.config["SECRET_KEY"].encode(), typed.encode("utf-8", "replace"), hashlib.sha256
    ).hexdigest()


def admit_attempt(ip: str, email: str) -> int | None:
    """Record a try at signing in as ``email`` from ``ip`` and return its id, or None while paused.

    The try is recorded, as a failure, before its password or code is checked, and the count and
    the record are one step (the write lock on SQLite, an advisory lock on PostgreSQL): however
    many tries arrive at once, at most ``ACCOUNT_LIMIT`` per account get checked. The caller
    commits at once, then calls ``forgive_attempt`` if the password or code was right.
    """
    _take_throttle_lock()
    key, since = account_key(email), _now() - THROTTLE_WINDOW

    def tries(condition: ColumnElement[bool]) -> int:
        return count_of(select(func.count()).select_from(SignInFailure).where(SignInFailure.at > since, condition))

    if tries(SignInFailure.account_key == key) >= ACCOUNT_LIMIT or tries(SignInFailure.ip == ip) >= ADDRESS_LIMIT:
        return None
    attempt = SignInFailure(ip=ip, account_key=key)
    db.session.add(attempt)
    db.session.execute(delete(SignInFailure).where(SignInFailure.at < _now() - THROTTLE_WINDOW * 4))
    db.session.flush()
    return attempt.id


def forgive_attempt(attempt_id: int) -> None:
    """The password or code was right: this try is not a failure."""
    db.session.execute(delete(SignInFailure).where(SignInFailure.id == attempt_id))


def lift_pause(user: User) -> None:
    """Forget the failed tries for this account (its password has just been set)."""
    db.session.execute(delete(SignInFailure).where(SignInFailure.account_key == account_key(user.email)))


def _take_throttle_lock() -> None:
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _PG_THROTTLE_LOCK})
    else:
        begin_writing()


def _now() -> datetime:
    return datetime.now(UTC)
