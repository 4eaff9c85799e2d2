"""Figures about an audit, computed by the database (GROUP BY), never by looping over answers.

Only counted returns (submitted or accepted) of included cases are analysed; the
case filters (age band, locality, plan type) go into every query's WHERE clause.
Each answer carries its audit and whether its return counts (kept equal to the
return's by the database), so an audit's counted answers are found by a plain
condition on the answers table; only a case filter adds the cases it chooses.
(Answers of an excluded case never count: excluding a case deletes its returns,
and is refused once work on them has started.)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import BindParameter, Row, Select, bindparam, case, func, select

from audit_app.data.sampling import STRATUM_LABELS
from audit_app.extensions import db
from audit_app.models import (
    COUNTED_STATES,
    Agency,
    Answer,
    Audit,
    Case,
    PanelRecord,
    Return,
    SampleFrame,
    Sampling,
)
from audit_tools.analysis import (
    FILTERED_ATTRIBUTES,
    AgencyReturns,
    Analysis,
    Answering,
    AuditFacts,
    CaseAnswer,
    CaseFilters,
    Distributions,
    GroupedAnswers,
    KeyFigures,
    QuestionAnalysis,
    QuestionSummary,
    agreement_between_agencies,
    agreement_with_panel,
    charted_multiple_choice,
    distributions,
    filter_choices,
    judgements_of,
    prevalence,
    prevalences,
)
from audit_tools.returns import ToolScores, scores
from audit_tools.tools import Question, ToolDefinition

EVERY_CASE = CaseFilters()


def _chosen_cases(audit_id: int, filters: CaseFilters) -> list:
    """WHERE conditions for the audit's included cases that the filters choose."""
    return [
        Case.audit_id == audit_id,
        Case.included,
        *(getattr(Case, name) == value for name, value in filters.chosen().items()),
    ]


def counted_returns(audit_id: int, filters: CaseFilters = EVERY_CASE) -> list:
    """WHERE conditions (on returns joined to cases) for the counted returns of the chosen cases."""
    return [*_chosen_cases(audit_id, filters), Return.state.in_(COUNTED_STATES)]


def _returns_of(audit_id: int, filters: CaseFilters) -> list:
    """WHERE conditions on returns: the returns on the audit's included cases that the filters choose. (Found
    through the cases: SQLite's planner, counting on averages, may not trust an audit's share of all returns.)"""
    return [Return.case_id.in_(select(Case.id).where(*_chosen_cases(audit_id, filters)))]


def _audit_answers(audit_id: int, filters: CaseFilters) -> Select:
    """All the audit's counted answers, found by their own columns (each carries its audit and whether it
    counts), so a whole-audit count reads the answers table alone; a case filter adds its returns."""
    # The id is written into the SQL: SQLite weighs its audit index against reading the whole table only
    # when it sees the value (for a bound parameter it reads every audit's answers).
    audit: BindParameter[int] = bindparam("audit", audit_id, literal_execute=True)
    statement = select().select_from(Answer).where(Answer.audit_id == audit, Answer.counted)
    if filters.chosen():
        statement = statement.where(Answer.return_id.in_(select(Return.id).where(*_returns_of(audit_id, filters))))
    return statement


def _answers_to(audit_id: int, keys: list[str], filters: CaseFilters) -> Select:
    """The audit's counted answers to a few questions, found through the (question, return) index: its
    question's rows of the audit's counted returns only, however many other audits the database holds."""
    counted = select(Return.id).where(*_returns_of(audit_id, filters), Return.counted)
    return select().select_from(Answer).where(Answer.question_key.in_(keys), Answer.return_id.in_(counted))


def _read(statement: Select) -> Sequence[Row]:
    """Run a report query on the session's connection: plain rows, with none of the ORM's work per row.
    The session is flushed first, as the ORM would, so the query sees every change made so far."""
    db.session.flush()
    return db.session.connection().execute(statement).all()


def case_filter_choices(audit: Audit) -> dict[str, tuple[str, ...]]:
    """The age bands, localities and plan types of the audit's included cases, for the filter form."""
    rows = db.session.execute(
        select(*(getattr(Case, name) for name in FILTERED_ATTRIBUTES))
        .where(*_chosen_cases(audit.id, EVERY_CASE))
        .distinct()
    ).all()
    return filter_choices(rows)


def answer_counts(
    audit: Audit, definition: ToolDefinition, keys: list[str] | None = None, filters: CaseFilters = EVERY_CASE
) -> list[GroupedAnswers]:
    """The one big GROUP BY: (question, agency, value, ordinal) → number of answers, over the choice
    questions ``keys`` (all by default: then only free text is left out, so no list is checked per answer).
    The ordinal lets each return's first row count the returns answering a multiple choice."""
    if keys is None:
        statement = _audit_answers(audit.id, filters)
        if free := [q.key for q in definition.questions if not q.is_choice]:
            statement = statement.where(Answer.question_key.not_in(free))
    else:
        statement = _answers_to(audit.id, keys, filters)
    # Grouped agency first: no index starts with the agency, so SQLite reads the audit's answers through
    # their audit index (or the table) instead of walking every audit's answers by question to save a sort.
    grouped = (Answer.agency_id, Answer.question_key, Answer.value, Answer.ordinal)
    statement = statement.add_columns(
        Answer.question_key, Answer.agency_id, Answer.value, Answer.ordinal, func.count()
    ).group_by(*grouped)
    return list(map(GroupedAnswers._make, _read(statement)))


def case_answers(
    audit: Audit, overall: Question | None, charted: tuple[Question, ...], filters: CaseFilters = EVERY_CASE
) -> Sequence[CaseAnswer]:
    """Each agency's answers in each case to the overall judgement and the charted multiple choices: one
    narrow read, through the (question, return) index. (Not DISTINCT: the sums built from it count each case once.)
    The rows are the database's own, with ``CaseAnswer``'s fields in its order, which is all that
    ``judgements_of`` and ``prevalences`` ask of them: tens of thousands are not copied (docs/DECISIONS.md)."""
    keys = [q.key for q in (overall, *charted) if q is not None]
    if not keys:
        return []
    rows = _read(
        select(Answer.question_key, Return.case_id, Answer.agency_id, Answer.value)
        .join(Return)
        .where(Answer.question_key.in_(keys), *_returns_of(audit.id, filters), Return.counted)
    )
    return cast("Sequence[CaseAnswer]", rows)  # the rows are CaseAnswer-shaped, field for field


def _free_text_answering(audit: Audit, keys: list[str], filters: CaseFilters) -> list[Answering]:
    """Returns answering each free-text, number or date question, agency by agency."""
    if not keys:
        return []
    return list(
        map(
            Answering._make,
            _read(
                _answers_to(audit.id, keys, filters)
                .add_columns(Answer.question_key, Answer.agency_id, func.count())
                .group_by(Answer.question_key, Answer.agency_id)
            ),
        )
    )


def _distributions(
    audit: Audit,
    definition: ToolDefinition,
    filters: CaseFilters,
    names: dict[int, str],
    questions: tuple[Question, ...] | None = None,
) -> Distributions:
    """Answers overall and by agency to ``questions`` (all by default)."""
    questions = definition.questions if questions is None else questions
    keys = None if questions == definition.questions else [q.key for q in questions if q.is_choice]
    return distributions(
        definition,
        answer_counts(audit, definition, keys, filters),
        _free_text_answering(audit, [q.key for q in questions if not q.is_choice], filters),
        names,
    )


def _agency_returns(audit: Audit, filters: CaseFilters) -> tuple[AgencyReturns, ...]:
    rows = db.session.execute(
        select(Agency.id, Agency.name, func.count(), func.sum(case((Return.counted, 1), else_=0)))
        .select_from(Return)
        .join(Agency)
        .where(*_returns_of(audit.id, filters))
        .group_by(Agency.id, Agency.name)
        .order_by(Agency.name)
    ).all()
    return tuple(AgencyReturns(agency_id, name, counted or 0, asked) for agency_id, name, asked, counted in rows)


def _panel_grades(audit: Audit, filters: CaseFilters) -> dict[int, str]:
    return dict(
        db.session.execute(
            select(PanelRecord.case_id, PanelRecord.agreed_grade)
            .join(Case)
            .where(*_chosen_cases(audit.id, filters), PanelRecord.agreed_grade != "")
        ).all()
    )


def _key_figures(
    audit: Audit, filters: CaseFilters, agencies: tuple[AgencyReturns, ...], panel_judgements: int
) -> KeyFigures:
    cases, age_min, age_max = db.session.execute(
        select(func.count(Case.id), func.min(Case.age_years), func.max(Case.age_years)).where(
            *_chosen_cases(audit.id, filters)
        )
    ).one()
    return KeyFigures(cases, age_min, age_max, agencies, panel_judgements)


def analysis_data(audit: Audit, definition: ToolDefinition, filters: CaseFilters = EVERY_CASE) -> Analysis:
    """Everything the analysis page shows: one GROUP BY over the answers, one narrow read of the answers
    whose case matters, and small queries over cases, returns, panel records (and free-text answers,
    counted), whatever the audit's size."""
    agencies = _agency_returns(audit, filters)
    names = {a.agency_id: a.name for a in agencies}
    overall = definition.overall_question
    panel = _panel_grades(audit, filters)
    charted = charted_multiple_choice(definition)
    by_case = case_answers(audit, overall, charted, filters)
    judgements = judgements_of(by_case, overall.key) if overall else {}
    return Analysis(
        filters=filters,
        figures=_key_figures(audit, filters, agencies, len(panel)),
        distributions=_distributions(audit, definition, filters, names),
        prevalence=prevalences(charted, by_case),
        between_agencies=agreement_between_agencies(judgements, tuple(o.value for o in overall.options))
        if overall
        else None,
        with_panel=agreement_with_panel(judgements, panel, names, overall) if overall else None,
    )


def question_analysis(
    audit: Audit, definition: ToolDefinition, question: Question, filters: CaseFilters = EVERY_CASE
) -> QuestionAnalysis:
    """One question's answers overall and by agency (and by case, for a charted multiple choice)."""
    names = {a.agency_id: a.name for a in _agency_returns(audit, filters)}
    found = _distributions(audit, definition, filters, names, (question,))
    charted = question in charted_multiple_choice(definition)
    return QuestionAnalysis(
        found.summaries[question.key],
        found.by_agency[question.key],
        prevalence(question, case_answers(audit, None, (question,), filters)) if charted else None,
    )


def question_summaries(audit: Audit, definition: ToolDefinition) -> list[QuestionSummary]:
    """One summary per question of the whole audit, in the tool's order (used by the briefing)."""
    return list(_distributions(audit, definition, EVERY_CASE, {}).summaries.values())


def audit_scores(audit: Audit, definition: ToolDefinition, filters: CaseFilters = EVERY_CASE) -> ToolScores:
    """Compliance by section and overall, from the scores stored with the counted returns' answers: one GROUP BY
    of the audit's scored answers (the same whole-audit read as the analysis page, through the audit index).

    Grouped by question, answer and score, not by agency and ordinal as the analysis's distributions are: on
    SQLite the grouping's temporary B-tree is most of the cost, and this feeds it the scored rows only
    (0.31 → 0.18 s of CPU for a 500-case audit). Equal to the distributions' scores (a test checks it)."""
    statement = (
        _audit_answers(audit.id, filters)
        .where(Answer.score.is_not(None))
        .add_columns(Answer.question_key, Answer.score, func.count())
        .group_by(Answer.question_key, Answer.value, Answer.score)
    )
    sums: dict[str, tuple[float, int]] = {}
    for key, score, count in _read(statement):
        total, answered = sums.get(key, (0.0, 0))
        sums[key] = (total + score * count, answered + count)
    return scores(definition, sums)


def audit_facts(audit: Audit) -> AuditFacts:
    """Case count, age range, agencies and return counts for the summary."""
    case_count, age_min, age_max = db.session.execute(
        select(func.count(Case.id), func.min(Case.age_years), func.max(Case.age_years)).where(
            Case.audit_id == audit.id, Case.included
        )
    ).one()
    plan_types = tuple(
        db.session.scalars(
            select(Case.plan_type).where(Case.audit_id == audit.id, Case.included).distinct().order_by(Case.plan_type)
        )
    )
    state_counts = dict(
        db.session.execute(
            select(Return.state, func.count()).join(Case).where(Case.audit_id == audit.id).group_by(Return.state)
        ).all()
    )
    agencies = tuple(
        db.session.scalars(
            select(Agency.name)
            .join(Return)
            .join(Case)
            .where(Case.audit_id == audit.id, Return.state.in_(COUNTED_STATES))
            .distinct()
            .order_by(Agency.name)
        )
    )
    return AuditFacts(
        title=audit.title,
        topic=audit.topic,
        year=audit.year,
        case_count=case_count,
        age_min=age_min,
        age_max=age_max,
        agencies=agencies,
        plan_types=plan_types,
        returns_submitted=sum(state_counts.get(s, 0) for s in COUNTED_STATES),
        returns_expected=sum(state_counts.values()),
        purpose=audit.purpose,
        scope=audit.scope,
        **_sampling_facts(audit),
    )


def _sampling_facts(audit: Audit) -> dict[str, Any]:
    """How the newest sample of the audit was drawn, for the summary's plain sentence (none: no keys)."""
    row = db.session.execute(
        select(Sampling.statement, Sampling.method, Sampling.strata, SampleFrame.row_count)
        .join(SampleFrame, SampleFrame.id == Sampling.frame_id)
        .where(Sampling.audit_id == audit.id)
        .order_by(Sampling.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return {}
    statement, method, strata, frame_size = row
    labels = tuple(STRATUM_LABELS.get(name, name.replace("_", " ")) for name in strata or ())
    return {"method_statement": statement, "sampling_method": method, "frame_size": frame_size, "strata": labels}
