"""People and agencies as the administrator keeps them: a person's roles and agency, re-enabling an
account, and adding, renaming and retiring agencies with their safeguarding lead's e-mail.

Each change adds and flushes; the view commits through ``transactions.saved``. The audit trail gets
ids, role names and the names of the fields that changed, never the text typed.
"""

from __future__ import annotations

from sqlalchemy import func, select

from audit_app.data.events import record_event
from audit_app.data.users import UserError
from audit_app.extensions import db
from audit_app.models import ROLES, Agency, User, UserRole
from audit_tools.states import Role


class PeopleError(UserError):
    """A change to a person or an agency was refused; the message says why."""


def active_admins(excluding: User | None = None) -> int:
    """How many enabled accounts hold the admin role (other than ``excluding``)."""
    query = select(func.count(User.id)).join(UserRole).where(User.active, UserRole.role == Role.ADMIN)
    if excluding is not None:
        query = query.where(User.id != excluding.id)
    return db.session.scalar(query) or 0


def set_roles_and_agency(user: User, roles: list[str], agency: Agency | None, by: User) -> bool:
    """Give ``user`` exactly these roles and this agency; False if nothing changed.

    Refused: an unknown role, no role at all, an auditor with no agency, a retired agency newly given,
    an administrator taking away their own admin role, and leaving the service with no administrator.
    """
    wanted = set(roles)
    if unknown := wanted - set(ROLES):
        raise PeopleError(f"Unknown role: {', '.join(sorted(unknown))}.")
    if not wanted:
        raise PeopleError("Choose at least one role.")
    if Role.AUDITOR in wanted and agency is None:
        raise PeopleError("An agency auditor must belong to an agency.")
    if agency is not None and agency.retired and agency.id != user.agency_id:
        raise PeopleError(f"{agency.name} is retired: choose a current agency.")
    losing_admin = Role.ADMIN in user.roles and Role.ADMIN not in wanted
    if losing_admin and user.id == by.id:
        raise PeopleError("You cannot remove your own administrator role. Ask another administrator to do it.")
    if losing_admin and user.active and not active_admins(excluding=user):
        raise PeopleError("At least one administrator must remain.")
    before = {"roles": sorted(user.roles), "agency": user.agency_id}
    after = {"roles": sorted(wanted), "agency": agency.id if agency else None}
    if before == after:
        return False
    user.role_rows = [row for row in user.role_rows if row.role in wanted] + [
        UserRole(role=role) for role in sorted(wanted - user.roles)
    ]
    user.agency = agency
    db.session.flush()
    record_event("user.roles_changed", "user", user.id, user=by, before=before, after=after)
    return True


def enable_user(user: User, by: User) -> None:
    """A disabled account can sign in again (with the password it had; every old session stays ended)."""
    if user.active:
        raise PeopleError(f"{user.display_name} can already sign in.")
    user.active = True
    db.session.flush()
    record_event("user.enabled", "user", user.id, user=by, before={"active": False}, after={"active": True})


# ---------------------------------------------------------------- agencies


def current_agencies() -> list[Agency]:
    """The agencies offered for new cases, returns and people: every one not retired, by name."""
    return list(db.session.scalars(select(Agency).where(Agency.retired.is_(False)).order_by(Agency.name)))


def _clash(name: str, short_name: str, agency: Agency | None = None) -> None:
    query = select(Agency).where(
        (func.lower(Agency.name) == name.strip().lower())
        | (func.lower(Agency.short_name) == short_name.strip().lower())
    )
    if agency is not None:
        query = query.where(Agency.id != agency.id)
    other = db.session.scalar(query)
    if other is not None:
        same = "name" if other.name.lower() == name.strip().lower() else "short name"
        raise PeopleError(f"Another agency already has that {same}.")


def add_agency(name: str, short_name: str, sector: str, lead_email: str | None, by: User) -> Agency:
    _clash(name, short_name)
    agency = Agency(
        name=name.strip(),
        short_name=short_name.strip(),
        sector=sector.strip(),
        safeguarding_lead_email=(lead_email or "").strip().lower() or None,
    )
    db.session.add(agency)
    db.session.flush()
    record_event("agency.added", "agency", agency.id, user=by)
    return agency


def change_agency(
    agency: Agency, name: str, short_name: str, sector: str, lead_email: str | None, by: User
) -> list[str]:
    """Rename an agency or change its sector or lead's e-mail; the names of the fields changed (for the trail)."""
    _clash(name, short_name, agency)
    new = {
        "name": name.strip(),
        "short_name": short_name.strip(),
        "sector": sector.strip(),
        "safeguarding_lead_email": (lead_email or "").strip().lower() or None,
    }
    changed = sorted(field for field, value in new.items() if getattr(agency, field) != value)
    for field in changed:
        setattr(agency, field, new[field])
    if changed:
        db.session.flush()
        record_event("agency.changed", "agency", agency.id, user=by, after={"changed": changed})
    return changed


def retire_agency(agency: Agency, by: User) -> None:
    """No longer offered for new cases, returns or people; every return and event it has stays."""
    if agency.retired:
        raise PeopleError(f"{agency.name} is already retired.")
    agency.retired = True
    db.session.flush()
    record_event("agency.retired", "agency", agency.id, user=by, before={"retired": False}, after={"retired": True})


def restore_agency(agency: Agency, by: User) -> None:
    """A retired agency offered again."""
    if not agency.retired:
        raise PeopleError(f"{agency.name} is not retired.")
    agency.retired = False
    db.session.flush()
    record_event("agency.restored", "agency", agency.id, user=by, before={"retired": True}, after={"retired": False})
