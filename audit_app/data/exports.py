"""The counted returns of an audit, with their answers and evidence notes, for a spreadsheet.

An audit of 500 cases × 12 agencies has 6,000 returns and some 360,000 answers. Only the returns' ids (and
the names of the cases' attributes, which head columns) are read first, so the download can be counted in
the audit trail and the columns known; the returns themselves, their answers and their notes are then read a
batch at a time while the file is written, so memory holds one batch, never the whole audit, and the first
bytes leave at once.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from itertools import groupby
from operator import itemgetter
from typing import Any

from sqlalchemy import Select, select

from audit_app.data.analysis import EVERY_CASE, counted_returns
from audit_app.data.events import record_event
from audit_app.extensions import db
from audit_app.models import Agency, Answer, Audit, Case, EvidenceNote, PanelRecord, Return, User
from audit_tools.analysis import CaseFilters, ReturnAnswers, attribute_names
from audit_tools.tools import ToolDefinition

SHOWN_ELSEWHERE = ("age_years", "age_band")  # case attributes that have their own columns
BATCH = 250  # returns whose answers are read in one query (250 × 60 questions: some 15,000 rows)


@dataclass(frozen=True)
class ReturnsToExport:
    """The returns a spreadsheet will hold: how many, the attribute columns, and the returns themselves
    (an iterator that reads their answers batch by batch: read it once, inside the request)."""

    count: int
    attribute_names: tuple[str, ...]
    returns: Iterator[ReturnAnswers]


def returns_for_export(audit: Audit, definition: ToolDefinition, filters: CaseFilters = EVERY_CASE) -> ReturnsToExport:
    """Every counted return of the chosen cases, by case reference then agency, with the panel's agreed
    judgement of its case. Two queries now (the returns' ids in order; the cases' attribute names), and three
    (the returns with their cases, their answers, their evidence notes) per batch of returns as read: memory
    holds a batch, whatever the audit's size."""
    counted = counted_returns(audit.id, filters)
    ids = list(
        db.session.scalars(
            select(Return.id)
            .join(Case, Return.case_id == Case.id)
            .join(Agency, Return.agency_id == Agency.id)
            .where(*counted)
            .order_by(Case.reference, Agency.name, Return.id)
        )
    )
    attributes = db.session.scalars(
        select(Case.attributes).where(Case.id.in_(select(Return.case_id).join(Case).where(*counted)))
    )
    names = attribute_names(_shown_attributes(found) for found in attributes)
    overall = definition.overall_question
    grades = {option.value: option.label for option in (overall.options if overall else ())}
    return ReturnsToExport(len(ids), names, _with_answers(ids, grades))


def _heads_of(return_ids: Sequence[int], grades: dict[str, str]) -> dict[int, ReturnAnswers]:
    """The returns with their case's details and the panel's agreed judgement, by id (answers to come)."""
    rows = db.session.execute(
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
            PanelRecord.agreed_grade,
        )
        .join(Case, Return.case_id == Case.id)
        .join(Agency, Return.agency_id == Agency.id)
        .outerjoin(PanelRecord, PanelRecord.case_id == Case.id)
        .where(Return.id.in_(return_ids))
    )
    return {
        return_id: ReturnAnswers(
            reference,
            age,
            band,
            locality,
            plan,
            agency,
            state,
            _shown_attributes(attributes),
            panel_judgement=grades.get(grade or "", grade or ""),
        )
        for return_id, reference, age, band, locality, plan, attributes, agency, state, grade in rows
    }


def _shown_attributes(attributes: dict | None) -> dict[str, str]:
    return {k: str(v) for k, v in (attributes or {}).items() if k not in SHOWN_ELSEWHERE}


def _with_answers(ids: Sequence[int], grades: dict[str, str]) -> Iterator[ReturnAnswers]:
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        heads, answers, notes = _heads_of(batch, grades), _answers_of(batch), _notes_of(batch)
        for return_id in batch:
            if (head := heads.get(return_id)) is not None:  # else erased since the ids were read: left out
                yield replace(head, answers=answers.get(return_id, {}), notes=notes.get(return_id, {}))


def _answers_of(return_ids: Sequence[int]) -> dict[int, dict[str, list[tuple[str, float | None]]]]:
    table = Answer.__table__.c
    answers: dict[int, dict[str, list[tuple[str, float | None]]]] = {}
    found = _driver_rows(
        select(table.return_id, table.question_key, table.value, table.score)
        .where(table.return_id.in_(return_ids))
        .order_by(table.return_id, table.question_key, table.ordinal)
    )
    for return_id, rows in groupby(found, itemgetter(0)):
        by_key: dict[str, list[tuple[str, float | None]]] = {}
        answers[return_id] = by_key
        for _, key, value, score in rows:
            if key in by_key:
                by_key[key].append((value, score))
            else:
                by_key[key] = [(value, score)]
    return answers


def _driver_rows(statement: Select) -> list[Any]:
    """The statement's rows as the database driver gives them (tuples). An audit's 360,000 answers are
    read twice as fast as through SQLAlchemy's result rows, which is a second of the download's ten."""
    connection = db.session.connection()
    compiled = statement.compile(dialect=connection.dialect, compile_kwargs={"render_postcompile": True})
    values = compiled.construct_params()
    params = tuple(values[name] for name in compiled.positiontup or ()) if compiled.positional else values
    cursor = connection.connection.cursor()
    try:
        cursor.execute(str(compiled), params)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def _notes_of(return_ids: Sequence[int]) -> dict[int, dict[str, str]]:
    notes: dict[int, dict[str, str]] = {}
    for return_id, key, text in db.session.execute(
        select(EvidenceNote.return_id, EvidenceNote.question_key, EvidenceNote.text).where(
            EvidenceNote.return_id.in_(return_ids)
        )
    ):
        notes.setdefault(return_id, {})[key] = text
    return notes


def record_export(audit: Audit, user: User, details: dict) -> None:
    """Write down who took a copy of the answers: the spreadsheet leaves the workbench's protection."""
    record_event("answers.exported", "audit", audit.id, user=user, after=details)
