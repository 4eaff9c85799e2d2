"""Facts about an audit and the words the briefing drafts from them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from audit_tools.analysis.aggregation import QuestionSummary
from audit_tools.analysis.suppression import DEFAULT_THRESHOLD, is_suppressed, show_count, threshold_words
from audit_tools.text import format_age, join_words, lower_first, number_words
from audit_tools.tools import SCALE


@dataclass(frozen=True)
class AuditFacts:
    """Figures about one audit, all computed by the database."""

    title: str
    topic: str
    year: int
    case_count: int
    age_min: Decimal | None
    age_max: Decimal | None
    agencies: tuple[str, ...]
    plan_types: tuple[str, ...]
    returns_submitted: int
    returns_expected: int
    purpose: str = ""
    scope: str = ""
    method_statement: str = ""  # how the sample was drawn, when it was drawn by the workbench


@dataclass(frozen=True)
class ThemeCount:
    """A theme confirmed in this audit: in how many of its cases, and in which earlier audits' years."""

    name: str
    cases: int
    earlier_years: tuple[int, ...] = ()


def age_range(facts: AuditFacts) -> str:
    if facts.age_min is None:
        return "no ages recorded"
    low, high = format_age(facts.age_min), format_age(facts.age_max)
    return f"aged {low}" if low == high else f"aged {low} to {high}"


def _plans_sentence(plan_types: tuple[str, ...]) -> str:
    plans = [lower_first(p) for p in plan_types if p]
    if not plans:
        return ""
    if len(plans) == 1:
        return f" All were on a {plans[0]}."
    return f" Their plans were: {join_words(plans)}."


def summary_paragraphs(facts: AuditFacts) -> tuple[str, ...]:
    """The briefing's summary, drafted from the audit's own figures."""
    children = "child" if facts.case_count == 1 else "children"
    first = (
        f"The partnership audited the cases of {facts.case_count:,} {children} {age_range(facts)}."
        + _plans_sentence(facts.plan_types)
    )
    second = _agencies_sentence(facts)
    first = f"{first} {facts.method_statement.strip()}".strip()
    paragraphs = [p for p in (facts.purpose.strip(), first, second, facts.scope.strip()) if p]
    return tuple(paragraphs)


def _agencies_sentence(facts: AuditFacts) -> str:
    agencies = len(facts.agencies)
    if not agencies:
        return f"No agency has submitted a return yet ({facts.returns_expected:,} are expected)."
    return (
        f"{number_words(agencies).capitalize()} {'agency' if agencies == 1 else 'agencies'} took part: "
        f"{join_words(facts.agencies)}. They completed {facts.returns_submitted:,} of "
        f"{facts.returns_expected:,} agency returns, each scoring the case from that agency's own "
        "records with the same audit tool."
    )


def count_of(count: int, total: int, threshold: int = DEFAULT_THRESHOLD) -> str:
    """ "4 of 22", or, when the count or the rest of the total is small, "fewer than 6 of 22" / "more than 16 of 22".

    The total is printed as it is: callers only pass totals that may be shown.
    """
    if is_suppressed(count, threshold):  # "fewer than 6 of 6" would say no more than "some of 6", less plainly
        part = threshold_words(threshold) if total > threshold + 1 else "some"
    elif is_suppressed(total - count, threshold):
        part = f"more than {total - threshold - 1:,}"  # exact would give the small rest away
    else:
        part = f"{count:,}"
    return f"{part} of {total:,}"


def ranked_themes(themes: tuple[ThemeCount, ...]) -> list[ThemeCount]:
    """Themes seen in at least one case, the most frequent first (ties by name)."""
    return sorted((t for t in themes if t.cases), key=lambda t: (-t.cases, t.name))


def theme_findings(
    themes: tuple[ThemeCount, ...], case_count: int, *, threshold: int = DEFAULT_THRESHOLD, most: int = 5
) -> tuple[str, ...]:
    """ "The theme ‘Drift and delay’ was found in 6 of 9 cases." for the most frequent confirmed themes
    (worded around the name, so plural and singular theme names read correctly)."""
    return tuple(
        f"The theme ‘{t.name.strip().rstrip('.')}’ was found in {count_of(t.cases, case_count, threshold)} cases."
        for t in ranked_themes(themes)[:most]
    )


def themes_in_common(themes: tuple[ThemeCount, ...]) -> tuple[str, ...]:
    """ "Voice of the child — also found in 2024 and 2025", most frequent here first."""
    return tuple(
        f"{t.name.strip()} — also found in {join_words([str(y) for y in sorted(set(t.earlier_years))])}"
        for t in ranked_themes(themes)
        if t.earlier_years
    )


def themes_hide_counts(
    themes: tuple[ThemeCount, ...], case_count: int, *, threshold: int = DEFAULT_THRESHOLD, most: int = 5
) -> bool:
    """True when ``theme_findings`` has to word a count (or the rest of the cases) as a small number."""
    return any(
        is_suppressed(n, threshold) for t in ranked_themes(themes)[:most] for n in (t.cases, case_count - t.cases)
    )


def findings(
    summaries: list[QuestionSummary], *, threshold: int = DEFAULT_THRESHOLD, strongest: int = 3, weakest: int = 4
) -> tuple[str, ...]:
    """Sentences on the practice seen most and least often, from questions that carry a finding phrase.

    A question answered (yes, partly or no) in no more returns than the suppression
    threshold is left out: any count from it would be a small number.
    """
    chosen = _chosen(summaries, threshold, strongest, weakest)
    return tuple(_finding_sentence(s, threshold) for s in chosen)


def findings_hide_counts(
    summaries: list[QuestionSummary], *, threshold: int = DEFAULT_THRESHOLD, strongest: int = 3, weakest: int = 4
) -> bool:
    """True when ``findings`` leaves a question out or words one of its counts as a small number."""
    left_out = any(0 < _rated(s) <= threshold for s in _with_findings(summaries))
    chosen = _chosen(summaries, threshold, strongest, weakest)
    return left_out or any(
        is_suppressed(n, threshold)
        for s in chosen
        for n in (s.count("yes"), s.count("partly"), s.count("no"), _rated(s) - s.count("yes"))
    )


def _with_findings(summaries: list[QuestionSummary]) -> list[QuestionSummary]:
    return [s for s in summaries if s.question.type == SCALE and s.question.finding and s.compliance is not None]


def _chosen(summaries: list[QuestionSummary], threshold: int, strongest: int, weakest: int) -> list[QuestionSummary]:
    """The strongest practice first, then the weakest, from questions rated in enough returns to report."""
    scored = sorted(
        (s for s in _with_findings(summaries) if _rated(s) > threshold), key=lambda s: (s.compliance, s.question.key)
    )
    weak = scored[:weakest]
    return [s for s in reversed(scored[weakest:])][:strongest] + weak


def _rated(summary: QuestionSummary) -> int:
    return summary.count("yes") + summary.count("partly") + summary.count("no")


def _finding_sentence(summary: QuestionSummary, threshold: int) -> str:
    yes, partly, no = (summary.count(value) for value in ("yes", "partly", "no"))
    total = yes + partly + no
    sentence = f"In {count_of(yes, total, threshold)} returns, {summary.question.finding}"
    # With "yes" and "partly" both printed exactly, a reader could subtract to find a small "no".
    yes_exact = not (is_suppressed(yes, threshold) or is_suppressed(total - yes, threshold))
    if partly and not (yes_exact and not is_suppressed(partly, threshold) and is_suppressed(no, threshold)):
        sentence += f" (partly in {show_count(partly, threshold)} more)"
    return sentence.rstrip(".") + "."
