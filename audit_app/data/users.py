"""Users, roles and agencies."""

from __future__ import annotations

import secrets
from functools import lru_cache

from sqlalchemy import func, select

from audit_app.data.events import record_event
from audit_app.data.throttle import lift_pause
from audit_app.extensions import db
from audit_app.models import ROLES, Agency, Audit, User, UserRole
from audit_app.passwords import check_password, hash_password
from audit_tools.errors import WorkbenchError
from audit_tools.states import Role


class UserError(WorkbenchError):
    """A user could not be created; the message says why."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    if "\x00" in email:  # no stored address holds one, and PostgreSQL refuses it in a query
        return None
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(email: str, display_name: str, password: str, roles: list[str], agency: Agency | None = None) -> User:
    """Create a user; an auditor must belong to an agency."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise UserError(f"Unknown role: {', '.join(sorted(unknown))}. Roles are {', '.join(ROLES)}.")
    if Role.AUDITOR in roles and agency is None:
        raise UserError("An auditor must belong to an agency.")
    if find_user_by_email(email):
        raise UserError(f"A user with the e-mail address {normalise_email(email)} already exists.")
    user = User(
        email=normalise_email(email),
        display_name=display_name,
        password_hash=hash_password(password),
        agency=agency,
        role_rows=[UserRole(role=r) for r in sorted(set(roles))],
    )
    db.session.add(user)
    db.session.flush()
    return user


def set_password(user: User, password: str) -> None:
    """A new password also lifts any pause on signing in to this account."""
    user.password_hash = hash_password(password)
    lift_pause(user)


def check_sign_in(email: str, password: str) -> User | None:
    """The user if the password is right and the account usable, else None (the failure is recorded).

    A password is checked against a real hash even for an unknown address, so the
    time taken does not reveal which addresses have accounts. Throttling is the caller's
    (``throttle.admit_attempt``), before this is called.
    """
    user = find_user_by_email(email)
    correct = check_password(user.password_hash if user else _dummy_hash(), password)
    if user is not None and correct and user.active:
        return user
    if user is not None:
        record_event("user.login_failed", "user", user.id)
    return None


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def list_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.display_name)))


def users_with_role(role: Role) -> list[User]:
    """The active people who hold ``role``, by id."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.id.in_(select(UserRole.user_id).where(UserRole.role == role)), User.active)
            .order_by(User.id)
        )
    )


def lead_coordinator(audit: Audit) -> User | None:
    """The audit's lead coordinator while they can act on it (active, still a coordinator), else None."""
    lead = audit.coordinator
    return lead if lead is not None and lead.active and lead.has_role(Role.COORDINATOR) else None


def coordinators_of(audit: Audit) -> list[User]:
    """Who is told of the audit's concerns and returns: its lead coordinator, or every coordinator when it
    has none who can act (so a message never reaches nobody)."""
    lead = lead_coordinator(audit)
    return [lead] if lead is not None else users_with_role(Role.COORDINATOR)


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
