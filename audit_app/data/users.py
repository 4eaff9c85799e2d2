"""Users, roles and agencies."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta, timezone
from functools import lru_cache

from sqlalchemy import func, select, update

from audit_app.auth.passwords import check_password, hash_password
from audit_app.data.events import record_event
from audit_app.extensions import db
from audit_app.models import ROLES, Agency, User, UserRole


LOCK_AFTER_FAILURES = 10
LOCK_DURATION = timedelta(minutes=15)


class UserError(ValueError):
    """A user could not be created; the message says why."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(email: str, display_name: str, password: str, roles: list[str],
                agency: Agency | None = None) -> User:
    """Create a user; an auditor must belong to an agency."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise UserError(f"Unknown role: {', '.join(sorted(unknown))}. Roles are {', '.join(ROLES)}.")
    if "auditor" in roles and agency is None:
        raise UserError("An auditor must belong to an agency.")
    if find_user_by_email(email):
        raise UserError(f"A user with the e-mail address {normalise_email(email)} already exists.")
    user = User(email=normalise_email(email), display_name=display_name,
                password_hash=hash_password(password), agency=agency,
                role_rows=[UserRole(role=r) for r in sorted(set(roles))])
    db.session.add(user)
    db.session.flush()
    return user


def set_password(user: User, password: str) -> None:
    """A new password also lifts any sign-in lock."""
    user.password_hash = hash_password(password)
    user.failed_logins, user.last_failed_login_at = 0, None


def is_locked(user: User, now: datetime) -> bool:
    return (user.failed_logins >= LOCK_AFTER_FAILURES and user.last_failed_login_at is not None
            and now - user.last_failed_login_at < LOCK_DURATION)


def check_sign_in(email: str, password: str) -> User | None:
    """The user if the password is right and the account usable; failures are counted atomically.

    A password is checked against a real hash even for an unknown address, so the
    time taken does not reveal which addresses have accounts.
    """
    user = find_user_by_email(email)
    now = datetime.now(timezone.utc)
    correct = check_password(user.password_hash if user else _dummy_hash(), password)
    if user is None:
        return None
    if correct and user.active and not is_locked(user, now):
        user.failed_logins, user.last_failed_login_at = 0, None
        return user
    if not is_locked(user, now) and user.failed_logins >= LOCK_AFTER_FAILURES:
        user.failed_logins = 0  # the lock has run out: count afresh
        db.session.flush()
    db.session.execute(update(User).where(User.id == user.id)
                       .values(failed_logins=User.failed_logins + 1, last_failed_login_at=now))
    record_event("user.login_failed", "user", user.id)
    return None


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def list_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.display_name)))


def list_agencies() -> list[Agency]:
    return list(db.session.scalars(select(Agency).order_by(Agency.name)))


def agency_by_short_name(short_name: str) -> Agency | None:
    return db.session.scalar(select(Agency).where(func.lower(Agency.short_name) == short_name.strip().lower()))


def ensure_agencies(rows: list[dict]) -> int:
    """Add the agencies in ``rows`` that do not exist yet; returns how many were added."""
    existing = {name.lower() for name in db.session.scalars(select(Agency.short_name))}
    new = [Agency(**row) for row in rows if row["short_name"].lower() not in existing]
    db.session.add_all(new)
    db.session.flush()
    return len(new)
