"""Gathering what a learning briefing needs from the database into plain content."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from audit_app.data.analysis import audit_facts, question_summaries
from audit_app.data.settings import get_setting
from audit_app.data.tools import definition_of
from audit_app.extensions import db
from audit_app.models import Audit, LearningPoint, Recommendation
from audit_tools.briefing import BriefingContent
from audit_tools.briefing import Recommendation as RecommendationItem
from audit_tools.briefing import Resource
from audit_tools.drafting import BriefingSettings, Learning, draft_briefing
from audit_tools.summary import long_date


def briefing_settings() -> BriefingSettings:
    return BriefingSettings(
        partnership_name=get_setting("partnership_name"),
        series_title=get_setting("series_title"),
        definition=get_setting("definition"),
        accent_colour=get_setting("accent_colour"),
        resources=tuple(Resource(r["title"], r.get("url", "")) for r in get_setting("resources")),
    )


def audit_learning(audit: Audit) -> Learning:
    points = db.session.scalars(
        select(LearningPoint).where(LearningPoint.audit_id == audit.id)
        .order_by(LearningPoint.position, LearningPoint.id)
    ).all()
    recommendations = db.session.scalars(
        select(Recommendation).where(Recommendation.audit_id == audit.id)
        .options(joinedload(Recommendation.lead_agency)).order_by(Recommendation.position, Recommendation.id)
    ).all()

    def texts(audience: str) -> tuple[str, ...]:
        return tuple(p.text for p in points if p.audience == audience)

    return Learning(
        managers=texts("managers"), practitioners=texts("practitioners"), inter_agency=texts("inter_agency"),
        recommendations=tuple(RecommendationItem(r.text, r.lead_agency.name if r.lead_agency else "", r.timeframe)
                              for r in recommendations),
    )


def briefing_content(audit: Audit, *, today: date | None = None) -> BriefingContent:
    """The audit's briefing as drafted from its data (issue 7 adds editing and publishing)."""
    definition = definition_of(audit.tool_version)
    return draft_briefing(
        audit_facts(audit), question_summaries(audit, definition), audit_learning(audit),
        briefing_settings(), date=long_date(today or date.today()),
    )
