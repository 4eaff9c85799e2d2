"""The multi-agency panel: every agency's return on a case, and the record of what the panel agreed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager
from sqlalchemy.orm.exc import StaleDataError

from audit_app.data.events import record_event
from audit_app.extensions import db
from audit_app.models import (
    COUNTED_STATES,
    Agency,
    Answer,
    Audit,
    Case,
    EvidenceNote,
    PanelRecord,
    Return,
    User,
)
from audit_tools.errors import WorkbenchError
from audit_tools.merge import Merge, settle, three_way
from audit_tools.returns import answers as answer_rules
from audit_tools.returns import count_differences
from audit_tools.states import AuditState, ReturnState
from audit_tools.tools import ToolDefinition

PANEL_STATE = AuditState.PANEL  # the panel may record its judgements only while the audit is in this state
RECORD_FIELDS = ("agreed_grade", "rationale", "dissent", "learning")
TEXT_FIELDS = ("rationale", "dissent", "learning")  # free text: a conflict over one may be combined by hand
STALE = "Someone else saved the panel's record for this case after you opened it."


class PanelError(WorkbenchError):
    """A change to a panel record was refused; the message says why."""


class StalePanelRecordError(PanelError):
    """Someone saved the panel's record after this form was opened."""


@dataclass(frozen=True)
class CaseReturns:
    """Who returned on a case: counted returns (submitted or accepted), "no involvement", and the rest."""

    counted: list[Return]
    no_involvement: list[Return]
    not_submitted: list[Return]

    @property
    def total(self) -> int:
        return len(self.counted) + len(self.no_involvement) + len(self.not_submitted)


@dataclass(frozen=True)
class PanelCase:
    """One row of the panel's list of cases."""

    case: Case
    returns: CaseReturns
    differences: int
    record: PanelRecord | None


def is_panel_open(audit: Audit) -> bool:
    return audit.state == PANEL_STATE


def _returns_of(case_ids: list[int]) -> list[Return]:
    """The returns on these cases with their agencies, by agency name: one query."""
    return list(
        db.session.scalars(
            select(Return)
            .join(Return.agency)
            .options(contains_eager(Return.agency))
            .where(Return.case_id.in_(case_ids))
            .order_by(Agency.name)
        )
    )


def _sorted(returns: list[Return]) -> CaseReturns:
    return CaseReturns(
        [r for r in returns if r.state in COUNTED_STATES],
        [r for r in returns if r.state == ReturnState.NO_INVOLVEMENT],
        [r for r in returns if r.state not in COUNTED_STATES and r.state != ReturnState.NO_INVOLVEMENT],
    )


def _answers_by_return(
    returns: list[Return], definition: ToolDefinition, *, keys: list[str] | None = None, notes: bool = True
) -> dict[int, answer_rules.Answers]:
    """Each return's answers (and evidence notes) in one query for answers and one for notes."""
    ids = [r.id for r in returns]
    query = select(Answer.return_id, Answer.question_key, Answer.ordinal, Answer.value).where(Answer.return_id.in_(ids))
    rows: dict[int, list[tuple[str, int, str]]] = {i: [] for i in ids}
    for return_id, key, ordinal, value in db.session.execute(
        query if keys is None else query.where(Answer.question_key.in_(keys))
    ):
        rows[return_id].append((key, ordinal, value))
    answers = {i: answer_rules.from_rows(definition, found) for i, found in rows.items()}
    if notes and ids:
        for return_id, key, text in db.session.execute(
            select(EvidenceNote.return_id, EvidenceNote.question_key, EvidenceNote.text).where(
                EvidenceNote.return_id.in_(ids)
            )
        ):
            answers[return_id][answer_rules.note_key(key)] = text
    return answers


PAGE_SIZE = 50  # cases to a page of the panel's list (an audit may have 500)
SHOWN = ("all", "waiting", "agreed")  # which cases the list shows: all, those without an agreed grade, those with


@dataclass(frozen=True)
class PanelCasesPage:
    """One page of the panel's list of cases, and the counts the page shows above it."""

    rows: list[PanelCase]
    page: int
    pages: int
    matching: int  # cases the chosen filter shows, on every page
    cases: int  # the audit's included cases
    agreed: int  # of them, cases the panel has agreed a grade on


def _agreed() -> ColumnElement[bool]:
    """True for a case (outer-joined to its panel record) whose grade the panel has agreed."""
    return func.coalesce(PanelRecord.agreed_grade, "") != ""


def _shown(show: str) -> list:
    """WHERE conditions (on cases outer-joined to their panel records) for the cases ``show`` chooses."""
    return {"waiting": [~_agreed()], "agreed": [_agreed()]}.get(show, [])


def panel_cases(audit: Audit, definition: ToolDefinition, show: str = "all", page: int = 1) -> PanelCasesPage:
    """A page of the audit's included cases (by reference) with who returned, how many questions the agencies
    differ on and the panel's record: five queries however many cases, and work for one page's cases only."""
    chosen = (
        select(Case)
        .outerjoin(PanelRecord, PanelRecord.case_id == Case.id)
        .where(Case.audit_id == audit.id, Case.included)
    )
    cases_in_audit, agreed_cases = db.session.execute(
        chosen.with_only_columns(func.count(Case.id), func.count(Case.id).filter(_agreed()))
    ).one()
    matching = {"waiting": cases_in_audit - agreed_cases, "agreed": agreed_cases}.get(show, cases_in_audit)
    pages = max(1, -(-matching // PAGE_SIZE))
    page = min(page, pages)
    cases = list(
        db.session.scalars(
            chosen.where(*_shown(show)).order_by(Case.reference).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
        )
    )
    returns = _returns_of([c.id for c in cases])
    counted = [r for r in returns if r.state in COUNTED_STATES]
    answers = _answers_by_return(
        counted, definition, notes=False, keys=[q.key for q in definition.questions if q.is_choice]
    )
    records = {
        r.case_id: r
        for r in db.session.scalars(select(PanelRecord).where(PanelRecord.case_id.in_([c.id for c in cases])))
    }
    by_case: dict[int, list[Return]] = {}
    for ret in returns:
        by_case.setdefault(ret.case_id, []).append(ret)
    rows = []
    for found in cases:
        case_returns = _sorted(by_case.get(found.id, []))
        by_agency = {r.agency.name: answers[r.id] for r in case_returns.counted}
        rows.append(PanelCase(found, case_returns, count_differences(definition, by_agency), records.get(found.id)))
    return PanelCasesPage(rows, page, pages, matching, cases_in_audit, agreed_cases)


def case_returns(case: Case) -> CaseReturns:
    return _sorted(_returns_of([case.id]))


def answers_by_agency(returns: CaseReturns, definition: ToolDefinition) -> dict[str, answer_rules.Answers]:
    """Agency name → its answers and evidence notes, for the counted returns on a case."""
    answers = _answers_by_return(returns.counted, definition)
    return {r.agency.name: answers[r.id] for r in returns.counted}


def panel_record(case: Case) -> PanelRecord | None:
    return db.session.scalar(select(PanelRecord).where(PanelRecord.case_id == case.id))


def current_version(case: Case) -> int:
    """The record's version as stored now; 0 when the panel has recorded nothing yet."""
    return db.session.scalar(select(PanelRecord.version).where(PanelRecord.case_id == case.id)) or 0


def _values(record: PanelRecord | None) -> dict[str, str]:
    return {name: getattr(record, name) if record else "" for name in RECORD_FIELDS}


def record_values(case: Case) -> dict[str, str]:
    """The panel's record as stored now, every field present ("" when blank or nothing recorded)."""
    return _values(panel_record(case))


def merge_record(base: dict | None, saved: dict[str, str], mine: dict[str, str]) -> Merge:
    """Three-way merge of a record typed (``mine``) with one saved meanwhile; ``base=None``: unknown, ask."""
    return three_way(RECORD_FIELDS, base, saved, mine)


def resolve_record(
    merge: Merge, saved: dict[str, str], mine: dict[str, str], choices: dict[str, str], combined: dict[str, str]
) -> tuple[dict[str, str], list[str]]:
    """The record to save after a conflict (every field present), and the clashes still without a choice."""
    typed = {k: answer_rules.as_typed(v) for k, v in combined.items() if isinstance(v, str)}
    values, unsettled = settle(merge, saved, mine, choices, typed, TEXT_FIELDS)
    return {name: values.get(name, "") for name in RECORD_FIELDS}, unsettled


def _traceable(values: dict, changed: Iterable[str]) -> dict:
    """For the audit trail: the agreed grade itself, but of free text only its length (text stays out of the trail)."""
    return {name: values[name] if name == "agreed_grade" else {"length": len(values[name] or "")} for name in changed}


def save_panel_record(
    case: Case, values: dict[str, str], user: User, expected_version: int | None
) -> PanelRecord | None:
    """Record what the panel agreed, refusing a closed panel or a form opened before someone else's save.

    ``expected_version`` is the record's version when the form was shown (0: no record yet). The
    versioned UPDATE (or the unique INSERT) is flushed, so a save that raced another one fails.
    """
    if not is_panel_open(case.audit):
        raise PanelError(f"The panel's records can no longer be changed: the audit has moved on to {case.audit.state}.")
    record = panel_record(case)
    if expected_version is None or expected_version != (record.version if record else 0):
        raise StalePanelRecordError(STALE)
    before = _values(record)
    changed = [name for name in RECORD_FIELDS if values[name] != before[name]]
    if not changed:
        return record
    if record is None:
        record = PanelRecord(case_id=case.id)
        db.session.add(record)
    for name in changed:
        setattr(record, name, values[name])
    record.recorded_by_id, record.updated_at = user.id, datetime.now(UTC)
    try:
        db.session.flush()  # UPDATE panel_records … WHERE version = expected
    except (StaleDataError, IntegrityError):
        raise StalePanelRecordError(STALE) from None
    record_event(
        "panel.saved",
        "panel_record",
        record.id,
        user=user,
        before=_traceable(before, changed),
        after=_traceable(values, changed) | {"case": case.reference, "version": record.version},
    )
    return record
