"""Who is told what, and when: the event notices and the scheduled reminders of `flask notify run`.

Each message goes through ``send_once`` under a key that names it, so each person is told once: a
second run of ``run_reminders`` (or two servers running it at once: ``notify_lock``) sends nothing new.
Messages name audits, pseudonymous case references and links; never case detail. The one piece of
typed text any message carries is the reason a return was sent back, and only to its auditor.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from audit_app.data.audits import DONE_STATES, due_date_for
from audit_app.data.notifications import notify_lock, retry_failed, send_once
from audit_app.data.settings import get_setting
from audit_app.data.users import coordinators_of, lead_coordinator, users_with_role
from audit_app.extensions import db
from audit_app.links import external_url
from audit_app.models import (
    Agency,
    Assignment,
    Audit,
    Briefing,
    Case,
    Notification,
    Recommendation,
    Return,
    User,
    UserRole,
)
from audit_tools.notices import ESCALATE_AFTER_DAYS, action_stage, escalation_due, reminder_stage
from audit_tools.states import AuditState, BriefingState, ReturnState, Role
from audit_tools.text import long_date

FIRST_DIGEST_WINDOW = timedelta(days=7)  # a coordinator's first digest lists returns submitted in the last week


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def agency_leads(agency: Agency, audit: Audit) -> list[tuple[int | None, str]]:
    """Who is told when the agency is late: its lead's address if the agency has one, else the audit's
    coordinators (its lead coordinator, or every coordinator)."""
    if agency.safeguarding_lead_email:
        return [(None, agency.safeguarding_lead_email)]
    return [(user.id, user.email) for user in coordinators_of(audit)]


def auditors_owing(audit: Audit, agency_ids: set[int]) -> dict[int, list[User]]:
    """Each agency's auditors for ``audit``: those named for it, or all its active auditors when none are."""
    named: dict[int, set[int]] = {}
    for agency_id, user_id in db.session.execute(
        select(Assignment.agency_id, Assignment.user_id).where(Assignment.audit_id == audit.id)
    ):
        named.setdefault(agency_id, set()).add(user_id)
    found: dict[int, list[User]] = {agency_id: [] for agency_id in agency_ids}
    for user in db.session.scalars(
        select(User)
        .where(
            User.id.in_(select(UserRole.user_id).where(UserRole.role == Role.AUDITOR)),
            User.active,
            User.agency_id.in_(agency_ids),
        )
        .order_by(User.id)
    ):
        own = user.agency_id
        if own is not None and (own not in named or user.id in named[own]):
            found[own].append(user)
    return found


# Event notices, sent in the request that made the change (after it commits).


def _tell_each(people: Iterable[User], kind: str, about: str, subject: str, body: str, obj: tuple[str, int]) -> int:
    """Send each person the same message once, keyed ``kind:about:person``; returns how many were recorded."""
    object_type, object_id = obj
    return sum(
        send_once(
            f"{kind}:{about}:{person.id}",
            person.email,
            subject,
            body,
            kind=kind,
            user_id=person.id,
            object_type=object_type,
            object_id=object_id,
        )
        for person in people
    )


def invitation_sent(user: User, token: str) -> bool:
    """E-mail ``user`` the link to set their first password (each new link is a message of its own)."""
    link = external_url("auth.invitation", token=token)
    digest = hashlib.sha256(token.encode()).hexdigest()[:16]
    return send_once(
        f"invitation:{user.id}:{digest}",
        user.email,
        "You are invited to the multi-agency case audit workbench",
        f"Hello {user.display_name},\n\nYou have been given an account on the case audit workbench. "
        f"Set your password with this single-use link (it expires; ask your administrator for a new one):\n\n{link}",
        kind="invitation",
        user_id=user.id,
        object_type="user",
        object_id=user.id,
    )


def return_sent_back(ret: Return) -> int:
    """Tell the return's auditor (or, with none yet, its agency's auditors) why it was sent back."""
    audit = ret.case.audit
    people = [ret.auditor] if ret.auditor else auditors_owing(audit, {ret.agency_id})[ret.agency_id]
    link = external_url("returns.edit", return_id=ret.id)
    return _tell_each(
        (person for person in people if person is not None),
        "return-sent-back",
        f"{ret.id}:{ret.version}",
        f"Return for case {ret.case.reference} sent back for amendment – {audit.title}",
        f"The coordinator has sent back your return for case {ret.case.reference} ({audit.title}) "
        f"for amendment.\n\nWhat needs amending:\n{ret.amendment_reason}\n\nOpen the return: {link}",
        ("return", ret.id),
    )


def briefing_approved(briefing: Briefing) -> int:
    """Tell the version's author and the editors that it is approved and may be published."""
    stamp = briefing.approved_at.isoformat() if briefing.approved_at else ""
    people = {user.id: user for user in users_with_role(Role.EDITOR)}
    if briefing.created_by is not None and briefing.created_by.active:
        people.setdefault(briefing.created_by.id, briefing.created_by)
    link = external_url("briefings.composer", audit_id=briefing.audit_id)
    return _tell_each(
        (person for person in people.values() if person.id != briefing.approved_by_id),
        "briefing-approved",
        f"{briefing.id}:{stamp}",
        f"Briefing approved: {briefing.audit.title} (version {briefing.number})",
        f"Version {briefing.number} of the learning briefing for {briefing.audit.title} has been approved "
        f"and can be published.\n\nOpen it: {link}",
        ("briefing", briefing.id),
    )


# The scheduled reminders.


@dataclass
class RunReport:
    """How many messages of each kind a run recorded."""

    counts: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def run_reminders(today: date | None = None, now: datetime | None = None) -> RunReport:
    """Record every reminder due now, once: take the lock, then each kind. The caller commits."""
    now = now or datetime.now(UTC)
    today = today or now.date()
    notify_lock()
    report = RunReport()
    report.counts["return-due"] += _returns_due(today)
    report.counts["returns-submitted"] += _submitted_digests(now)
    report.counts["briefing-waiting"] += _briefings_waiting()
    report.counts["action-due"] += _actions_due(today)
    report.counts["retried"] += retry_failed()
    return report


def _returns_due(today: date) -> int:
    after_days = int(get_setting("reminder_escalate_after_days") or ESCALATE_AFTER_DAYS)
    told = 0
    audits = db.session.scalars(
        select(Audit).where(Audit.state == AuditState.OPEN, Audit.returns_due.is_not(None)).order_by(Audit.id)
    )
    for audit in audits:
        owed: dict[int, list[str]] = {}
        for agency_id, reference in db.session.execute(
            select(Return.agency_id, Case.reference)
            .join(Case)
            .where(Case.audit_id == audit.id, Case.included, Return.state.not_in(DONE_STATES))
            .order_by(Case.reference)
        ):
            owed.setdefault(agency_id, []).append(reference)
        if not owed:
            continue
        link = external_url("returns.index")
        owing = auditors_owing(audit, set(owed))
        for agency_id, refs in owed.items():
            due = due_date_for(audit, agency_id)  # the agency's extension, if it has one
            stage = reminder_stage(due, today) if due else None
            if due is None or stage is None:
                continue
            for person in owing.get(agency_id, []):
                told += _return_reminder(audit, due, stage, agency_id, person, refs, link)
            if escalation_due(due, today, after_days):
                agency = db.session.get_one(Agency, agency_id)
                told += _escalation(audit, due, agency, refs, (today - due).days)
    return told


def _return_reminder(
    audit: Audit, due: date, stage: str, agency_id: int, person: User, refs: list[str], link: str
) -> int:
    when = "is overdue" if stage.startswith("overdue") else f"is due by {long_date(due)}"
    return int(
        send_once(
            f"return-due:{audit.id}:{due}:{stage}:{agency_id}:{person.id}",
            person.email,
            f"Reminder: {_plural(len(refs), 'return')} {when.replace('is ', '')} – {audit.title}",
            f"Your agency's work on {audit.title} {when}. Still to complete:\n\n"
            + "\n".join(f"  - case {ref}" for ref in refs)
            + f"\n\nOpen them in My returns: {link}",
            kind="return-due",
            user_id=person.id,
            object_type="audit",
            object_id=audit.id,
        )
    )


def _escalation(audit: Audit, due: date, agency: Agency, refs: list[str], days: int) -> int:
    told = 0
    for user_id, address in agency_leads(agency, audit):
        told += send_once(
            f"return-escalation:{audit.id}:{due}:{agency.id}:{address.lower()}",
            address,
            f"{agency.name}: {_plural(len(refs), 'return')} overdue – {audit.title}",
            f"{agency.name} has {_plural(len(refs), 'return')} for {audit.title} still not submitted, "
            f"{_plural(days, 'day')} after they were due:\n\n"
            + "\n".join(f"  - case {ref}" for ref in refs)
            + f"\n\nThe audit: {external_url('audits.show', audit_id=audit.id)}",
            kind="return-escalation",
            user_id=user_id,
            object_type="agency",
            object_id=agency.id,
        )
    return told


def _submitted_digests(now: datetime) -> int:
    """One message per coordinator listing the returns submitted since their last such message, on the
    audits they are told of (those they lead, and those with no lead who can act)."""
    told = 0
    leads = {
        audit.id: lead.id
        for audit in db.session.scalars(select(Audit).where(Audit.coordinator_id.is_not(None)))
        if (lead := lead_coordinator(audit)) is not None
    }
    for coordinator in users_with_role(Role.COORDINATOR):
        others = [audit_id for audit_id, lead_id in leads.items() if lead_id != coordinator.id]
        last = db.session.scalar(
            select(Notification.created_at)
            .where(Notification.kind == "returns-submitted", Notification.user_id == coordinator.id)
            .order_by(Notification.created_at.desc())
            .limit(1)
        )
        since = last or now - FIRST_DIGEST_WINDOW
        rows = db.session.execute(
            select(Return.id, Case.reference, Agency.short_name, Audit.id, Audit.title)
            .join(Case, Return.case_id == Case.id)
            .join(Audit, Case.audit_id == Audit.id)
            .join(Agency, Return.agency_id == Agency.id)
            .where(Return.state == ReturnState.SUBMITTED, Return.submitted_at > since, Audit.id.not_in(others))
            .order_by(Audit.id, Case.reference, Agency.short_name)
        ).all()
        if not rows:
            continue
        key = hashlib.sha256(",".join(str(row[0]) for row in rows).encode()).hexdigest()
        lines = [
            f"  - {title}: case {reference} ({agency}) "
            + external_url("audits.review_return", audit_id=audit_id, return_id=rid)
            for rid, reference, agency, audit_id, title in rows
        ]
        told += send_once(
            f"returns-submitted:{coordinator.id}:{key}",
            coordinator.email,
            f"{_plural(len(rows), 'return')} submitted for review",
            f"{_plural(len(rows), 'return')} submitted since your last message, waiting for review:\n\n"
            + "\n".join(lines),
            kind="returns-submitted",
            user_id=coordinator.id,
        )
    return told


def _briefings_waiting() -> int:
    """Tell each editor, once per version, that a draft briefing is waiting for approval."""
    told = 0
    drafts = list(db.session.scalars(select(Briefing).where(Briefing.state == BriefingState.DRAFT)))
    if not drafts:
        return 0
    editors = users_with_role(Role.EDITOR)
    for briefing in drafts:
        link = external_url("briefings.composer", audit_id=briefing.audit_id)
        told += _tell_each(
            (editor for editor in editors if editor.id != briefing.created_by_id),
            "briefing-waiting",
            str(briefing.id),
            f"Briefing waiting for approval: {briefing.audit.title} (version {briefing.number})",
            f"Version {briefing.number} of the learning briefing for {briefing.audit.title} is waiting "
            f"for approval.\n\nOpen it: {link}",
            ("briefing", briefing.id),
        )
    return told


def _actions_due(today: date) -> int:
    """Tell each action's lead once when it is due within a week, and once when it is overdue."""
    told = 0
    actions = db.session.scalars(
        select(Recommendation)
        .where(
            Recommendation.due_date.is_not(None),
            Recommendation.lead_agency_id.is_not(None),
            Recommendation.rag != "complete",
        )
        .order_by(Recommendation.id)
    )
    link = external_url("learning.action_plan")
    for action in actions:
        if action.due_date is None or action.lead_agency is None:
            continue
        stage = action_stage(action.due_date, today)
        if stage is None:
            continue
        when = "is overdue" if stage == "overdue" else "is due soon"
        for user_id, address in agency_leads(action.lead_agency, db.session.get_one(Audit, action.audit_id)):
            told += send_once(
                f"action-{stage}:{action.id}:{action.due_date}:{address.lower()}",
                address,
                f"Action {when.replace('is ', '')}: due {long_date(action.due_date)}",
                f"An action led by {action.lead_agency.name} {when} (due {long_date(action.due_date)}). "
                f"See the action plan: {link}",
                kind=f"action-{stage}",
                user_id=user_id,
                object_type="recommendation",
                object_id=action.id,
            )
    return told
