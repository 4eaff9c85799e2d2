"""Drafting a briefing's content from an audit's figures, learning and action plan."""

from __future__ import annotations

from dataclasses import dataclass

from audit_tools.aggregation import QuestionSummary
from audit_tools.briefing import BriefingContent, Chart, KeyFigure, Recommendation, Resource
from audit_tools.definition import GRADE
from audit_tools.summary import AuditFacts, age_range, findings, format_age, summary_paragraphs

NO_THEMES_YET = ("This is the first audit on this topic held in the workbench, so there are no "
                 "earlier audits to compare themes with yet.")


@dataclass(frozen=True)
class BriefingSettings:
    partnership_name: str
    series_title: str = "Eyes On"
    definition: str = ""
    accent_colour: str = "#1d70b8"
    resources: tuple[Resource, ...] = ()


@dataclass(frozen=True)
class Learning:
    """Learning points by audience and the recommendations, as the business unit wrote them."""

    managers: tuple[str, ...] = ()
    practitioners: tuple[str, ...] = ()
    inter_agency: tuple[str, ...] = ()
    recommendations: tuple[Recommendation, ...] = ()
    themes_in_common: tuple[str, ...] = ()


def draft_briefing(facts: AuditFacts, summaries: list[QuestionSummary], learning: Learning,
                   settings: BriefingSettings, *, date: str, version: str = "0.1 (draft)") -> BriefingContent:
    """Everything the briefing shows, pre-filled from the audit; people edit it afterwards."""
    return BriefingContent(
        partnership_name=settings.partnership_name,
        series_title=settings.series_title,
        topic=facts.topic,
        date=date,
        version=version,
        definition=settings.definition,
        summary=summary_paragraphs(facts),
        key_figures=key_figures(facts),
        charts=charts(summaries),
        findings=findings(summaries),
        themes_in_common=learning.themes_in_common or (NO_THEMES_YET,),
        learning_points_managers=learning.managers,
        action_points_practitioners=learning.practitioners,
        key_messages=learning.inter_agency,
        recommendations=learning.recommendations,
        resources=settings.resources,
        accent_colour=settings.accent_colour,
    )


def key_figures(facts: AuditFacts) -> tuple[KeyFigure, ...]:
    ages = (f"{format_age(facts.age_min)}–{format_age(facts.age_max)}"
            if facts.age_min is not None else "–")
    return (
        KeyFigure(str(facts.case_count), "children's cases audited"),
        KeyFigure(str(len(facts.agencies)), "agencies took part"),
        KeyFigure(str(facts.returns_submitted), "agency returns completed"),
        KeyFigure(ages, f"age range in years ({age_range(facts)})"),
    )


def charts(summaries: list[QuestionSummary]) -> tuple[Chart, ...]:
    """The overall judgements, then each question the tool marks with a chart title."""
    result = []
    grade = next((s for s in summaries if s.question.type == GRADE and s.question.overall), None)
    if grade:
        result.append(Chart("Overall judgement of practice",
                            tuple(o.label for o in grade.options), tuple(o.count for o in grade.options)))
    for summary in (s for s in summaries if s.question.chart_title and s.options):
        ordered = sorted(summary.options, key=lambda o: -o.count)  # most frequent first
        result.append(Chart(summary.question.chart_title, tuple(o.label for o in ordered),
                            tuple(o.count for o in ordered)))
    return tuple(chart for chart in result if any(chart.values))  # a chart of nothing says nothing
