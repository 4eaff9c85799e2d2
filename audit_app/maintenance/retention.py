"""The retention schedule: case-level answers and free text go once an audit has been closed long enough.

What is kept: the audit, its cases (pseudonymous references and attributes), every return row
with its agency and state (so the counts stay right), the panel's agreed grades, the theme
codings without their excerpts, the sample frame's file name, SHA-256 and row count, learning
points, recommendations and the action plan, and every published briefing with its PDF.
What goes: answers, evidence notes, rescued drafts, sample frame rows, briefing drafts that
were never published, and the free text of codings, panel records, returns and excluded cases.

Like the data functions, ``apply_retention`` flushes but never commits: the caller commits.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, CursorResult, Delete, Update, and_, delete, func, or_, select, update

from audit_app.data.events import record_event
from audit_app.database import count_of
from audit_app.extensions import Base, db
from audit_app.models import (
    Answer,
    Audit,
    AuditEvent,
    Briefing,
    Case,
    Coding,
    EvidenceNote,
    FrameRow,
    PanelRecord,
    RescuedDraft,
    Return,
    SampleFrame,
)
from audit_tools.states import AuditState, BriefingState

# Two years after closure: long enough for the next year's audit to look back at this one and for
# questions about the published findings to be answered from the evidence (docs/OPERATIONS.md).
DEFAULT_RETENTION_MONTHS = 24
RETENTION_EVENT = "audit.retention_applied"


@dataclass(frozen=True)
class Step:
    """Rows of one table that retention removes (``blank`` empty) or whose free-text columns it empties."""

    label: str
    model: type[Base]
    where: ColumnElement[bool]
    blank: tuple[str, ...] = ()

    def criteria(self) -> ColumnElement[bool]:
        if not self.blank:
            return self.where
        return and_(self.where, or_(*(getattr(self.model, name) != "" for name in self.blank)))

    def count(self) -> int:
        return count_of(select(func.count()).select_from(self.model).where(self.criteria()))

    def run(self) -> int:
        if self.blank:
            values: dict[str, Any] = {name: "" for name in self.blank}
            version = self.model.__mapper__.version_id_col
            if version is not None:  # a form opened before retention must not save over it
                values[str(version.key)] = version + 1
            statement: Update | Delete = update(self.model).where(self.criteria()).values(values)
        else:
            statement = delete(self.model).where(self.criteria())
        result = db.session.execute(statement.execution_options(synchronize_session=False))
        assert isinstance(result, CursorResult)  # an UPDATE or DELETE always gives one
        return result.rowcount


@dataclass(frozen=True)
class AuditRetention:
    """What the schedule says about one closed audit, and what was (or would be) removed."""

    audit_id: int
    title: str
    closed_on: date | None
    due_on: date | None
    applied_on: date | None = None  # retention already applied, on this day
    removed: dict[str, int] = field(default_factory=dict)

    def is_due(self, today: date) -> bool:
        return self.applied_on is None and self.due_on is not None and today >= self.due_on


def steps(audit_id: int) -> tuple[Step, ...]:
    """Everything retention touches for one audit, each scoped to that audit's rows only."""
    cases = select(Case.id).where(Case.audit_id == audit_id)
    returns = select(Return.id).where(Return.case_id.in_(cases))
    frames = select(SampleFrame.id).where(SampleFrame.audit_id == audit_id)
    return (
        Step("answers", Answer, Answer.return_id.in_(returns)),
        Step("evidence notes", EvidenceNote, EvidenceNote.return_id.in_(returns)),
        Step("rescued drafts", RescuedDraft, RescuedDraft.return_id.in_(returns)),
        Step("sample frame rows", FrameRow, FrameRow.frame_id.in_(frames)),
        Step(
            "unpublished briefing drafts",
            Briefing,
            and_(Briefing.audit_id == audit_id, Briefing.state != BriefingState.PUBLISHED),
        ),
        Step("coded excerpts", Coding, Coding.audit_id == audit_id, ("excerpt",)),
        Step("panel records' text", PanelRecord, PanelRecord.case_id.in_(cases), ("rationale", "dissent", "learning")),
        Step("returns' reasons", Return, Return.case_id.in_(cases), ("amendment_reason", "no_involvement_reason")),
        Step("exclusion reasons", Case, Case.audit_id == audit_id, ("exclusion_reason",)),
        Step("agencies' own case numbers", Case, Case.audit_id == audit_id, ("own_number",)),
    )


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it is shorter: 31 Jan + 1 → 28/29 Feb)."""
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def retention_months() -> int:
    months = current_app.config.get("RETENTION_MONTHS", DEFAULT_RETENTION_MONTHS)
    if not isinstance(months, int) or months < 1:
        raise ValueError(f"RETENTION_MONTHS must be a whole number of months, 1 or more (it is {months!r}).")
    return months


def review(months: int) -> list[AuditRetention]:
    """Every closed audit with the day it closed, the day its case-level data is due to go, and
    the day retention was applied if it has been."""
    audits = list(
        db.session.execute(select(Audit.id, Audit.title).where(Audit.state == AuditState.CLOSED).order_by(Audit.id))
    )
    ids = [audit_id for audit_id, _ in audits]
    closed, applied = _closing_dates(ids), _retention_dates(ids)
    return [
        AuditRetention(
            audit_id,
            title,
            closed.get(audit_id),
            add_months(closed[audit_id], months) if audit_id in closed else None,
            applied.get(audit_id),
        )
        for audit_id, title in audits
    ]


def apply_retention(today: date, months: int, *, dry_run: bool = False) -> list[AuditRetention]:
    """Apply the schedule to every closed audit that is due; the others are returned unchanged.

    Each audit done gets one ``audit.retention_applied`` event with its counts, so a second run
    finds nothing to do. With ``dry_run`` the counts are what would be removed and nothing changes.
    """
    results = []
    for item in review(months):
        if item.is_due(today):
            removed = {step.label: (step.count() if dry_run else step.run()) for step in steps(item.audit_id)}
            item = AuditRetention(item.audit_id, item.title, item.closed_on, item.due_on, None, removed)
            if not dry_run:
                _record(item, months)
        results.append(item)
    return results


def _record(item: AuditRetention, months: int) -> None:
    # The trail keeps code-shaped keys only ("evidence_notes", not "evidence notes"): see trail_seals.
    removed = {label.replace("'", "").replace(" ", "_"): count for label, count in item.removed.items()}
    record_event(
        RETENTION_EVENT,
        "audit",
        item.audit_id,
        after={
            "removed": removed,
            "closed_on": item.closed_on.isoformat() if item.closed_on else None,
            "retention_months": months,
        },
    )
    current_app.logger.info(
        "Retention applied to audit %s: %s",
        item.audit_id,
        ", ".join(f"{count} {label}" for label, count in item.removed.items()),
    )
    db.session.flush()


def _closing_dates(audit_ids: list[int]) -> dict[int, date]:
    """When each audit moved to "closed", from the audit trail (the latest such move counts)."""
    events = db.session.execute(
        select(AuditEvent.object_id, AuditEvent.at, AuditEvent.after)
        .where(
            AuditEvent.object_type == "audit", AuditEvent.object_id.in_(audit_ids), AuditEvent.action == "audit.state"
        )
        .order_by(AuditEvent.at)
    )
    return {audit_id: at.date() for audit_id, at, after in events if (after or {}).get("state") == AuditState.CLOSED}


def _retention_dates(audit_ids: list[int]) -> dict[int, date]:
    events = db.session.execute(
        select(AuditEvent.object_id, func.min(AuditEvent.at))
        .where(
            AuditEvent.object_type == "audit", AuditEvent.object_id.in_(audit_ids), AuditEvent.action == RETENTION_EVENT
        )
        .group_by(AuditEvent.object_id)
    )
    return {audit_id: at.date() for audit_id, at in events if audit_id is not None}  # never None: for the type checker
