"""Drafting a briefing's content from an audit's figures, themes, learning and action plan.

Small-number suppression happens here, with the partnership's threshold passed in
(``BriefingSettings.suppression_threshold``): every count that comes from the
answers or the coded themes is worded by ``audit_tools.analysis.suppression``, and every
chart is made safe before it is drawn. The size of the sample, the number of
agencies and of returns, and the age range are facts of the audit's design and
are shown as they are (docs/DECISIONS.md, "Small-number suppression").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from audit_tools.analysis import (
    DEFAULT_THRESHOLD,
    NOT_APPLICABLE,
    NOT_SHOWN,
    AuditFacts,
    QuestionSummary,
    ThemeCount,
    age_range,
    chart_safe,
    findings_hide_counts,
    is_suppressed,
    no_themes_in_common,
    practice_findings,
    ranked_themes,
    show_count,
    show_share,
    summary_paragraphs,
    theme_findings,
    themes_hide_counts,
    themes_in_common,
    themes_in_common_lead,
    threshold_words,
)
from audit_tools.briefing.content import BriefingContent, Chart, KeyFigure, Progress, Recommendation, Resource
from audit_tools.returns import Score, is_scored, scores
from audit_tools.text import format_age, lower_first
from audit_tools.tools import GRADE, MULTIPLE, SCALE, SINGLE, ToolDefinition

NO_THEMES_YET = no_themes_in_common(())
OTHER_ANSWERS = "Other answers"
# How a chart's bars relate, which decides how small bars are made safe.
ORDINAL, PARTITION, INDEPENDENT = "ordinal", "partition", "independent"
_CHART_KINDS: dict[str, str] = {GRADE: ORDINAL, SCALE: PARTITION, SINGLE: PARTITION, MULTIPLE: INDEPENDENT}
_THEMES_CHARTED = 8


@dataclass(frozen=True)
class BriefingSettings:
    partnership_name: str
    series_title: str = "Eyes On"
    definition: str = ""
    accent_colour: str = "#1d70b8"
    resources: tuple[Resource, ...] = ()
    suppression_threshold: int = DEFAULT_THRESHOLD


@dataclass(frozen=True)
class Learning:
    """Learning points by audience and the recommendations, as the business unit wrote them."""

    managers: tuple[str, ...] = ()
    practitioners: tuple[str, ...] = ()
    inter_agency: tuple[str, ...] = ()
    recommendations: tuple[Recommendation, ...] = ()
    themes_in_common: tuple[str, ...] = ()  # already worded; drafted from the themes when empty
    earlier_audit: str = ""  # the last audit on the same topic, when there is one
    earlier_recommendations: tuple[Progress, ...] = ()  # its recommendations, their status and progress


def draft_briefing(
    facts: AuditFacts,
    summaries: list[QuestionSummary],
    learning: Learning,
    settings: BriefingSettings,
    *,
    date: str,
    version: str = "0.1 (draft)",
    themes: tuple[ThemeCount, ...] = (),
    definition: ToolDefinition | None = None,
    earlier_audits: tuple[str, ...] = (),
    grades_reliability: str = "",
) -> BriefingContent:
    """Everything the briefing shows, pre-filled from the audit with small numbers suppressed; people edit it
    afterwards. ``earlier_audits`` names every earlier audit the themes were compared with;
    ``grades_reliability`` is the sentence on how far the grades can be trusted (the summary's last)."""
    threshold = settings.suppression_threshold
    drawn = charts(summaries, themes=themes, definition=definition, threshold=threshold)
    hidden = (
        drawn != charts(summaries, themes=themes, definition=definition, threshold=None)
        or findings_hide_counts(summaries, threshold=threshold)
        or themes_hide_counts(themes, facts.case_count, threshold=threshold)
        or _judgement_share(summaries, threshold) == NOT_SHOWN
    )
    practice = practice_findings(summaries, threshold=threshold)
    in_common = learning.themes_in_common or themes_in_common(themes)
    lead = "" if learning.themes_in_common else themes_in_common_lead(themes)
    return BriefingContent(
        partnership_name=settings.partnership_name,
        series_title=settings.series_title,
        topic=facts.topic,
        date=date,
        version=version,
        definition=settings.definition,
        summary=summary_paragraphs(facts) + ((grades_reliability,) if grades_reliability else ()),
        key_figures=key_figures(facts, summaries, themes=themes, definition=definition, threshold=threshold),
        charts=drawn,
        findings=theme_findings(themes, facts.case_count),
        worked_well=practice.worked_well,
        to_change=practice.to_change,
        themes_in_common=in_common,
        themes_note=lead if in_common else no_themes_in_common(earlier_audits),
        learning_points_managers=learning.managers,
        action_points_practitioners=learning.practitioners,
        key_messages=learning.inter_agency,
        recommendations=learning.recommendations,
        since_last=learning.earlier_recommendations,
        since_last_audit=learning.earlier_audit if learning.earlier_recommendations else "",
        resources=settings.resources,
        accent_colour=settings.accent_colour,
        privacy_note=" ".join(
            part
            for part in (
                privacy_note(threshold) if hidden else "",
                WORDS_NOTE if practice.worked_well or practice.to_change or themes else "",
            )
            if part
        ),
    )


WORDS_NOTE = (
    "Findings say how often in words: all, almost all (90% or more), most (75% or more), more than half, "
    "about half (40% to 60%), some (20% or more), a few, none."
)


def privacy_note(threshold: int = DEFAULT_THRESHOLD) -> str:
    """The sentence that tells readers some figures were hidden."""
    return (
        f"To protect the privacy of children and their families, numbers from 1 to {threshold} are shown as "
        f"“{threshold_words(threshold)}”, and figures or charts that could reveal them are combined or left out."
    )


def key_figures(
    facts: AuditFacts,
    summaries: Sequence[QuestionSummary] = (),
    *,
    themes: tuple[ThemeCount, ...] = (),
    definition: ToolDefinition | None = None,
    threshold: int = DEFAULT_THRESHOLD,
) -> tuple[KeyFigure, ...]:
    """The design of the audit as it is, then figures from the answers and themes, suppressed."""
    ages = f"{format_age(facts.age_min)}–{format_age(facts.age_max)}" if facts.age_min is not None else "–"
    figures = [
        KeyFigure(f"{facts.case_count:,}", "children's cases audited"),
        KeyFigure(f"{len(facts.agencies):,}", "agencies took part"),
        KeyFigure(f"{facts.returns_submitted:,}", "agency returns completed"),
        KeyFigure(ages, f"age range in years ({age_range(facts)})"),
    ]
    share = _judgement_share(summaries, threshold)
    if share not in (None, NOT_SHOWN, NOT_APPLICABLE):
        figures.append(KeyFigure(share, "of returns judged practice good or outstanding"))
    overall = _overall_compliance(definition, summaries, threshold)
    if overall is not None:
        figures.append(KeyFigure(f"{overall}%", "of the best possible practice score, across all returns"))
    top = ranked_themes(themes)[:1]
    figures += [
        KeyFigure(show_count(t.cases, threshold), f"cases showing the most frequent theme: {lower_first(t.name)}")
        for t in top
    ]
    return tuple(figures)


def charts(
    summaries: list[QuestionSummary],
    *,
    themes: tuple[ThemeCount, ...] = (),
    definition: ToolDefinition | None = None,
    threshold: int | None = DEFAULT_THRESHOLD,
) -> tuple[Chart, ...]:
    """Judgements, compliance by section, themes, then each question the tool marks with a chart title.

    ``threshold=None`` gives the charts before suppression (to tell whether anything was hidden).
    """
    drafted: list[tuple[Chart, str]] = []
    grade = _overall_grade(summaries)
    if grade:
        drafted.append(
            (
                Chart(
                    "Overall judgement of practice",
                    tuple(o.label for o in grade.options),
                    tuple(o.count for o in grade.options),
                ),
                ORDINAL,
            )
        )
    compliance = compliance_chart(definition, summaries, threshold or 0) if definition else None
    if compliance:
        drafted.append((compliance, INDEPENDENT))
    ranked = ranked_themes(themes)[:_THEMES_CHARTED]
    if ranked:
        drafted.append(
            (
                Chart(
                    "Most frequent themes",
                    tuple(t.name for t in ranked),
                    tuple(t.cases for t in ranked),
                    "Number of cases",
                ),
                INDEPENDENT,
            )
        )
    drafted += [_question_chart(s) for s in summaries if s.question.chart_title and s.options]
    made_safe = (protect_chart(chart, kind, threshold) if threshold else chart for chart, kind in drafted)
    # A chart of nothing says nothing, and one bar compares nothing (the findings say it in words).
    return tuple(chart for chart in made_safe if chart and any(chart.values) and len(chart.values) > 1)


def _question_chart(summary: QuestionSummary) -> tuple[Chart, str]:
    """A question's answers in scale order for judgements, otherwise most frequent first."""
    kind = _CHART_KINDS.get(summary.question.type, ORDINAL)
    options = summary.options if kind == ORDINAL else sorted(summary.options, key=lambda o: -o.count)
    return Chart(summary.question.chart_title, tuple(o.label for o in options), tuple(o.count for o in options)), kind


def protect_chart(chart: Chart, kind: str, threshold: int = DEFAULT_THRESHOLD) -> Chart | None:
    """The chart with no bar from 1 to the threshold, or ``None`` when it cannot be made safe.

    Ordinal answers (judgements) are merged with a neighbour; other answers that
    share out one total are merged as "Other answers" (if that merged bar cannot
    be worked back); bars that each count something different are left out.
    """
    if chart_safe(dict(enumerate(chart.values)), threshold):
        return chart
    pairs: list[tuple[tuple[str, ...], int]] = [
        ((label,), value) for label, value in zip(chart.labels, chart.values, strict=False)
    ]
    small = f"a number from 1 to {threshold}"
    if kind == ORDINAL:
        bars, note = (
            _merge_neighbours(pairs, threshold),
            f"Neighbouring answers are combined so that no bar shows {small}.",
        )
    elif kind == PARTITION:
        bars, note = _merge_into_other(pairs, threshold), f"Answers with {small} are combined as “{OTHER_ANSWERS}”."
    else:
        bars = [pair for pair in pairs if not is_suppressed(pair[1], threshold)]
        note = f"Bars with {small} are left out of this chart."
    if not any(value for _, value in bars):
        return None
    return replace(
        chart, labels=tuple(_either(labels) for labels, _ in bars), values=tuple(v for _, v in bars), note=note
    )


def _merge_neighbours(pairs: list[tuple[tuple[str, ...], int]], threshold: int) -> list[tuple[tuple[str, ...], int]]:
    """Merge the smallest small bar into its smaller (non-empty) neighbour until no bar is small."""
    bars = list(pairs)
    while small := [i for i, (_, value) in enumerate(bars) if is_suppressed(value, threshold)]:
        if len(bars) == 1:
            return []  # the whole chart adds up to a small number
        i = min(small, key=lambda k: (bars[k][1], k))
        beside = [k for k in (i - 1, i + 1) if 0 <= k < len(bars)]
        j = min([k for k in beside if bars[k][1]] or beside, key=lambda k: (bars[k][1], k))
        low, high = sorted((i, j))
        bars[low : high + 1] = [(bars[low][0] + bars[high][0], bars[low][1] + bars[high][1])]
    return bars


def _merge_into_other(pairs: list[tuple[tuple[str, ...], int]], threshold: int) -> list[tuple[tuple[str, ...], int]]:
    """Small bars become one "Other answers" bar, unless its size would pin down each of them."""
    small = [value for _, value in pairs if is_suppressed(value, threshold)]
    merged, parts = sum(small), len(small)
    # Each part lies between 1 and the threshold; it is pinned when the sum is parts × 1 or parts × threshold.
    if parts < 2 or merged <= threshold or not parts < merged < parts * threshold:
        return []
    return [p for p in pairs if not is_suppressed(p[1], threshold)] + [((OTHER_ANSWERS,), merged)]


def _either(labels: tuple[str, ...]) -> str:
    """("Outstanding", "Good") → "Outstanding or good"."""
    if len(labels) == 1:
        return labels[0]
    rest = [lower_first(label) for label in labels[1:]]
    return ", ".join([labels[0], *rest[:-1]]) + " or " + rest[-1]


def _overall_grade(summaries: Sequence[QuestionSummary]) -> QuestionSummary | None:
    return next((s for s in summaries if s.question.type == GRADE and s.question.overall), None)


def _judgement_share(summaries: Sequence[QuestionSummary], threshold: int) -> str | None:
    """The share of returns judging practice good or outstanding, as it may be printed."""
    grade = _overall_grade(summaries)
    if grade is None:
        return None
    good = grade.count("good") + grade.count("outstanding")
    return show_share(good, sum(o.count for o in grade.options), threshold)


def compliance_chart(definition: ToolDefinition, summaries: list[QuestionSummary], threshold: int) -> Chart | None:
    """Each section's score as a percentage of the best possible, for sections rated in more returns than the
    threshold."""
    bars = [
        (title, _percent(score))
        for title, score, rated in _section_scores(definition, summaries)
        if score.possible and rated > threshold
    ]
    if not bars:
        return None
    return Chart(
        "Practice against the audit tool, by section",
        tuple(t for t, _ in bars),
        tuple(v for _, v in bars),
        "Per cent of the best score",
    )


def _overall_compliance(
    definition: ToolDefinition | None, summaries: Sequence[QuestionSummary], threshold: int
) -> int | None:
    sections = _section_scores(definition, summaries) if definition else []
    achieved, possible = (sum(getattr(s, part) for _, s, _ in sections) for part in ("achieved", "possible"))
    rated = max((n for _, _, n in sections), default=0)
    return _percent(Score(achieved, possible)) if possible and rated > threshold else None


def _section_scores(definition: ToolDefinition, summaries: Sequence[QuestionSummary]) -> list[tuple[str, Score, int]]:
    """(section title, score, most returns rating one of its questions), from the grouped answer counts."""
    sums: dict[str, tuple[float, int]] = {}
    for summary in summaries:
        scored = [
            (o.count, option.score)
            for o in summary.options
            if (option := summary.question.option(o.value)) is not None and option.score is not None
        ]
        sums[summary.question.key] = (sum(count * score for count, score in scored), sum(count for count, _ in scored))
    tool_scores = scores(definition, sums)
    return [
        (title, score, max((sums.get(q.key, (0, 0))[1] for q in section.questions if is_scored(q)), default=0))
        for section, (_, title, score) in zip(definition.sections, tool_scores.sections, strict=True)
    ]


def _percent(score: Score) -> int:
    """Whole per cent, rounded half up."""
    return int(score.achieved * 100 / score.possible + 0.5)
