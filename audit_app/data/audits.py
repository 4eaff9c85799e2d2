"""Audits, their cases and which agencies return on each case."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.exc import IntegrityError

from audit_app.data.events import record_event
from audit_app.extensions import db
from audit_app.models import COUNTED_STATES, Agency, AgencyExtension, Audit, Briefing, Case, Return, User
from audit_tools.errors import WorkbenchError
from audit_tools.sampling import FrameRow, personal_details
from audit_tools.states import AUDIT_MOVES, AuditState, BriefingState, ReturnState, Role, ToolState, may_move
from audit_tools.text import long_date

# States in which the returns have been revealed to the panel.
REVEALED_STATES = (AuditState.PANEL, AuditState.ANALYSIS, AuditState.PUBLISHED, AuditState.CLOSED)
# Which state an audit may move to next, and what must hold first.
NEXT_STATE: dict[str, AuditState] = {
    AuditState.SETUP: AuditState.OPEN,
    AuditState.OPEN: AuditState.PANEL,
    AuditState.PANEL: AuditState.ANALYSIS,
    AuditState.PUBLISHED: AuditState.CLOSED,
}


class AuditError(WorkbenchError):
    """An action on an audit was refused; the message says why."""


def list_audits() -> list[Audit]:
    return list(db.session.scalars(select(Audit).order_by(Audit.year.desc(), Audit.title)))


def audits_with_case_counts() -> list[tuple[Audit, int]]:
    """Every audit with its number of cases, in one query."""
    query = (
        select(Audit, func.count(Case.id)).outerjoin(Case).group_by(Audit.id).order_by(Audit.year.desc(), Audit.title)
    )
    return [(audit, count) for audit, count in db.session.execute(query)]


def can_see_results(user: User, audit: Audit) -> bool:
    """Coordinators follow an audit throughout; panel members and editors see results only after the reveal."""
    return user.has_role(Role.COORDINATOR) or (
        user.has_role(Role.PANEL, Role.EDITOR) and audit.state in REVEALED_STATES
    )


def get_audit(audit_id: int) -> Audit | None:
    return db.session.get(Audit, audit_id)


def create_audit(user: User, **fields: Any) -> Audit:
    """A new audit, led by the coordinator who creates it."""
    audit = Audit(**fields, coordinator_id=user.id if user.has_role(Role.COORDINATOR) else None)
    db.session.add(audit)
    db.session.flush()
    record_event("audit.created", "audit", audit.id, user=user, after={"title": audit.title})
    return audit


def case_references(audit: Audit) -> set[str]:
    return set(db.session.scalars(select(Case.reference).where(Case.audit_id == audit.id)))


def add_cases(audit: Audit, rows: list[FrameRow], user: User, agencies: Sequence[Agency] = ()) -> list[Case]:
    """Add cases from validated frame rows; each gets a return from its agencies (or ``agencies``).

    Raises AuditError, adding nothing, when a reference is already in the audit (whatever its case).
    """
    found = personal_details(
        (
            row.line,
            {
                "reference": row.reference,
                "locality": row.locality,
                "plan type": row.plan_type,
                **{k: v for k, v in row.attributes.items() if isinstance(v, str)},
            },
        )
        for row in rows
    )
    if found:  # every path that adds cases (upload, sample, by hand, a command) is pseudonymous
        raise AuditError(" ".join(found))
    taken = {r.upper() for r in case_references(audit)}
    clashes = [row.reference for row in rows if row.reference.upper() in taken]
    if clashes:
        raise AuditError(f"Case {', '.join(clashes)} is already in this audit.")
    by_short = {a.short_name.lower(): a for a in db.session.scalars(select(Agency))}
    cases = []
    for row in rows:
        case = Case(
            audit=audit,
            reference=row.reference,
            age_years=row.age_years,
            age_band=row.age_band,
            locality=row.locality,
            plan_type=row.plan_type,
            attributes=dict(row.attributes),
        )
        db.session.add(case)
        row_agencies = [by_short[s.lower()] for s in row.agencies] or list(agencies)
        if retired := [a.name for a in row_agencies if a.retired]:
            raise AuditError(f"{join_names(retired)} is retired, so it cannot return on new cases.")
        case.returns = [Return(agency=a) for a in row_agencies]
        cases.append(case)
    try:
        db.session.flush()
    except IntegrityError:  # another coordinator added the same reference a moment ago
        raise AuditError(
            "One of these case references was added to the audit by someone else just now. "
            "Reload the audit and try again."
        ) from None
    record_event("cases.added", "audit", audit.id, user=user, after={"references": [c.reference for c in cases]})
    return cases


def get_case(audit: Audit, case_id: int) -> Case | None:
    return db.session.scalar(select(Case).where(Case.id == case_id, Case.audit_id == audit.id))


def remove_case(case: Case, user: User) -> None:
    """Take a case out of the audit; refused once any agency has started its return on it."""
    started = [r.agency.name for r in case.returns if r.state != ReturnState.DRAFT or r.answers]
    if started:
        raise AuditError(
            f"{join_names(started)} already started work on case {case.reference}, so it cannot be removed."
        )
    record_event("case.removed", "case", case.id, user=user, before={"reference": case.reference})
    db.session.delete(case)
    db.session.flush()


def join_names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def set_case_agencies(case: Case, agencies: list[Agency], user: User) -> None:
    """Make ``agencies`` exactly the set that returns on ``case``; started returns are kept."""
    if not case.included:
        raise AuditError(f"Case {case.reference} is excluded from the sample, so no agency returns on it.")
    wanted = {a.id for a in agencies}
    current = {r.agency_id: r for r in case.returns}
    for agency_id, ret in current.items():
        if agency_id not in wanted:
            if ret.state != ReturnState.DRAFT or ret.answers or ret.notes:
                raise AuditError(
                    f"{ret.agency.name} has already started its return on {case.reference}; it cannot be removed."
                )
            case.returns.remove(ret)
            db.session.delete(ret)
    if retired := [a.name for a in agencies if a.id not in current and a.retired]:
        raise AuditError(f"{join_names(retired)} is retired, so it cannot be asked for a new return.")
    for agency in agencies:
        if agency.id not in current:
            case.returns.append(Return(agency=agency))
    db.session.flush()
    record_event(
        "case.agencies",
        "case",
        case.id,
        user=user,
        before={"agencies": sorted(current)},
        after={"agencies": sorted(wanted)},
    )


@dataclass(frozen=True)
class TransitionCheck:
    """What moving an audit on would do: blockers stop it, warnings need the coordinator's eyes."""

    target: AuditState | None
    blockers: list[str]
    warnings: list[str]


def transition_check(audit: Audit) -> TransitionCheck:
    target = NEXT_STATE.get(audit.state)
    if target is None:
        return TransitionCheck(None, [f"An audit in the {audit.state} state cannot be moved on from here."], [])
    states = dict(
        db.session.execute(
            select(Return.state, func.count()).join(Case).where(Case.audit_id == audit.id).group_by(Return.state)
        ).all()
    )
    blockers, warnings = [], []
    if target == AuditState.OPEN:
        blockers += _opening_blockers(audit, sum(states.values()))
        if audit.returns_due and audit.returns_due < date.today():
            warnings.append(f"The returns due date ({long_date(audit.returns_due)}) has already passed.")
    if target == AuditState.CLOSED:
        warnings += _closing_warnings(audit)
    if target in (AuditState.PANEL, AuditState.ANALYSIS) and not _counted_returns(audit):
        blockers.append(
            "No return has been submitted yet, so there is nothing to count. Wait for at least one agency "
            "to submit a return before moving the audit on."
        )
    if target == AuditState.PANEL and states.get(ReturnState.DRAFT, 0) + states.get(ReturnState.RETURNED, 0):
        unfinished = states.get(ReturnState.DRAFT, 0) + states.get(ReturnState.RETURNED, 0)
        warnings.append(
            f"{unfinished} return{'s are' if unfinished != 1 else ' is'} not submitted "
            f"({_unsubmitted_by_agency(audit)}). "
            "They will not be counted, and their auditors will no longer be able to change them."
        )
    return TransitionCheck(target, blockers, warnings)


def _counted_returns(audit: Audit) -> int:
    """How many returns of the audit's included cases the analysis would count."""
    return (
        db.session.scalar(
            select(func.count(Return.id))
            .join(Case)
            .where(Case.audit_id == audit.id, Case.included, Return.state.in_(COUNTED_STATES))
        )
        or 0
    )


def _unsubmitted_by_agency(audit: Audit) -> str:
    """Whose returns are not submitted, e.g. "Police: 2, Health: 1" (agency names, in name order)."""
    rows = db.session.execute(
        select(Agency.name, func.count(Return.id))
        .select_from(Return)
        .join(Case)
        .join(Agency, Return.agency_id == Agency.id)
        .where(Case.audit_id == audit.id, Return.state.in_((ReturnState.DRAFT, ReturnState.RETURNED)))
        .group_by(Agency.name)
        .order_by(Agency.name)
    )
    return ", ".join(f"{name}: {count}" for name, count in rows)


def _opening_blockers(audit: Audit, return_count: int) -> list[str]:
    blockers = []
    if audit.tool_version.status != ToolState.PUBLISHED:
        blockers.append("The audit tool version must be published before the audit opens.")
    if not return_count:
        blockers.append("Add at least one case and tick at least one agency before opening the audit.")
    without = list(
        db.session.scalars(
            select(Case.reference)
            .outerjoin(Return)
            .where(Case.audit_id == audit.id, Case.included, Return.id.is_(None))
            .order_by(Case.reference)
        )
    )
    if without:
        blockers.append(
            f"Choose the agencies for case{'s' if len(without) > 1 else ''} {', '.join(without)}, "
            "or remove them from the audit."
        )
    return blockers


def _closing_warnings(audit: Audit) -> list[str]:
    unpublished = db.session.scalar(
        select(Briefing.number).where(Briefing.audit_id == audit.id, Briefing.state != BriefingState.PUBLISHED)
    )
    if unpublished is None:
        return []
    return [
        f"Version {unpublished} of the learning briefing has not been published. "
        "It can still be finished and published after the audit is closed."
    ]


def mark_published(audit: Audit, user: User) -> None:
    """A briefing was published: an audit still in analysis moves to published (a later version changes nothing)."""
    if not may_move(AUDIT_MOVES, audit.state, AuditState.PUBLISHED):
        return
    audit.state = AuditState.PUBLISHED
    record_event(
        "audit.state",
        "audit",
        audit.id,
        user=user,
        before={"state": AuditState.ANALYSIS},
        after={"state": AuditState.PUBLISHED},
    )


def advance(audit: Audit, user: User) -> AuditState:
    """Move the audit to its next state; refused (changing nothing) while anything blocks it."""
    check = transition_check(audit)
    if check.blockers or check.target is None:  # no next state always comes with a blocker saying so
        raise AuditError(" ".join(check.blockers))
    target = check.target
    before = audit.state
    audit.state = target
    record_event("audit.state", "audit", audit.id, user=user, before={"state": before}, after={"state": target})
    return target


@dataclass(frozen=True)
class ProgressCell:
    return_id: int | None
    state: str | None  # None: this agency is not asked to return on this case
    auditor: str = ""  # who last saved it
    saved_at: datetime | None = None
    overdue: bool = False  # outstanding past the agency's due date (its extension, else the audit's)


GRID_PAGE_SIZE = 50  # cases to a page of the audit's grid of returns (an audit may have 500 cases × 12 agencies)
GRID_SHOWN = ("all", "outstanding", "overdue")  # which cases the grid shows: all, those owing a return, those late


@dataclass(frozen=True)
class AgencyProgress:
    """One agency's returns on the audit: how many in each state, how many done and how many late."""

    agency: Agency
    done: int  # submitted, accepted or declared no involvement
    expected: int  # every return asked of it
    states: dict[str, int]  # state -> returns in it
    overdue: int  # outstanding past the agency's due date


@dataclass(frozen=True)
class ProgressGrid:
    agencies: list[Agency]
    rows: list[tuple[Case, list[ProgressCell]]]  # one page of cases (the filter's, by reference)
    counts: dict[str, int]  # returns in each state, the whole audit
    completion: list[tuple[Agency, int, int]]  # agency, returns submitted or accepted, returns expected
    overdue: bool  # the due date has passed with returns still outstanding
    by_agency: list[AgencyProgress] = field(default_factory=list)
    show: str = "all"
    agency_id: int | None = None  # only cases on which this agency is asked for a return
    page: int = 1
    pages: int = 1
    matching: int = 0  # cases the filter chooses, on every page
    cases: int = 0  # every case in the audit
    outstanding_cases: int = 0  # cases with a return still owed
    overdue_cases: int = 0  # cases with a return owed past its due date


def progress_grid(
    audit: Audit, show: str = "all", page: int = 1, agency_id: int | None = None, page_size: int | None = None
) -> ProgressGrid:
    """Each agency's progress, and one page of cases × agencies with each return's state, in four queries.

    ``show`` chooses the cases (every case, those still owing a return, those with a late one) and ``agency_id``
    narrows them to one agency's cases (and what that agency owes); the counts are always the whole audit's."""
    show = show if show in GRID_SHOWN else "all"
    page_size = page_size or GRID_PAGE_SIZE
    cases = list(db.session.scalars(select(Case).where(Case.audit_id == audit.id).order_by(Case.reference)))
    returns = db.session.execute(
        select(Return.case_id, Return.agency_id, Return.id, Return.state, User.display_name, Return.updated_at)
        .join(Case)
        .outerjoin(User, User.id == Return.auditor_id)
        .where(Case.audit_id == audit.id)
    ).all()
    due = extensions(audit)
    today = date.today()

    def late(agency_id: int, state: str) -> bool:
        when = due.get(agency_id, audit.returns_due)
        return bool(audit.state == AuditState.OPEN and when and when < today and state not in DONE_STATES)

    cell = {
        (r.case_id, r.agency_id): ProgressCell(
            r.id, r.state, r.display_name or "", r.updated_at, late(r.agency_id, r.state)
        )
        for r in returns
    }
    agency_ids = {r.agency_id for r in returns}
    agencies = [a for a in db.session.scalars(select(Agency).order_by(Agency.name)) if a.id in agency_ids]
    if agency_id not in agency_ids:
        agency_id = None
    counts: dict[str, int] = {}
    states: dict[int, dict[str, int]] = {a.id: {} for a in agencies}
    late_returns: dict[int, int] = {a.id: 0 for a in agencies}
    owing: set[int] = set()  # cases with a return outstanding (from the chosen agency, when one is chosen)
    owing_late: set[int] = set()
    asked: set[int] = set()  # cases on which the chosen agency is asked for a return
    for r in returns:
        counts[r.state] = counts.get(r.state, 0) + 1
        states[r.agency_id][r.state] = states[r.agency_id].get(r.state, 0) + 1
        overdue_here = cell[(r.case_id, r.agency_id)].overdue
        late_returns[r.agency_id] += overdue_here
        if agency_id is None or r.agency_id == agency_id:
            asked.add(r.case_id)
            if r.state not in DONE_STATES:
                owing.add(r.case_id)
                if overdue_here:
                    owing_late.add(r.case_id)
    by_agency = [
        AgencyProgress(
            a,
            sum(n for state, n in states[a.id].items() if state in DONE_STATES),
            sum(states[a.id].values()),
            states[a.id],
            late_returns[a.id],
        )
        for a in agencies
    ]
    chosen = {"outstanding": owing, "overdue": owing_late}.get(show, asked if agency_id else None)
    shown = [c for c in cases if chosen is None or c.id in chosen]
    pages = max(1, -(-len(shown) // page_size))
    page = min(max(page, 1), pages)
    rows = [
        (c, [cell.get((c.id, a.id), ProgressCell(None, None)) for a in agencies])
        for c in shown[(page - 1) * page_size : page * page_size]
    ]
    outstanding = sum(n for state, n in counts.items() if state not in DONE_STATES)
    return ProgressGrid(
        agencies,
        rows,
        counts,
        [(p.agency, p.done, p.expected) for p in by_agency],
        bool(outstanding) and any(p.overdue for p in by_agency),
        by_agency,
        show,
        agency_id,
        page,
        pages,
        len(shown),
        len(cases),
        len({r.case_id for r in returns if r.state not in DONE_STATES}),
        len({r.case_id for r in returns if cell[(r.case_id, r.agency_id)].overdue}),
    )


DONE_STATES = (ReturnState.SUBMITTED, ReturnState.ACCEPTED, ReturnState.NO_INVOLVEMENT)


@dataclass(frozen=True)
class Outstanding:
    agency: str
    reference: str
    state: str
    last_saved_by: str
    due: date | None


def outstanding_returns(audit: Audit) -> list[Outstanding]:
    """Who owes what: every return not yet submitted, by agency then case, in one query."""
    rows = db.session.execute(
        select(Agency.name, Case.reference, Return.state, User.display_name)
        .select_from(Return)
        .join(Case)
        .join(Agency)
        .outerjoin(User, Return.auditor_id == User.id)
        .where(Case.audit_id == audit.id, Case.included, Return.state.not_in(DONE_STATES))
        .order_by(Agency.name, Case.reference)
    ).all()
    return [
        Outstanding(agency, reference, state, saved_by or "", audit.returns_due)
        for agency, reference, state, saved_by in rows
    ]


EDITABLE_FIELDS = (
    "title",
    "purpose",
    "scope",
    "period_start",
    "period_end",
    "returns_due",
    "panel_due",
    "coordinator_id",
)


def update_audit(audit: Audit, user: User, **fields: Any) -> list[str]:
    """Change the audit's details; the trail names the fields that changed, never what was typed."""
    changed = [name for name in EDITABLE_FIELDS if name in fields and getattr(audit, name) != fields[name]]
    for name in changed:
        setattr(audit, name, fields[name])
    if changed:
        db.session.flush()
        # the field names as keys (kept as they are), never the values typed
        record_event("audit.edited", "audit", audit.id, user=user, after={"changed": dict.fromkeys(changed, True)})
    return changed


def extensions(audit: Audit) -> dict[int, date]:
    """Each agency's extended returns-due date on this audit, by agency id."""
    rows = db.session.execute(
        select(AgencyExtension.agency_id, AgencyExtension.returns_due).where(AgencyExtension.audit_id == audit.id)
    ).all()
    return {agency_id: due for agency_id, due in rows}


def set_extensions(audit: Audit, wanted: dict[int, date | None], user: User) -> list[int]:
    """Make ``wanted`` the agencies' extensions (None: no extension); returns the agencies whose date changed."""
    current = {
        e.agency_id: e for e in db.session.scalars(select(AgencyExtension).where(AgencyExtension.audit_id == audit.id))
    }
    changed = []
    for agency_id, due in wanted.items():
        row = current.get(agency_id)
        if due is None and row is not None:
            db.session.delete(row)
        elif due is not None and row is None:
            db.session.add(AgencyExtension(audit_id=audit.id, agency_id=agency_id, returns_due=due))
        elif due is not None and row is not None and row.returns_due != due:
            row.returns_due = due
        else:
            continue
        changed.append(agency_id)
    if changed:
        db.session.flush()
        record_event("audit.extensions", "audit", audit.id, user=user, after={"agencies": sorted(changed)})
    return changed


def due_date_for(audit: Audit, agency_id: int) -> date | None:
    """When an agency's returns on this audit are due: its extension if it has one, else the audit's date."""
    extended = db.session.get(AgencyExtension, (audit.id, agency_id))
    return extended.returns_due if extended is not None else audit.returns_due


def effective_due() -> ColumnElement[date | None]:
    """The SQL form of ``due_date_for``, for a query joining Audit and (outer) AgencyExtension on the return's
    audit and agency."""
    return func.coalesce(AgencyExtension.returns_due, Audit.returns_due)


def returning_agencies(audit: Audit) -> list[Agency]:
    """The agencies asked for at least one return on this audit, by name."""
    asked = select(Return.agency_id).join(Case).where(Case.audit_id == audit.id)
    return list(db.session.scalars(select(Agency).where(Agency.id.in_(asked)).order_by(Agency.name)))
