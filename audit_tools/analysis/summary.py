"""Facts about an audit and the words the briefing drafts from them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from audit_tools.analysis.aggregation import QuestionSummary
from audit_tools.analysis.quantifiers import ALL, SOME, in_returns, quantity_words
from audit_tools.analysis.suppression import DEFAULT_THRESHOLD, is_suppressed, threshold_words
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
    method_statement: str = ""  # how the sample was drawn, for the record (with its seed)
    sampling_method: str = ""  # "random", "stratified" or "manual" when the workbench drew the sample
    frame_size: int = 0  # how many children the sample was drawn from
    strata: tuple[str, ...] = ()  # what a stratified sample was spread across, in words


@dataclass(frozen=True)
class ThemeCount:
    """A theme confirmed in this audit: in how many of its cases, and in which earlier audits' years."""

    name: str
    cases: int
    earlier_years: tuple[int, ...] = ()
    earlier_audits: tuple[str, ...] = ()  # the names of those audits, the most recent first


def age_range(facts: AuditFacts) -> str:
    if facts.age_min is None:
        return "no ages recorded"
    low, high = format_age(facts.age_min), format_age(facts.age_max)
    return f"aged {low}" if low == high else f"aged {low} to {high}"


def _plans_words(plan_types: tuple[str, ...]) -> str:
    plans = [lower_first(p) for p in plan_types if p]
    if not plans:
        return ""
    if len(plans) == 1:
        return f", all on a {plans[0]}"
    return f", on these plans: {join_words(plans)}"


def sampling_words(facts: AuditFacts) -> str:
    """How the cases were chosen, in words a lay reader follows (no seeds, no allocation rules)."""
    pool = f" from the {facts.frame_size:,} children who could have been chosen" if facts.frame_size else ""
    if facts.sampling_method == "manual":
        return f"The cases were chosen by the audit's planning group{pool}."
    if facts.sampling_method == "stratified":
        spread = join_words([lower_first(s) for s in facts.strata]) or "group"
        return f"The cases were picked at random{pool}, making sure that each {spread} was represented."
    if facts.sampling_method:
        return f"The cases were picked at random{pool}, so that they give a fair picture of practice."
    return ""


def summary_paragraphs(facts: AuditFacts) -> tuple[str, ...]:
    """The briefing's summary, drafted from the audit's own figures, each fact said once.

    When the audit's scope (typed by the business unit) is there, it describes the children
    and the agencies, so the drafted sentences saying the same are left out.
    """
    method = sampling_words(facts)
    if facts.scope.strip():
        who = f"{facts.scope.strip()} {method}".strip()
        paragraphs = (facts.purpose.strip(), who, _returns_sentence(facts))
    else:
        children = "child" if facts.case_count == 1 else "children"
        cohort = (
            f"We looked in depth at the cases of {facts.case_count:,} {children} {age_range(facts)}"
            f"{_plans_words(facts.plan_types)}. {method}"
        ).strip()
        paragraphs = (facts.purpose.strip(), cohort, _agencies_sentence(facts))
    return tuple(p for p in paragraphs if p)


def _returns_sentence(facts: AuditFacts) -> str:
    if not facts.returns_submitted:
        return f"No agency has sent in its return yet ({facts.returns_expected:,} are expected)."
    if facts.returns_submitted == facts.returns_expected:
        done = f"all {facts.returns_expected:,} returns asked for"
    else:
        done = f"{facts.returns_submitted:,} of the {facts.returns_expected:,} returns asked for"
    return f"Each agency scored its own records with the same audit tool; between them they completed {done}."


def _agencies_sentence(facts: AuditFacts) -> str:
    agencies = len(facts.agencies)
    if not agencies:
        return f"No agency has sent in its return yet ({facts.returns_expected:,} are expected)."
    return (
        f"{number_words(agencies).capitalize()} {'agency' if agencies == 1 else 'agencies'} took part "
        f"({join_words(facts.agencies)}). {_returns_sentence(facts)}"
    )


def count_of(count: int, total: int, threshold: int = DEFAULT_THRESHOLD) -> str:
    """ "4 of 22", or, when the count or the rest of the total is small, "fewer than 6 of 22" / "more than 16 of 22".

    For tables and exports only: a drafted briefing words its findings on the scale of
    ``audit_tools.analysis.quantifiers`` instead. The total is printed as it is.
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


def theme_findings(themes: tuple[ThemeCount, ...], case_count: int, *, most: int = 5) -> tuple[str, ...]:
    """ "Drift and delay came up in most of the children's cases." for the most frequent confirmed themes.

    A theme in a child's case is an attribute of that child, so the coarser children's
    scale is used and no count is printed.
    """
    sentences = []
    for theme in ranked_themes(themes)[:most]:
        words = quantity_words(min(theme.cases, case_count), case_count, children=True) if case_count else SOME
        share = "every one of the children's cases" if words == ALL else f"{words} of the children's cases"
        sentences.append(f"{_theme_name(theme.name)} came up in {share}.")
    return tuple(sentences)


def _theme_name(name: str) -> str:
    name = name.strip().rstrip(".")
    return f"‘{name}’" if name[:1].islower() else name


def themes_in_common(themes: tuple[ThemeCount, ...], *, most: int = 4) -> tuple[str, ...]:
    """ "Voice of the child — also found in Neglect 2025 and Neglect 2024", most frequent here first.

    Names the earlier audits when they are known, else their years. At most ``most`` themes: the seed's
    briefing names four, and every shared theme of two audits on one topic (fifteen in the demo) would
    fill a page. When every theme listed was found in the same earlier audits, the list holds the themes'
    names alone and ``themes_in_common_lead`` says those audits once, before it.
    """
    listed = _listed_in_common(themes, most)
    if themes_in_common_lead(themes, most=most):
        return tuple(t.name.strip() for t in listed)
    return tuple(f"{t.name.strip()} — also found in {_found_in(t)}" for t in listed)


def themes_in_common_lead(themes: tuple[ThemeCount, ...], *, most: int = 4) -> str:
    """ "These themes were also found in Neglect (2025):" when two or more themes are listed and each was
    found in the same earlier audits; otherwise "" (each theme then names its own)."""
    listed = _listed_in_common(themes, most)
    found_in = {_found_in(t) for t in listed}
    return f"These themes were also found in {found_in.pop()}:" if len(listed) > 1 and len(found_in) == 1 else ""


def _listed_in_common(themes: tuple[ThemeCount, ...], most: int) -> list[ThemeCount]:
    return [t for t in ranked_themes(themes) if t.earlier_years or t.earlier_audits][:most]


def _found_in(theme: ThemeCount) -> str:
    return join_words(list(theme.earlier_audits)) if theme.earlier_audits else join_words(_years(theme.earlier_years))


def _years(years: tuple[int, ...]) -> list[str]:
    return [str(y) for y in sorted(set(years))]


def no_themes_in_common(earlier_audits: tuple[str, ...]) -> str:
    """What the themes section says when no theme found here was confirmed in an earlier audit."""
    if not earlier_audits:
        return (
            "There is no earlier audit in the workbench to compare themes with yet: this is the first one "
            "whose results have been shared."
        )
    return (
        f"None of the themes found in this audit was confirmed in the earlier "
        f"{'audit' if len(earlier_audits) == 1 else 'audits'} in the workbench ({join_words(list(earlier_audits))})."
    )


def themes_hide_counts(
    themes: tuple[ThemeCount, ...], case_count: int, *, threshold: int = DEFAULT_THRESHOLD, most: int = 1
) -> bool:
    """True when the key figure of the most frequent theme has to be worded as a small number."""
    return any(is_suppressed(t.cases, threshold) for t in ranked_themes(themes)[:most])


WORKED_WELL = Fraction(3, 5)  # above "about half" on the scale


@dataclass(frozen=True)
class PracticeFindings:
    """Sentences on practice, each about one question of the tool: what worked well and what needs to change."""

    worked_well: tuple[str, ...] = ()
    to_change: tuple[str, ...] = ()


def practice_findings(
    summaries: list[QuestionSummary], *, threshold: int = DEFAULT_THRESHOLD, strongest: int = 4, weakest: int = 4
) -> PracticeFindings:
    """Questions carrying a finding phrase, in plain words: those done fully in "more than half" of the returns
    that rated them, or more (over 60%), worked well (the strongest first); the rest need to change (the
    weakest first).

    A question rated in no more returns than the suppression threshold is left out: a statement from
    so few returns could point to one child's case.
    """
    scored = sorted(
        (s for s in _with_findings(summaries) if _rated(s) > threshold), key=lambda s: (s.compliance, s.question.key)
    )
    good = [s for s in reversed(scored) if _fully(s) > WORKED_WELL][:strongest]
    weak = [s for s in scored if _fully(s) <= WORKED_WELL][:weakest]
    return PracticeFindings(tuple(_finding_sentence(s) for s in good), tuple(_finding_sentence(s) for s in weak))


def findings(
    summaries: list[QuestionSummary], *, threshold: int = DEFAULT_THRESHOLD, strongest: int = 4, weakest: int = 4
) -> tuple[str, ...]:
    """Every practice finding, what worked well first."""
    found = practice_findings(summaries, threshold=threshold, strongest=strongest, weakest=weakest)
    return found.worked_well + found.to_change


def findings_hide_counts(summaries: list[QuestionSummary], *, threshold: int = DEFAULT_THRESHOLD) -> bool:
    """True when ``practice_findings`` leaves out a question rated in too few returns."""
    return any(0 < _rated(s) <= threshold for s in _with_findings(summaries))


def _with_findings(summaries: list[QuestionSummary]) -> list[QuestionSummary]:
    return [s for s in summaries if s.question.type == SCALE and s.question.finding and s.compliance is not None]


def _rated(summary: QuestionSummary) -> int:
    return summary.count("yes") + summary.count("partly") + summary.count("no")


def _fully(summary: QuestionSummary) -> Fraction:
    return Fraction(summary.count("yes"), _rated(summary) or 1)


def _finding_sentence(summary: QuestionSummary) -> str:
    """ "In most returns, the child had been seen on their own (in a few others, in part)." """
    yes, partly = summary.count("yes"), summary.count("partly")
    total = _rated(summary)
    phrase = summary.question.finding.strip().rstrip(".")
    sentence = f"{in_returns(yes, total)}, {phrase}"
    if partly:
        others = quantity_words(partly, total - yes)
        sentence += " (in the others, in part)" if others == ALL else f" (in {others} of the others, in part)"
    return sentence + "."
