"""Figures about an audit, computed by the database (GROUP BY), never by looping over answers."""

from __future__ import annotations

from sqlalchemy import distinct, func, select

from audit_app.extensions import db
from audit_app.models import Agency, Answer, Audit, Case, Return, Sampling
from audit_tools.aggregation import QuestionSummary, summarise
from audit_tools.definition import ToolDefinition
from audit_tools.scoring import ToolScores, scores
from audit_tools.summary import AuditFacts

COUNTED_STATES = ("submitted", "accepted")


def _counted_answers(audit_id: int):
    return (select().select_from(Answer).join(Return).join(Case)
            .where(Case.audit_id == audit_id, Return.state.in_(COUNTED_STATES)))


def question_summaries(audit: Audit, definition: ToolDefinition) -> list[QuestionSummary]:
    """One summary per question, in the tool's order, from two grouped queries."""
    choice_keys = [q.key for q in definition.questions if q.is_choice]
    counts = db.session.execute(
        _counted_answers(audit.id)
        .add_columns(Answer.question_key, Answer.value, func.count())
        .where(Answer.question_key.in_(choice_keys))
        .group_by(Answer.question_key, Answer.value)
    ).all()
    answered = dict(db.session.execute(
        _counted_answers(audit.id)
        .add_columns(Answer.question_key, func.count(distinct(Answer.return_id)))
        .group_by(Answer.question_key)
    ).all())
    by_question: dict[str, dict[str, int]] = {}
    for key, value, count in counts:
        by_question.setdefault(key, {})[value] = count
    return [summarise(q, by_question.get(q.key, {}), answered.get(q.key, 0)) for q in definition.questions]


def audit_scores(audit: Audit, definition: ToolDefinition) -> ToolScores:
    """Compliance by section and overall, from one grouped query over the counted returns."""
    sums = db.session.execute(
        _counted_answers(audit.id)
        .add_columns(Answer.question_key, func.sum(Answer.score), func.count(Answer.score))
        .where(Answer.score.is_not(None))
        .group_by(Answer.question_key)
    ).all()
    return scores(definition, {key: (float(total or 0), count) for key, total, count in sums})


def audit_facts(audit: Audit) -> AuditFacts:
    """Case count, age range, agencies and return counts for the summary."""
    case_count, age_min, age_max = db.session.execute(
        select(func.count(Case.id), func.min(Case.age_years), func.max(Case.age_years))
        .where(Case.audit_id == audit.id, Case.included)
    ).one()
    plan_types = tuple(db.session.scalars(
        select(Case.plan_type).where(Case.audit_id == audit.id, Case.included).distinct().order_by(Case.plan_type)
    ))
    state_counts = dict(db.session.execute(
        select(Return.state, func.count()).join(Case).where(Case.audit_id == audit.id).group_by(Return.state)
    ).all())
    agencies = tuple(db.session.scalars(
        select(Agency.name).join(Return).join(Case)
        .where(Case.audit_id == audit.id, Return.state.in_(COUNTED_STATES))
        .distinct().order_by(Agency.name)
    ))
    return AuditFacts(
        title=audit.title, topic=audit.topic, year=audit.year, case_count=case_count,
        age_min=age_min, age_max=age_max, agencies=agencies, plan_types=plan_types,
        returns_submitted=sum(state_counts.get(s, 0) for s in COUNTED_STATES),
        returns_expected=sum(state_counts.values()), purpose=audit.purpose, scope=audit.scope,
        method_statement=db.session.scalar(select(Sampling.statement).where(Sampling.audit_id == audit.id)
                                           .order_by(Sampling.id.desc()).limit(1)) or "",
    )
