"""What the comparison of two audits reads from the database: each audit's figures as plain results."""

from __future__ import annotations

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import joinedload

from audit_app.data.analysis import audit_scores
from audit_app.data.audits import REVEALED_STATES, can_see_results
from audit_app.data.briefings import audit_name
from audit_app.data.tools import definition_of
from audit_app.extensions import db
from audit_app.models import Audit, Case, Coding, PanelRecord, Theme, User
from audit_tools.analysis.comparison import AuditResults


def comparable_audits(user: User) -> list[Audit]:
    """Audits whose results have been revealed and this person may see, the newest first."""
    audits = db.session.scalars(
        select(Audit)
        .where(Audit.state.in_(REVEALED_STATES))
        .options(joinedload(Audit.tool_version))
        .order_by(Audit.year.desc(), Audit.id.desc())
    ).all()
    return [audit for audit in audits if can_see_results(user, audit)]


def audit_results(audit: Audit) -> AuditResults:
    """Compliance by section, the panel's overall judgements and the confirmed themes of one audit: a grouped
    query each, over its included cases and counted returns."""
    definition = definition_of(audit.tool_version)
    scores = audit_scores(audit, definition)
    overall = definition.overall_question
    return AuditResults(
        id=audit.id,
        name=audit_name(audit.title, audit.year),
        year=audit.year,
        tool_id=audit.tool_version.tool_id,
        question_keys=frozenset(definition.questions_by_key),
        overall=scores.overall.compliance,
        sections=tuple((title, score.compliance) for _key, title, score in scores.sections if score.possible),
        grades=_grades(audit, tuple((o.value, o.label) for o in overall.options) if overall else ()),
        themes=_themes(audit),
        cases=db.session.scalar(select(func.count(Case.id)).where(Case.audit_id == audit.id, Case.included)) or 0,
    )


def _grades(audit: Audit, options: tuple[tuple[str, str], ...]) -> tuple[tuple[str, int], ...]:
    """Each grade of the overall question (its label, best first) with the included cases the panel agreed it for."""
    counts = dict(
        db.session.execute(
            select(PanelRecord.agreed_grade, func.count())
            .join(Case, Case.id == PanelRecord.case_id)
            .where(Case.audit_id == audit.id, Case.included, PanelRecord.agreed_grade != "")
            .group_by(PanelRecord.agreed_grade)
        ).all()
    )
    return tuple((label, counts.get(value, 0)) for value, label in options)


def _themes(audit: Audit) -> tuple[tuple[str, int], ...]:
    """Each theme confirmed in the audit with the number of included cases coded with it."""
    rows = db.session.execute(
        select(Theme.name, func.count(distinct(Coding.case_id)))
        .join(Coding, Coding.theme_id == Theme.id)
        .join(Case, Case.id == Coding.case_id)
        .where(Coding.audit_id == audit.id, Coding.status == "confirmed", Case.included)
        .group_by(Theme.name)
    )
    return tuple((name, count) for name, count in rows)
