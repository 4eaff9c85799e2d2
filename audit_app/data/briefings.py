"""Gathering what a learning briefing needs from the database into plain content."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, and_, distinct, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from audit_app.data.analysis import audit_facts, question_summaries
from audit_app.data.audits import REVEALED_STATES
from audit_app.data.moderation import grades_reliability_of
from audit_app.data.settings import get_setting
from audit_app.data.tools import definition_of
from audit_app.extensions import db
from audit_app.models import Audit, Case, Coding, LearningPoint, Logo, Recommendation, Setting, Theme
from audit_tools.analysis import DEFAULT_THRESHOLD, ThemeCount
from audit_tools.briefing import BriefingContent, BriefingSettings, Learning, Progress, Resource, draft_briefing
from audit_tools.briefing import Recommendation as RecommendationItem
from audit_tools.learning import rag_words
from audit_tools.reliability import reliability_sentence
from audit_tools.text import long_date

BRIEFING_SETTINGS = (
    "partnership_name",
    "series_title",
    "definition",
    "accent_colour",
    "resources",
    "suppression_threshold",
)


def briefing_settings() -> BriefingSettings:
    # One query loads the stored rows into the session (kept referenced: the session holds them only weakly),
    # so get_setting finds them there; only a setting never stored costs a query of its own.
    stored = db.session.scalars(select(Setting).where(Setting.key.in_(BRIEFING_SETTINGS))).all()
    settings = BriefingSettings(
        partnership_name=get_setting("partnership_name"),
        series_title=get_setting("series_title"),
        definition=get_setting("definition"),
        accent_colour=get_setting("accent_colour"),
        resources=tuple(Resource(r["title"], r.get("url", "")) for r in get_setting("resources")),
        suppression_threshold=suppression_threshold(),
    )
    del stored
    return settings


def suppression_threshold() -> int:
    """The partnership's threshold, or the default when the stored value is not a whole number of at least 1."""
    value = get_setting("suppression_threshold")
    valid = isinstance(value, int) and not isinstance(value, bool) and value >= 1
    return value if valid else DEFAULT_THRESHOLD


def _earlier(audit: Audit) -> ColumnElement[bool]:
    """Audits before this one (an earlier year, or the same year and set up before it) with results revealed."""
    return and_(
        Audit.state.in_(REVEALED_STATES),
        or_(Audit.year < audit.year, and_(Audit.year == audit.year, Audit.id < audit.id)),
    )


def audit_name(title: str, year: int) -> str:
    """ "Neglect (2025)", or the title alone when it already says its year."""
    return title if str(year) in title else f"{title} ({year})"


def earlier_audits(audit: Audit) -> tuple[str, ...]:
    """Every earlier audit the themes are compared with, the most recent first: those on the same topic and those
    with a confirmed theme from the shared codebook."""
    coded = select(Coding.audit_id).where(Coding.status == "confirmed")
    rows = db.session.execute(
        select(Audit.title, Audit.year)
        .where(_earlier(audit), or_(Audit.topic == audit.topic, Audit.id.in_(coded)))
        .order_by(Audit.year.desc(), Audit.id.desc())
    ).all()
    return tuple(audit_name(title, year) for title, year in rows)


def theme_counts(audit: Audit) -> tuple[ThemeCount, ...]:
    """Each theme confirmed in this audit with the number of its (included) cases coded with it, and the
    earlier audits, with results revealed, where the same theme was confirmed: one grouped query."""
    rows = db.session.execute(
        select(Theme.id, Theme.name, Audit.id, Audit.year, Audit.title, func.count(distinct(Coding.case_id)))
        .join(Coding, Coding.theme_id == Theme.id)
        .join(Audit, Audit.id == Coding.audit_id)
        .join(Case, Case.id == Coding.case_id)
        .where(Coding.status == "confirmed", Case.included, or_(Audit.id == audit.id, _earlier(audit)))
        .group_by(Theme.id, Theme.name, Audit.id, Audit.year, Audit.title)
    ).all()
    cases = {(theme_id, name): count for theme_id, name, audit_id, _, _, count in rows if audit_id == audit.id}
    found: dict[int, list[tuple[int, int, str]]] = {}
    for theme_id, _, audit_id, year, title, _ in rows:
        if audit_id != audit.id:
            found.setdefault(theme_id, []).append((year, audit_id, title))
    counts = []
    for (theme_id, name), count in cases.items():
        earlier = sorted(found.get(theme_id, ()), reverse=True)
        years = tuple(sorted({year for year, _, _ in earlier}))
        counts.append(ThemeCount(name, count, years, tuple(audit_name(title, year) for year, _, title in earlier)))
    return tuple(counts)


def briefing_logo() -> bytes | None:
    """The partnership's newest uploaded logo (PNG or JPEG bytes, checked when uploaded), if any."""
    return db.session.scalar(select(Logo.data).order_by(Logo.uploaded_at.desc(), Logo.id.desc()).limit(1))


def audit_learning(audit: Audit) -> Learning:
    points = db.session.scalars(
        select(LearningPoint)
        .where(LearningPoint.audit_id == audit.id)
        .order_by(LearningPoint.position, LearningPoint.id)
    ).all()
    recommendations = db.session.scalars(
        select(Recommendation)
        .where(Recommendation.audit_id == audit.id)
        .options(joinedload(Recommendation.lead_agency))
        .order_by(Recommendation.position, Recommendation.id)
    ).all()

    def texts(audience: str) -> tuple[str, ...]:
        return tuple(p.text for p in points if p.audience == audience)

    earlier_name, earlier = since_last_audit(audit)
    return Learning(
        earlier_audit=earlier_name,
        earlier_recommendations=earlier,
        managers=texts("managers"),
        practitioners=texts("practitioners"),
        inter_agency=texts("inter_agency"),
        recommendations=tuple(
            RecommendationItem(r.text, r.lead_agency.name if r.lead_agency else "", r.timeframe)
            for r in recommendations
        ),
    )


def since_last_audit(audit: Audit) -> tuple[str, tuple[Progress, ...]]:
    """The most recent earlier audit on the same topic (results revealed) that made recommendations: its
    name, and each recommendation with its status in words and its latest progress update."""
    earlier = db.session.scalar(
        select(Audit)
        .where(
            _earlier(audit),
            Audit.topic == audit.topic,
            Audit.id.in_(select(Recommendation.audit_id)),
        )
        .order_by(Audit.year.desc(), Audit.id.desc())
        .limit(1)
    )
    if earlier is None:
        return "", ()
    recommendations = db.session.scalars(
        select(Recommendation)
        .where(Recommendation.audit_id == earlier.id)
        .options(selectinload(Recommendation.updates))
        .order_by(Recommendation.position, Recommendation.id)
    ).all()
    return audit_name(earlier.title, earlier.year), tuple(_progress(r) for r in recommendations)


def _progress(recommendation: Recommendation) -> Progress:
    latest = recommendation.updates[0] if recommendation.updates else None  # newest first
    rag = latest.rag if latest else recommendation.rag
    return Progress(recommendation.text, rag_words(rag), latest.text if latest else "No progress recorded yet.")


def briefing_content(audit: Audit, *, today: date | None = None) -> BriefingContent:
    """The audit's briefing as drafted from its data, small numbers suppressed; people edit it afterwards."""
    definition = definition_of(audit.tool_version)
    return draft_briefing(
        audit_facts(audit),
        question_summaries(audit, definition),
        audit_learning(audit),
        briefing_settings(),
        date=long_date(today or date.today()),
        themes=theme_counts(audit),
        definition=definition,
        earlier_audits=earlier_audits(audit),
        grades_reliability=reliability_sentence(grades_reliability_of(audit, definition)),
    )
