"""What needs each person, by role, for the home page: every list counted or limited in SQL, no per-row queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Generic, TypeVar

from sqlalchemy import and_, func, literal, select, union_all

from audit_app.data.assignments import visible_to
from audit_app.data.audits import REVEALED_STATES, effective_due
from audit_app.data.briefing_approval import CHANGE_ACTIONS
from audit_app.data.learning import EDITABLE_STATES, visible_states
from audit_app.data.moderation import graded_blind_by
from audit_app.data.settings import get_setting
from audit_app.extensions import db
from audit_app.models import (
    Agency,
    AgencyExtension,
    Audit,
    AuditEvent,
    Briefing,
    Case,
    Coding,
    CodingSample,
    Invitation,
    Moderation,
    PanelRecord,
    Recommendation,
    Return,
    User,
)
from audit_tools.states import AuditState, BriefingState, ModerationState, ReturnState

SHOWN = 10  # at most this many single items in one list; the count says how many there are in all
OUTSTANDING = (ReturnState.DRAFT, ReturnState.RETURNED)
ACTION_DUE_SOON = timedelta(days=30)
T = TypeVar("T")


@dataclass(frozen=True)
class Limited(Generic[T]):
    """The first items of a list and how many there are in all."""

    items: list[T]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.items)


@dataclass(frozen=True)
class ReturnItem:
    audit_id: int
    audit_title: str
    return_id: int
    reference: str
    agency: str
    due: date | None = None
    submitted_at: datetime | None = None
    reason: str = ""


@dataclass(frozen=True)
class OverdueAgency:
    audit_id: int
    audit_title: str
    agency: str
    due: date
    outstanding: int


@dataclass(frozen=True)
class AuditStage:
    audit_id: int
    title: str
    state: str
    cases: int


@dataclass(frozen=True)
class CaseItem:
    audit_id: int
    audit_title: str
    case_id: int
    reference: str


@dataclass(frozen=True)
class AuditCount:
    audit_id: int
    audit_title: str
    count: int


@dataclass(frozen=True)
class AuditLink:
    audit_id: int
    audit_title: str


@dataclass(frozen=True)
class BriefingItem:
    briefing_id: int
    audit_id: int
    audit_title: str
    number: int
    state: str
    published_at: datetime | None = None
    step: str = ""  # for the business unit: "publish", "approve" or "finish"


@dataclass(frozen=True)
class ActionItem:
    recommendation_id: int
    audit_title: str
    text: str
    due: date
    rag: str
    lead: str


@dataclass(frozen=True)
class PersonItem:
    user_id: int
    name: str
    email: str
    when: datetime | None = None
    expired: bool = False


def returns_awaiting_review(today: date) -> Limited[ReturnItem]:
    """Returns submitted and not yet accepted or sent back, longest waiting first."""
    where = (Return.state == ReturnState.SUBMITTED, Audit.state == AuditState.OPEN)
    total = db.session.scalar(
        select(func.count()).select_from(Return).join(Audit, Audit.id == Return.audit_id).where(*where)
    )
    rows = db.session.execute(
        select(Audit.id, Audit.title, Return.id, Case.reference, Agency.name, Return.submitted_at)
        .select_from(Return)
        .join(Audit, Audit.id == Return.audit_id)
        .join(Case, Case.id == Return.case_id)
        .join(Agency, Agency.id == Return.agency_id)
        .where(*where)
        .order_by(Return.submitted_at.is_(None), Return.submitted_at, Return.id)
        .limit(SHOWN)
    ).all()
    return Limited([ReturnItem(a, t, r, ref, ag, submitted_at=at) for a, t, r, ref, ag, at in rows], total or 0)


def overdue_agencies(today: date) -> list[OverdueAgency]:
    """Each agency with returns past its due date (its extension, else the audit's) on an open audit,
    longest overdue first."""
    due = effective_due()
    rows = db.session.execute(
        select(Audit.id, Audit.title, Agency.name, due, func.count(Return.id))
        .select_from(Return)
        .join(Audit, Audit.id == Return.audit_id)
        .join(Case, Case.id == Return.case_id)
        .join(Agency, Agency.id == Return.agency_id)
        .outerjoin(
            AgencyExtension,
            and_(AgencyExtension.audit_id == Return.audit_id, AgencyExtension.agency_id == Return.agency_id),
        )
        .where(Audit.state == AuditState.OPEN, Case.included, Return.state.in_(OUTSTANDING), due < today)
        .group_by(Audit.id, Audit.title, Agency.name, due)
        .order_by(due, func.count(Return.id).desc(), Agency.name)
    ).all()
    # `if on`: never false (due < today has no NULL), it tells the type checker the date is there
    return [OverdueAgency(audit_id, title, agency, on, owed) for audit_id, title, agency, on, owed in rows if on]


def audits_by_stage() -> list[AuditStage]:
    """Every audit not yet closed, with its number of cases, earliest stage first."""
    order = [AuditState.SETUP, AuditState.OPEN, AuditState.PANEL, AuditState.ANALYSIS, AuditState.PUBLISHED]
    rows = db.session.execute(
        select(Audit.id, Audit.title, Audit.state, func.count(Case.id))
        .outerjoin(Case, Case.audit_id == Audit.id)
        .where(Audit.state != AuditState.CLOSED)
        .group_by(Audit.id, Audit.title, Audit.state)
    ).all()
    stages = [AuditStage(*row) for row in rows]
    return sorted(stages, key=lambda s: (order.index(AuditState(s.state)), s.title))


def my_returns(user: User, today: date) -> tuple[list[ReturnItem], Limited[ReturnItem]]:
    """The auditor's returns on open audits: those sent back (with the reason), then the rest by due date."""
    due = effective_due()
    base = (
        select(Audit.id, Audit.title, Return.id, Case.reference, Agency.name, due, Return.amendment_reason)
        .select_from(Return)
        .join(Case, Case.id == Return.case_id)
        .join(Audit, Audit.id == Return.audit_id)
        .join(Agency, Agency.id == Return.agency_id)
        .outerjoin(
            AgencyExtension,
            and_(AgencyExtension.audit_id == Return.audit_id, AgencyExtension.agency_id == Return.agency_id),
        )
        .where(visible_to(user), ~graded_blind_by(user), Audit.state == AuditState.OPEN, Case.included)
    )
    sent_back = db.session.execute(
        base.where(Return.state == ReturnState.RETURNED).order_by(due.is_(None), due, Case.reference)
    ).all()
    to_do = base.where(Return.state == ReturnState.DRAFT)
    total = db.session.scalar(select(func.count()).select_from(to_do.subquery()))
    rows = db.session.execute(to_do.order_by(due.is_(None), due, Audit.title, Case.reference).limit(SHOWN)).all()

    def item(row: tuple) -> ReturnItem:
        a, t, r, ref, ag, d, reason = row
        return ReturnItem(a, t, r, ref, ag, due=d, reason=reason)

    return [item(tuple(r)) for r in sent_back], Limited([item(tuple(r)) for r in rows], total or 0)


@dataclass(frozen=True)
class SecondLook:
    """A blind second grading (a moderation) or a blind second coding the person has been named for."""

    kind: str  # "moderation" or "coding"
    item_id: int
    audit_title: str
    reference: str  # the case's reference (a moderation); empty for a coding sample


def second_looks(user: User) -> list[SecondLook]:
    """The blind second gradings and codings waiting for ``user``, in one statement."""
    moderations = (
        select(literal("moderation").label("kind"), Moderation.id, Audit.title, Case.reference)
        .select_from(Moderation)
        .join(Return, Return.id == Moderation.return_id)
        .join(Case, Case.id == Return.case_id)
        .join(Audit, Audit.id == Case.audit_id)
        .where(Moderation.moderator_id == user.id, Moderation.state == ModerationState.ASSIGNED)
    )
    codings = (
        select(literal("coding").label("kind"), CodingSample.id, Audit.title, literal(""))
        .select_from(CodingSample)
        .join(Audit, Audit.id == CodingSample.audit_id)
        .where(CodingSample.coder_id == user.id, CodingSample.state == ModerationState.ASSIGNED)
    )
    both = union_all(moderations, codings).subquery()
    rows = db.session.execute(select(both).order_by(*both.c).limit(SHOWN)).all()
    return [SecondLook(*row) for row in rows]


def cases_awaiting_judgement() -> Limited[CaseItem]:
    """Included cases of audits at the panel stage with no agreed grade yet."""
    where = (
        Audit.state == AuditState.PANEL,
        Case.included,
        func.coalesce(PanelRecord.agreed_grade, "") == "",
    )
    base = (
        select(Audit.id, Audit.title, Case.id, Case.reference)
        .select_from(Case)
        .join(Audit, Audit.id == Case.audit_id)
        .outerjoin(PanelRecord, PanelRecord.case_id == Case.id)
        .where(*where)
    )
    total = db.session.scalar(select(func.count()).select_from(base.subquery()))
    rows = db.session.execute(base.order_by(Audit.title, Case.reference).limit(SHOWN)).all()
    return Limited([CaseItem(*row) for row in rows], total or 0)


def excerpts_to_code() -> list[AuditCount]:
    """Audits whose coding is open, with the suggested codings still to accept or reject."""
    rows = db.session.execute(
        select(Audit.id, Audit.title, func.count(Coding.id))
        .outerjoin(Coding, and_(Coding.audit_id == Audit.id, Coding.status == "suggested"))
        .where(Audit.state.in_(EDITABLE_STATES))
        .group_by(Audit.id, Audit.title)
        .order_by(Audit.title)
    ).all()
    return [AuditCount(*row) for row in rows]


def briefings_waiting(user: User) -> list[BriefingItem]:
    """The newest briefing of each audit while it waits: to be published (approved), approved by this person
    (a draft they neither wrote nor changed since it was last approved), or finished by them (their own
    draft, which another member of the business unit approves). Two statements, however many audits."""
    newest = select(Briefing.audit_id, func.max(Briefing.number).label("number")).group_by(Briefing.audit_id).subquery()
    rows = db.session.execute(
        select(Briefing.id, Audit.id, Audit.title, Briefing.number, Briefing.state, Briefing.created_by_id)
        .join(newest, and_(newest.c.audit_id == Briefing.audit_id, newest.c.number == Briefing.number))
        .join(Audit, Audit.id == Briefing.audit_id)
        .where(Briefing.state.in_((BriefingState.DRAFT, BriefingState.APPROVED)))
        .order_by(Briefing.state.desc(), Audit.title)
    ).all()
    drafts = [row[0] for row in rows if row[4] == BriefingState.DRAFT]
    changed = _changed_by(user, drafts) if drafts else set()
    author_may_approve = any(row[5] == user.id for row in rows) and bool(get_setting("author_may_approve"))
    items = []
    for briefing_id, audit_id, title, number, state, author_id in rows:
        own = briefing_id in changed or (author_id == user.id and not author_may_approve)
        step = "publish" if state == BriefingState.APPROVED else "finish" if own else "approve"
        items.append(BriefingItem(briefing_id, audit_id, title, number, state, step=step))
    return items


def _changed_by(user: User, briefing_ids: list[int]) -> set[int]:
    """Which of these versions this person has changed since each was last approved (ever, if never)."""
    approved = (
        select(func.coalesce(func.max(AuditEvent.id), 0))
        .where(
            AuditEvent.object_type == "briefing",
            AuditEvent.object_id == Briefing.id,
            AuditEvent.action == "briefing.approved",
        )
        .correlate(Briefing)
        .scalar_subquery()
    )
    return set(
        db.session.scalars(
            select(Briefing.id)
            .join(AuditEvent, and_(AuditEvent.object_type == "briefing", AuditEvent.object_id == Briefing.id))
            .where(
                Briefing.id.in_(briefing_ids),
                AuditEvent.user_id == user.id,
                AuditEvent.action.in_(CHANGE_ACTIONS),
                AuditEvent.id > approved,
            )
            .distinct()
        )
    )


def actions_due(user: User, today: date) -> Limited[ActionItem]:
    """Actions not complete or green that are overdue or due within 30 days, soonest first."""
    where = (
        Audit.state.in_(visible_states(user)),
        Recommendation.due_date.is_not(None),
        Recommendation.due_date <= today + ACTION_DUE_SOON,
        Recommendation.rag.not_in(("green", "complete")),
    )
    total = db.session.scalar(
        select(func.count()).select_from(Recommendation).join(Audit, Audit.id == Recommendation.audit_id).where(*where)
    )
    rows = db.session.execute(
        select(
            Recommendation.id,
            Audit.title,
            Recommendation.text,
            Recommendation.due_date,
            Recommendation.rag,
            Agency.name,
        )
        .join(Audit, Audit.id == Recommendation.audit_id)
        .outerjoin(Agency, Agency.id == Recommendation.lead_agency_id)
        .where(*where)
        .order_by(Recommendation.due_date, Recommendation.id)
        .limit(SHOWN)
    ).all()
    # `if d`: the query already wants a due date; this tells the type checker so
    return Limited([ActionItem(r, t, text, d, rag, lead or "") for r, t, text, d, rag, lead in rows if d], total or 0)


def latest_briefings(limit: int = 5) -> list[BriefingItem]:
    """The most recently published briefings."""
    rows = db.session.execute(
        select(Briefing.id, Audit.id, Audit.title, Briefing.number, Briefing.state, Briefing.published_at)
        .join(Audit, Audit.id == Briefing.audit_id)
        .where(Briefing.state == BriefingState.PUBLISHED)
        .order_by(Briefing.published_at.desc(), Briefing.id.desc())
        .limit(limit)
    ).all()
    return [BriefingItem(*row) for row in rows]


def overdue_action_count(user: User, today: date) -> int:
    """Actions this person may read that are past their due date and not complete."""
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Recommendation)
            .join(Audit, Audit.id == Recommendation.audit_id)
            .where(
                Audit.state.in_(visible_states(user)),
                Recommendation.due_date < today,
                Recommendation.rag != "complete",
            )
        )
        or 0
    )


def invitations_not_taken_up(now: datetime) -> list[PersonItem]:
    """People invited who have not yet set a password (newest invitation each), oldest first; expired marked."""
    newest = (
        select(Invitation.user_id, func.max(Invitation.created_at).label("created_at"))
        .group_by(Invitation.user_id)
        .subquery()
    )
    used = select(Invitation.user_id).where(Invitation.used_at.is_not(None))
    rows = db.session.execute(
        select(User.id, User.display_name, User.email, Invitation.created_at, Invitation.expires_at)
        .join(newest, newest.c.user_id == User.id)
        .join(Invitation, and_(Invitation.user_id == User.id, Invitation.created_at == newest.c.created_at))
        .where(User.active, User.id.not_in(used))
        .order_by(Invitation.created_at)
    ).all()
    return [PersonItem(u, name, email, created, expires < now) for u, name, email, created, expires in rows]


def disabled_accounts() -> list[PersonItem]:
    rows = db.session.execute(
        select(User.id, User.display_name, User.email).where(User.active.is_(False)).order_by(User.display_name)
    ).all()
    return [PersonItem(*row) for row in rows]


def audits_with_results() -> list[AuditLink]:
    """Audits whose returns have been revealed (panel, analysis and later), newest first: their results pages."""
    rows = db.session.execute(
        select(Audit.id, Audit.title, Audit.year)
        .where(Audit.state.in_(REVEALED_STATES))
        .order_by(Audit.year.desc(), Audit.title)
    ).all()
    return [AuditLink(audit_id, title) for audit_id, title, _year in rows]
