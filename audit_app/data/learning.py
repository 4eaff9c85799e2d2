"""Learning points, recommendations, their progress, the category list and the action plan across audits.

Functions add and flush, never commit (see docs/DECISIONS.md); each change writes an audit-trail event.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from flask import current_app
from sqlalchemy import ColumnElement, Subquery, distinct, func, select
from sqlalchemy.orm import InstrumentedAttribute, joinedload, selectinload

from audit_app.data.analysis import audit_scores
from audit_app.data.audits import REVEALED_STATES
from audit_app.data.events import record_event
from audit_app.data.tools import definition_of
from audit_app.database import count_of
from audit_app.extensions import db
from audit_app.models import (
    ActionUpdate,
    Audit,
    Case,
    Coding,
    LearningPoint,
    Moderation,
    Recommendation,
    RecommendationCategory,
    Return,
    Theme,
    User,
    learning_point_themes,
)
from audit_tools.errors import WorkbenchError
from audit_tools.learning import (
    AuditColumn,
    ComplianceRow,
    ThemeTrend,
    compliance_rows,
    is_overdue,
    moved,
    slug_from_name,
    theme_trends,
    unique_slug,
)
from audit_tools.states import AuditState, Role

# Learning points and recommendations are written after the reveal and frozen once the briefing is published;
# progress on the action plan is recorded for as long as the plan runs.
EDITABLE_STATES = (AuditState.PANEL, AuditState.ANALYSIS)
PUBLISHED_STATES = (AuditState.PUBLISHED, AuditState.CLOSED)


# The rows kept in an order of their own (``position``), and those saved and deleted through the helpers below.
_Ordered = TypeVar("_Ordered", LearningPoint, Recommendation, RecommendationCategory)
_Row = TypeVar("_Row", LearningPoint, Recommendation)


class CategoryError(WorkbenchError):
    """A change to the category list was refused; the message says why."""


def learning_editable(audit: Audit) -> bool:
    return audit.state in EDITABLE_STATES


def visible_states(user: User) -> tuple[str, ...]:
    """Audits whose recommendations this person may read: the business unit and panel after the reveal,
    everyone else once the briefing is published."""
    return REVEALED_STATES if user.has_role(Role.COORDINATOR, Role.EDITOR, Role.PANEL) else PUBLISHED_STATES


def _reorder(
    kind: str, rows: Sequence[_Ordered], item: _Ordered, step: int, user: User, object_id: int | None, **detail: Any
) -> None:
    """Move ``item`` among ``rows`` (in their order) and number them again from 0."""
    for position, row in enumerate(moved(rows, item, step)):
        row.position = position
    db.session.flush()
    record_event(f"{kind}.moved", kind, object_id, user=user, after={"position": item.position, **detail})


def _saved(kind: str, row: _Row, before: dict | None, record: Callable[[_Row], dict], user: User) -> _Row:
    db.session.flush()
    record_event(
        f"{kind}.updated" if before else f"{kind}.created", kind, row.id, user=user, before=before, after=record(row)
    )
    return row


def _delete(kind: str, row: _Row, record: Callable[[_Row], dict], user: User) -> None:
    record_event(f"{kind}.deleted", kind, row.id, user=user, before=record(row))
    db.session.delete(row)
    db.session.flush()


def _next_position(column: InstrumentedAttribute[int], *where: ColumnElement[bool]) -> int:
    return (db.session.scalar(select(func.max(column)).where(*where)) or 0) + 1


# ---------------------------------------------------------------- learning points


def learning_points(audit: Audit) -> list[LearningPoint]:
    return list(
        db.session.scalars(
            select(LearningPoint)
            .where(LearningPoint.audit_id == audit.id)
            .options(selectinload(LearningPoint.themes))
            .order_by(LearningPoint.position, LearningPoint.id)
        )
    )


def get_learning_point(audit: Audit, point_id: int) -> LearningPoint | None:
    return db.session.scalar(
        select(LearningPoint).where(LearningPoint.id == point_id, LearningPoint.audit_id == audit.id)
    )


def evidence_counts(audit: Audit) -> dict[int, int]:
    """Learning point id → distinct included cases with a confirmed coding of any of its themes (one query)."""
    link = learning_point_themes.c
    return dict(
        db.session.execute(
            select(link.learning_point_id, func.count(distinct(Coding.case_id)))
            .select_from(learning_point_themes)
            .join(LearningPoint, LearningPoint.id == link.learning_point_id)
            .join(Coding, Coding.theme_id == link.theme_id)
            .join(Case, Case.id == Coding.case_id)
            .where(
                LearningPoint.audit_id == audit.id,
                Coding.audit_id == audit.id,
                Coding.status == "confirmed",
                Case.included,
            )
            .group_by(link.learning_point_id)
        ).all()
    )


def included_case_count(audit: Audit) -> int:
    return count_of(select(func.count(Case.id)).where(Case.audit_id == audit.id, Case.included))


def codebook() -> list[Theme]:
    return list(db.session.scalars(select(Theme).order_by(Theme.category, Theme.name)))


def _point_record(point: LearningPoint) -> dict:
    return {"audience": point.audience, "text": point.text, "themes": sorted(t.id for t in point.themes)}


def save_learning_point(
    audit: Audit, point: LearningPoint | None, user: User, *, audience: str, text: str, theme_ids: list[int]
) -> LearningPoint:
    """Add a learning point (``point`` None) or change one; a point moved to another audience goes last there."""
    before = _point_record(point) if point else None
    if point is None or point.audience != audience:
        position = _next_position(
            LearningPoint.position, LearningPoint.audit_id == audit.id, LearningPoint.audience == audience
        )
        point = point or LearningPoint(audit_id=audit.id)
        point.position = position
    point.audience, point.text = audience, text
    point.themes = list(db.session.scalars(select(Theme).where(Theme.id.in_(theme_ids)))) if theme_ids else []
    db.session.add(point)
    return _saved("learning_point", point, before, _point_record, user)


def delete_learning_point(point: LearningPoint, user: User) -> None:
    _delete("learning_point", point, _point_record, user)


def move_learning_point(point: LearningPoint, step: int, user: User) -> None:
    """Move a learning point up (-1) or down (+1) among those for the same audience."""
    same_audience = [
        p for p in learning_points(db.session.get_one(Audit, point.audit_id)) if p.audience == point.audience
    ]
    _reorder("learning_point", same_audience, point, step, user, point.id)


# ---------------------------------------------------------------- recommendations and their progress


def recommendations(audit: Audit) -> list[Recommendation]:
    return list(
        db.session.scalars(
            select(Recommendation)
            .where(Recommendation.audit_id == audit.id)
            .options(joinedload(Recommendation.lead_agency))
            .order_by(Recommendation.position, Recommendation.id)
        )
    )


def get_recommendation(recommendation_id: int, audit: Audit | None = None) -> Recommendation | None:
    query = select(Recommendation).where(Recommendation.id == recommendation_id)
    if audit is not None:
        query = query.where(Recommendation.audit_id == audit.id)
    return db.session.scalar(query)


def _recommendation_record(rec: Recommendation) -> dict:
    return {
        "text": rec.text,
        "category": rec.category,
        "lead_agency_id": rec.lead_agency_id,
        "timeframe": rec.timeframe,
        "due_date": rec.due_date.isoformat() if rec.due_date else None,
        "rag": rec.rag,
    }


def save_recommendation(audit: Audit, rec: Recommendation | None, user: User, **fields: Any) -> Recommendation:
    """Add a recommendation (``rec`` None, goes last) or change one. Fields: text, category, lead_agency_id,
    timeframe, due_date and, for a new one only, rag (afterwards its status follows the progress updates)."""
    before = _recommendation_record(rec) if rec else None
    if rec is None:
        rec = Recommendation(
            audit_id=audit.id, position=_next_position(Recommendation.position, Recommendation.audit_id == audit.id)
        )
        db.session.add(rec)
    else:
        fields.pop("rag", None)
    for name, value in fields.items():
        setattr(rec, name, value)
    return _saved("recommendation", rec, before, _recommendation_record, user)


def delete_recommendation(rec: Recommendation, user: User) -> None:
    _delete("recommendation", rec, _recommendation_record, user)


def move_recommendation(rec: Recommendation, step: int, user: User) -> None:
    _reorder("recommendation", recommendations(db.session.get_one(Audit, rec.audit_id)), rec, step, user, rec.id)


def progress_updates(rec: Recommendation) -> list[ActionUpdate]:
    return list(
        db.session.scalars(
            select(ActionUpdate)
            .where(ActionUpdate.recommendation_id == rec.id)
            .options(joinedload(ActionUpdate.by))
            .order_by(ActionUpdate.at.desc(), ActionUpdate.id.desc())
        )
    )


def add_progress_update(rec: Recommendation, user: User, *, text: str, rag: str) -> ActionUpdate:
    """Record progress; the recommendation's status becomes the status given with its latest update."""
    before = rec.rag
    update = ActionUpdate(recommendation_id=rec.id, by_id=user.id, text=text, rag=rag)
    rec.rag = rag
    db.session.add(update)
    db.session.flush()
    record_event(
        "recommendation.progress",
        "recommendation",
        rec.id,
        user=user,
        before={"rag": before},
        after={"rag": rag, "update_id": update.id, "text": text},
    )
    return update


# ---------------------------------------------------------------- recommendation categories


def categories() -> list[RecommendationCategory]:
    return list(
        db.session.scalars(
            select(RecommendationCategory).order_by(RecommendationCategory.position, RecommendationCategory.name)
        )
    )


def get_category(slug: str) -> RecommendationCategory | None:
    return db.session.get(RecommendationCategory, slug)


def category_usage() -> dict[str, int]:
    """Category slug → number of recommendations filed under it."""
    return dict(
        db.session.execute(select(Recommendation.category, func.count()).group_by(Recommendation.category)).all()
    )


def _check_name_free(name: str, slug: str | None = None) -> None:
    clash = db.session.scalar(
        select(RecommendationCategory).where(
            func.lower(RecommendationCategory.name) == name.lower(), RecommendationCategory.slug != (slug or "")
        )
    )
    if clash:
        raise CategoryError(f"There is already a category called ‘{clash.name}’")


def add_category(name: str, user: User) -> RecommendationCategory:
    """Add a category at the end of the list; raises CategoryError when the name is taken."""
    name = name.strip()
    _check_name_free(name)
    slug = unique_slug(slug_from_name(name)[:36].rstrip("_"), db.session.scalars(select(RecommendationCategory.slug)))
    category = RecommendationCategory(slug=slug, name=name, position=_next_position(RecommendationCategory.position))
    db.session.add(category)
    db.session.flush()
    record_event(
        "recommendation_category.created",
        "recommendation_category",
        None,
        user=user,
        after={"slug": slug, "name": name},
    )
    return category


def rename_category(category: RecommendationCategory, name: str, user: User) -> RecommendationCategory:
    name = name.strip()
    _check_name_free(name, category.slug)
    before, category.name = category.name, name
    db.session.flush()
    record_event(
        "recommendation_category.renamed",
        "recommendation_category",
        None,
        user=user,
        before={"slug": category.slug, "name": before},
        after={"slug": category.slug, "name": name},
    )
    return category


def delete_category(category: RecommendationCategory, user: User) -> None:
    """Delete a category no recommendation uses; raises CategoryError otherwise."""
    used = category_usage().get(category.slug, 0)
    if used:
        raise CategoryError(
            f"‘{category.name}’ cannot be deleted because {used} recommendation"
            f"{' is' if used == 1 else 's are'} filed under it. Move {'it' if used == 1 else 'them'} "
            "to another category first."
        )
    record_event(
        "recommendation_category.deleted",
        "recommendation_category",
        None,
        user=user,
        before={"slug": category.slug, "name": category.name},
    )
    db.session.delete(category)
    db.session.flush()


def move_category(category: RecommendationCategory, step: int, user: User) -> None:
    _reorder("recommendation_category", categories(), category, step, user, None, slug=category.slug)


# ---------------------------------------------------------------- the action plan across audits


@dataclass(frozen=True)
class ActionFilters:
    audit_id: int | None = None
    lead_agency_id: int | None = None
    category: str = ""
    rag: str = ""
    overdue_only: bool = False


@dataclass(frozen=True)
class Action:
    """One row of the action plan."""

    recommendation: Recommendation
    audit: Audit
    category_name: str
    last_update: datetime | None
    overdue: bool


def _latest_updates() -> Subquery:
    return (
        select(ActionUpdate.recommendation_id.label("recommendation_id"), func.max(ActionUpdate.at).label("at"))
        .group_by(ActionUpdate.recommendation_id)
        .subquery()
    )


def action_plan(user: User, filters: ActionFilters, today: date) -> list[Action]:
    """Every recommendation this person may read, filtered, soonest due first (one query)."""
    latest = _latest_updates()
    query = (
        select(Recommendation, Audit, RecommendationCategory.name, latest.c.at)
        .join(Audit, Audit.id == Recommendation.audit_id)
        .outerjoin(RecommendationCategory, RecommendationCategory.slug == Recommendation.category)
        .outerjoin(latest, latest.c.recommendation_id == Recommendation.id)
        .options(joinedload(Recommendation.lead_agency))
        .where(Audit.state.in_(visible_states(user)))
        .order_by(
            Recommendation.due_date.is_(None),
            Recommendation.due_date,
            Audit.year.desc(),
            Audit.id,
            Recommendation.position,
        )
    )
    for value, condition in (
        (filters.audit_id, Audit.id == filters.audit_id),
        (filters.lead_agency_id, Recommendation.lead_agency_id == filters.lead_agency_id),
        (filters.category, Recommendation.category == filters.category),
        (filters.rag, Recommendation.rag == filters.rag),
        (filters.overdue_only, Recommendation.due_date < today),
        (filters.overdue_only, Recommendation.rag != "complete"),
    ):
        if value:
            query = query.where(condition)
    return [
        Action(rec, audit, name or rec.category, at, is_overdue(rec.due_date, rec.rag, today))
        for rec, audit, name, at in db.session.execute(query)
    ]


def plan_audits(user: User) -> list[Audit]:
    """The audits whose recommendations this person may read, newest first (for the filter)."""
    return list(
        db.session.scalars(
            select(Audit).where(Audit.state.in_(visible_states(user))).order_by(Audit.year.desc(), Audit.title)
        )
    )


# ---------------------------------------------------------------- year on year


def revealed_audits() -> list[Audit]:
    """Audits whose results have been revealed, oldest first: the columns of the year-on-year view."""
    return list(
        db.session.scalars(
            select(Audit)
            .where(Audit.state.in_(REVEALED_STATES))
            .options(joinedload(Audit.tool_version))
            .order_by(Audit.year, Audit.title, Audit.id)
        )
    )


def theme_trend_table(audits: list[Audit]) -> list[ThemeTrend]:
    """Themes × audits: distinct included cases with a confirmed coding, from one grouped query."""
    counts = db.session.execute(
        select(Coding.theme_id, Coding.audit_id, func.count(distinct(Coding.case_id)))
        .join(Case, Case.id == Coding.case_id)
        .where(Coding.audit_id.in_([a.id for a in audits]), Coding.status == "confirmed", Case.included)
        .group_by(Coding.theme_id, Coding.audit_id)
    ).all()
    themes = db.session.execute(
        select(Theme.id, Theme.name, Theme.category).where(Theme.id.in_({theme_id for theme_id, _a, _n in counts}))
    ).all()
    return theme_trends([AuditColumn(a.id, a.title, a.year) for a in audits], themes, counts)


def compliance_table(audits: list[Audit]) -> list[ComplianceRow]:
    """Compliance by section and overall for each audit (one grouped query per audit whose answers changed).

    Counting a 500-case audit's 360,000 answers takes about 0.3 s on SQLite, and the year-on-year view shows
    every revealed audit, whose answers hardly ever change. So each worker keeps each audit's figures with the
    mark of its answers when they were counted (``_answers_marks``: one small query for every audit) and counts
    again only the audits whose mark has moved."""
    kept: dict[int, tuple[tuple, tuple]] = current_app.extensions.setdefault("compliance_by_audit", {})
    marks = _answers_marks(audits)
    per_audit = []
    for audit in audits:
        mark = (audit.tool_version_id, marks.get(audit.id))
        known = kept.get(audit.id)
        if known is None or known[0] != mark:
            result = audit_scores(audit, definition_of(audit.tool_version))
            figures = (
                result.overall.compliance,
                [(title, score.compliance) for _key, title, score in result.sections if score.possible],
            )
            kept[audit.id] = known = (mark, figures)
        per_audit.append(known[1])
    return compliance_rows(per_audit)


def _answers_marks(audits: list[Audit]) -> dict[int, tuple]:
    """For each audit, what changes whenever its counted answers may have: how many returns count, when a
    return was last changed (a save, a submission, sending back, accepting all change it), and when a
    moderation last replaced an answer with the agreed grade (which changes no return)."""
    if not audits:
        return {}
    rows = db.session.execute(
        select(
            Return.audit_id,
            func.count(Return.id).filter(Return.counted),
            func.count(Return.id),
            func.max(Return.updated_at),
            func.max(Moderation.reconciled_at),
        )
        .outerjoin(Moderation, Moderation.return_id == Return.id)
        .where(Return.audit_id.in_([a.id for a in audits]))
        .group_by(Return.audit_id)
    ).all()
    return {audit_id: tuple(mark) for audit_id, *mark in rows}
