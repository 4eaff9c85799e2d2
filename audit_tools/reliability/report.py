"""The reliability of an audit's grades, question by question and overall, from its moderated pairs.

A *graded* question is one whose options carry scores (yes/partly/no scales and Outstanding-to-
Inadequate grades): its scored options, best first, are its ordered scale. "Not applicable", "not known"
and blank answers give no grade, so a pair counts only when both gradings gave one.

The overall row pools every pair of every graded question, each grade placed on its own question's
scale (0 for the best grade); the scales differ in length, so the overall figures read "how far the
grades agree on the whole", and the per-question rows are the ones to act on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from audit_tools.analysis.agreement import Agreement, exact_agreement, weighted_kappa, within_one
from audit_tools.reliability.statistics import (
    RESAMPLES,
    SEED,
    TENTATIVE,
    Interval,
    alpha_words,
    bootstrap_alpha,
    gwet_ac1,
    ordinal_alpha,
)
from audit_tools.states import QuestionType
from audit_tools.tools import Question, Section, ToolDefinition

FEWEST_PAIRS = 5  # below this a question's figures are shown but not judged as candidates for guidance


def scale_of(question: Question) -> tuple[str, ...]:
    """The question's graded options, best (highest score) first; () for a question that is not graded."""
    scored = [o for o in question.options if o.score is not None]
    if question.type == QuestionType.MULTIPLE or len(scored) < 2:
        return ()
    return tuple(o.value for o in sorted(scored, key=lambda o: -(o.score or 0.0)))


def graded_questions(definition: ToolDefinition) -> tuple[Question, ...]:
    """The questions a moderator grades again: every question with an ordered scale."""
    return tuple(q for q in definition.questions if scale_of(q))


def graded_definition(definition: ToolDefinition) -> ToolDefinition:
    """The tool cut down to its graded questions, for the moderator's blind form: sections without one are
    left out; a question shown only after another answer loses that condition and becomes optional (the
    moderator is not asked the question it depends on)."""
    sections = []
    for section in definition.sections:
        graded = [q for q in section.questions if scale_of(q)]
        kept = tuple(replace(q, show_if=None, required=q.required and q.show_if is None) for q in graded)
        if kept:
            sections.append(Section(section.key, section.title, "", kept))
    return ToolDefinition(definition.slug, definition.name, definition.description, tuple(sections), definition.topic)


def comparison(first: str | None, second: str | None, scale: Sequence[str]) -> str:
    """How two answers to a graded question compare: "same", "within one", "different", or "no grade"
    when either gave no grade on the scale."""
    if first not in scale or second not in scale:
        return "no grade"
    gap = abs(scale.index(first) - scale.index(second))
    return "same" if gap == 0 else "within one" if gap == 1 else "different"


@dataclass(frozen=True)
class Reliability:
    """The figures for one question (or all of them): every figure None when it cannot be measured."""

    label: str
    pairs: int
    exact: Agreement
    within_one: Agreement
    kappa_linear: float | None
    kappa_quadratic: float | None
    alpha: float | None
    interval: Interval | None
    ac1: float | None

    @property
    def verdict(self) -> str:
        return alpha_words(self.alpha)


def reliability(
    label: str,
    pairs: Sequence[tuple[str, str]],
    scale: Sequence[str],
    resamples: int = RESAMPLES,
    seed: int = SEED,
    cases: Sequence[Sequence[tuple[str, str]]] | None = None,
) -> Reliability:
    """Every figure for ``pairs`` of grades (first, second) on one ``scale``; ``cases`` groups the pairs by
    case for the bootstrap (by default each pair is a case of its own)."""
    return Reliability(
        label=label,
        pairs=len(pairs),
        exact=exact_agreement(pairs),
        within_one=within_one(pairs, scale),
        kappa_linear=weighted_kappa(pairs, scale, "linear"),
        kappa_quadratic=weighted_kappa(pairs, scale, "quadratic"),
        alpha=ordinal_alpha(pairs, scale),
        interval=bootstrap_alpha(cases if cases is not None else [[p] for p in pairs], scale, resamples, seed),
        ac1=gwet_ac1(pairs, scale),
    )


@dataclass(frozen=True)
class ReliabilityReport:
    questions: tuple[Reliability, ...]
    overall: Reliability
    needs_guidance: tuple[Reliability, ...]  # low agreement on enough pairs: clearer guidance next version

    @property
    def any_pairs(self) -> bool:
        return self.overall.pairs > 0


def reliability_report(
    definition: ToolDefinition,
    gradings: Sequence[tuple[Mapping[str, str], Mapping[str, str]]],
    resamples: int = RESAMPLES,
    seed: int = SEED,
) -> ReliabilityReport:
    """The report over moderated cases, each given as (first grading, second grading), question key → value."""
    rows = []
    by_case: list[list[tuple[str, str]]] = [[] for _ in gradings]  # every question's pair, as places on its scale
    for question in graded_questions(definition):
        scale = scale_of(question)
        pairs = []
        for case, (first, second) in zip(by_case, gradings, strict=True):
            a, b = first.get(question.key), second.get(question.key)
            if a in scale and b in scale:
                pairs.append((a, b))
                case.append((str(scale.index(a)), str(scale.index(b))))
        if pairs:
            rows.append(
                reliability(f"{definition.number(question.key)} {question.text}", pairs, scale, resamples, seed)
            )
    longest = max((len(scale_of(q)) for q in graded_questions(definition)), default=2)
    cases = [case for case in by_case if case]
    pooled = [pair for case in cases for pair in case]
    places = [str(i) for i in range(longest)]
    overall = reliability("All graded questions", pooled, places, resamples, seed, cases)
    low = tuple(r for r in rows if r.pairs >= FEWEST_PAIRS and (r.alpha is None or round(r.alpha, 3) < TENTATIVE))
    return ReliabilityReport(tuple(rows), overall, low)


@dataclass(frozen=True)
class GradesReliability:
    """The overall agreement of an audit's moderated gradings, without the bootstrap: enough for a sentence."""

    returns: int  # moderated returns whose second grading is in
    pairs: int
    alpha: float | None


def grades_reliability(
    definition: ToolDefinition, gradings: Sequence[tuple[Mapping[str, str], Mapping[str, str]]]
) -> GradesReliability:
    """The overall row of ``reliability_report`` (every graded question's pairs pooled, each grade placed on its
    own question's scale), its alpha only."""
    questions = graded_questions(definition)
    pooled, returns = [], 0
    for first, second in gradings:
        places = [
            (str(scale.index(first[q.key])), str(scale.index(second[q.key])))
            for q in questions
            if (scale := scale_of(q)) and first.get(q.key) in scale and second.get(q.key) in scale
        ]
        pooled += places
        returns += bool(places)
    longest = max((len(scale_of(q)) for q in questions), default=2)
    return GradesReliability(returns, len(pooled), ordinal_alpha(pooled, [str(i) for i in range(longest)]))


_MATCHED = {
    "reliable": "their grades matched closely",
    "tentative": "their grades broadly matched, so conclusions drawn from the grades are tentative",
    "not reliable": "their grades often differed, so the grades should be read with caution",
}


def reliability_sentence(found: GradesReliability) -> str:
    """One plain sentence for the briefing and the year-on-year summary about how far the grades can be trusted,
    worded from the thresholds; "" when there are too few moderated returns or pairs to say."""
    if found.returns < 2 or found.pairs < FEWEST_PAIRS or found.alpha is None:
        return ""
    verdict = alpha_words(found.alpha)
    return (
        f"A second auditor re-graded {found.returns} returns without seeing the first grades; "
        f"{_MATCHED[verdict]} (alpha {found.alpha:.2f}, {verdict})."
    )
