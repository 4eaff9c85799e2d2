"""Users, roles and agencies."""

from __future__ import annotations

from sqlalchemy import func, select

from audit_app.auth.passwords import hash_password
from audit_app.extensions import db
from audit_app.models import ROLES, Agency, User, UserRole


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
    user.password_hash = hash_password(password)


def list_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.display_name)))


def list_agencies() -> list[Agency]:
    return list(db.session.scalars(select(Agency).order_by(Agency.name)))


def agency_by_short_name(short_name: str) -> Agency | None:
    return db.session.scalar(select(Agency).where(func.lower(Agency.short_name) == short_name.strip().lower()))


def ensure_agencies(rows: list[dict]) -> int:
    """Add the agencies in ``rows`` that do not exist yet; returns how many were added."""
    existing = set(db.session.scalars(select(Agency.short_name)))
    new = [Agency(**row) for row in rows if row["short_name"] not in existing]
    db.session.add_all(new)
    db.session.flush()
    return len(new)
