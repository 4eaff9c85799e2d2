"""The counted returns of an audit, with their answers and evidence notes, for a spreadsheet."""

from __future__ import annotations

from sqlalchemy import select

from audit_app.data.analysis import EVERY_CASE, counted_returns
from audit_app.data.events import record_event
from audit_app.extensions import db
from audit_app.models import Agency, Answer, Audit, Case, EvidenceNote, Return, User
from audit_tools.analysis import CaseFilters, ReturnAnswers

SHOWN_ELSEWHERE = ("age_years", "age_band")  # case attributes that have their own columns


def returns_for_export(audit: Audit, filters: CaseFilters = EVERY_CASE) -> list[ReturnAnswers]:
    """Every counted return of the chosen cases, by case reference then agency, from three queries."""
    where = counted_returns(audit.id, filters)
    returns = db.session.execute(
        select(
            Return.id,
            Case.reference,
            Case.age_years,
            Case.age_band,
            Case.locality,
            Case.plan_type,
            Case.attributes,
            Agency.name,
            Return.state,
        )
        .join(Case)
        .join(Agency)
        .where(*where)
        .order_by(Case.reference, Agency.name)
    ).all()
    answers: dict[int, dict[str, list[tuple[str, float | None]]]] = {}
    for return_id, key, value, score in db.session.execute(
        select(Answer.return_id, Answer.question_key, Answer.value, Answer.score)
        .join(Return)
        .join(Case)
        .where(*where)
        .order_by(Answer.return_id, Answer.question_key, Answer.ordinal)
    ):
        answers.setdefault(return_id, {}).setdefault(key, []).append((value, score))
    notes: dict[int, dict[str, str]] = {}
    for return_id, key, text in db.session.execute(
        select(EvidenceNote.return_id, EvidenceNote.question_key, EvidenceNote.text)
        .join(Return)
        .join(Case)
        .where(*where)
    ):
        notes.setdefault(return_id, {})[key] = text
    return [
        ReturnAnswers(
            reference,
            age,
            band,
            locality,
            plan,
            agency,
            state,
            {k: str(v) for k, v in (attributes or {}).items() if k not in SHOWN_ELSEWHERE},
            answers.get(return_id, {}),
            notes.get(return_id, {}),
        )
        for return_id, reference, age, band, locality, plan, attributes, agency, state in returns
    ]


def record_export(audit: Audit, user: User, details: dict) -> None:
    """Write down who took a copy of the answers: the spreadsheet leaves the workbench's protection."""
    record_event("answers.exported", "audit", audit.id, user=user, after=details)
