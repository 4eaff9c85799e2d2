"""Which auditors do an agency's returns on an audit."""

from __future__ import annotations

from sqlalchemy import ColumnElement, delete, exists, select

from audit_app.data.events import record_event
from audit_app.extensions import db
from audit_app.models import Agency, Assignment, Audit, Case, Return, User, UserRole
from audit_tools.states import Role


def agency_auditors(audit: Audit) -> list[tuple[Agency, list[User], set[int]]]:
    """Each agency asked for returns on the audit, its active auditors, and who is named."""
    agencies = db.session.scalars(
        select(Agency).join(Return).join(Case).where(Case.audit_id == audit.id).distinct().order_by(Agency.name)
    ).all()
    auditors = db.session.scalars(
        select(User)
        .join(UserRole)
        .where(UserRole.role == Role.AUDITOR, User.active, User.agency_id.in_([a.id for a in agencies]))
        .order_by(User.display_name)
    ).all()
    named = db.session.execute(
        select(Assignment.agency_id, Assignment.user_id).where(Assignment.audit_id == audit.id)
    ).all()
    return [
        (a, [u for u in auditors if u.agency_id == a.id], {user for agency, user in named if agency == a.id})
        for a in agencies
    ]


def set_assignments(audit: Audit, chosen: dict[int, list[int]], user: User) -> None:
    """Name the auditors per agency; only each agency's own active auditors can be named."""
    valid = {(a.id, u.id) for a, auditors, _named in agency_auditors(audit) for u in auditors}
    db.session.execute(delete(Assignment).where(Assignment.audit_id == audit.id))
    rows = [
        (agency_id, user_id)
        for agency_id, users in chosen.items()
        for user_id in users
        if (agency_id, user_id) in valid
    ]
    db.session.add_all(Assignment(audit_id=audit.id, agency_id=a, user_id=u) for a, u in rows)
    db.session.flush()
    record_event(
        "audit.assignments", "audit", audit.id, user=user, after={"assignments": sorted([list(r) for r in rows])}
    )


def may_work_on(user: User, audit_id: int, agency_id: int) -> bool:
    """An auditor of the agency, and named for this audit if anyone from the agency is named."""
    if user.agency_id != agency_id:
        return False
    someone_named = db.session.scalar(
        select(exists().where(Assignment.audit_id == audit_id, Assignment.agency_id == agency_id))
    )
    if not someone_named:
        return True
    return db.session.get(Assignment, (audit_id, agency_id, user.id)) is not None


def visible_to(user: User) -> ColumnElement[bool]:
    """A SQL condition on Return: returns this auditor may see (see ``may_work_on``)."""
    named_here = exists().where(Assignment.audit_id == Case.audit_id, Assignment.agency_id == Return.agency_id)
    named_me = exists().where(
        Assignment.audit_id == Case.audit_id, Assignment.agency_id == Return.agency_id, Assignment.user_id == user.id
    )
    return (Return.agency_id == user.agency_id) & (~named_here | named_me)
