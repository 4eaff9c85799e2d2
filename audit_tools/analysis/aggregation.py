"""Summaries of an audit's answers, fed by counts the database has already grouped.

Each question type owns its summary: choice questions count each option in the
tool's order; free-text, number and date questions report how many answered.
The analysis page's figures are built here from a handful of grouped rows (one
row per question, agency and answer), never from the answers themselves:
distributions overall and by agency, compliance by section and how often each
contributory factor was recorded (``judgement_agreement`` adds how far agencies and
the panel agree).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from audit_tools.analysis.judgements import AgencyAgreement, PanelAgreement
from audit_tools.returns import ToolScores, is_scored, scores
from audit_tools.sampling import AGE_BANDS
from audit_tools.tools import MULTIPLE, SCALE, Question, ToolDefinition


class OptionCount(NamedTuple):  # a named tuple: an analysis makes thousands, and they are quick to make
    value: str
    label: str
    count: int  # type: ignore[assignment]  # a field may hide tuple.count: Python allows it, mypy does not


@dataclass(frozen=True)
class QuestionSummary:
    question: Question
    answered: int  # returns that answered the question
    options: tuple[OptionCount, ...] = ()

    def count(self, value: str) -> int:
        return next((o.count for o in self.options if o.value == value), 0)

    def percent(self, option: OptionCount) -> int | None:
        """The share of the returns answering that gave this answer, as a whole percentage."""
        return round(100 * option.count / self.answered) if self.answered else None

    @property
    def compliance(self) -> float | None:
        """For a yes/partly/no scale: the share of the best possible score (N/A and not known excluded)."""
        if self.question.type != SCALE:
            return None
        scored = [
            (o.count, option.score) for o in self.options if (option := self.question.option(o.value)) is not None
        ]
        possible = sum(count for count, score in scored if score is not None) * 2.0
        if not possible:
            return None
        return sum(count * score for count, score in scored if score is not None) / possible


def summarise(question: Question, value_counts: dict[str, int], answered: int) -> QuestionSummary:
    """Summarise one question from ``value → count`` (choice types) and the number of returns answering."""
    if not question.is_choice:
        return QuestionSummary(question, answered)
    options = tuple(OptionCount(o.value, o.label, value_counts.get(o.value, 0)) for o in question.options)
    return QuestionSummary(question, answered, options)


@dataclass(frozen=True)
class CaseFilters:
    """Which cases the analysis looks at; an empty value means every case."""

    age_band: str = ""
    locality: str = ""
    plan_type: str = ""

    def chosen(self) -> dict[str, str]:
        """The filters in use, by name, e.g. for a link that keeps them."""
        return {name: value for name, value in vars(self).items() if value}

    @property
    def description(self) -> str:
        words = {"age_band": "aged {} years", "locality": "in {}", "plan_type": "on a {}"}
        parts = [
            words[name].format(value if name != "plan_type" else value[:1].lower() + value[1:])
            for name, value in self.chosen().items()
        ]
        return "Cases " + " ".join(parts) if parts else "All cases"


class GroupedAnswers(NamedTuple):  # named tuples: thousands of rows are made, and they are quick to make
    """One row of the grouped query: how many of one agency's answers to a choice question gave one value
    in one place (``ordinal``: a multiple choice stores its options as rows 0, 1, …)."""

    question_key: str
    agency_id: int
    value: str
    ordinal: int
    # with ordinal 0, also the number of returns (each has one first row per question); the ignore: see OptionCount
    count: int  # type: ignore[assignment]


class Answering(NamedTuple):
    """How many of one agency's returns answered a free-text, number or date question."""

    question_key: str
    agency_id: int
    returns: int


class CaseAnswer(NamedTuple):
    """An answer with the case it came from, read only for the few questions where the case matters: the
    overall judgement (with its agency, for agreement) and charted multiple choices (for prevalence)."""

    question_key: str
    case_id: int
    agency_id: int
    value: str


def judgements_of(answers: Iterable[CaseAnswer], key: str) -> dict[int, dict[int, str]]:
    """Case id → agency id → that agency's answer to the question ``key`` (the overall judgement)."""
    judgements: dict[int, dict[int, str]] = defaultdict(dict)
    for question_key, case_id, agency_id, value in answers:
        if question_key == key:
            judgements[case_id][agency_id] = value
    return judgements


@dataclass(frozen=True)
class AgencyReturns:
    agency_id: int
    name: str
    counted: int  # submitted or accepted
    asked: int  # every return asked of it, whatever its state


@dataclass(frozen=True)
class KeyFigures:
    cases: int
    age_min: Decimal | None
    age_max: Decimal | None
    agencies: tuple[AgencyReturns, ...]
    panel_judgements: int

    @property
    def returns_counted(self) -> int:
        return sum(a.counted for a in self.agencies)

    @property
    def returns_asked(self) -> int:
        return sum(a.asked for a in self.agencies)


@dataclass(frozen=True)
class Prevalence:
    """For a multiple-choice question: in how many cases at least one agency chose each answer."""

    question: Question
    cases: int  # cases where at least one agency answered the question
    options: tuple[OptionCount, ...]

    def percent(self, option: OptionCount) -> int | None:
        return round(100 * option.count / self.cases) if self.cases else None


def prevalence(question: Question, answers: Iterable[CaseAnswer]) -> Prevalence:
    """From the answers to one multiple-choice question, with their cases (other questions' are skipped)."""
    return prevalences((question,), answers)[0]


def prevalences(questions: tuple[Question, ...], answers: Iterable[CaseAnswer]) -> tuple[Prevalence, ...]:
    """``prevalence`` of each of the multiple-choice ``questions``, from one pass over the answers."""
    keys = {q.key for q in questions}
    chosen = {(key, value, case_id) for key, case_id, _, value in answers if key in keys}  # once per case
    cases_by_value = Counter((key, value) for key, value, _ in chosen)
    cases = Counter(key for key, _ in {(key, case_id) for key, _, case_id in chosen})
    return tuple(
        Prevalence(
            q, cases[q.key], tuple(OptionCount(o.value, o.label, cases_by_value[q.key, o.value]) for o in q.options)
        )
        for q in questions
    )


class _Tally:
    """Answers per question and value, and returns answering per question, added up from grouped rows.
    (Plain dicts: a Counter answers a missing key through a method call, and thousands are looked up.)"""

    def __init__(self) -> None:
        self.counts: dict[tuple[str, str], int] = {}  # (question key, value) → answers
        self.answered: dict[str, int] = {}  # question key → returns answering

    def add(self, key: str, value: str, ordinal: int, count: int) -> None:
        self.counts[key, value] = self.counts.get((key, value), 0) + count
        if ordinal == 0:  # a return's first row: one per return answering
            self.answered[key] = self.answered.get(key, 0) + count

    def add_answering(self, key: str, returns: int) -> None:
        self.answered[key] = self.answered.get(key, 0) + returns

    def summaries(self, questions: tuple[Question, ...]) -> dict[str, QuestionSummary]:
        count, answered = self.counts.get, self.answered.get

        def options(q: Question) -> tuple[OptionCount, ...]:
            return tuple(OptionCount(o.value, o.label, count((q.key, o.value), 0)) for o in q.options)

        return {q.key: QuestionSummary(q, answered(q.key, 0), options(q) if q.is_choice else ()) for q in questions}


Weights = tuple[tuple[str, tuple[tuple[int, float], ...]], ...]  # question key → (option's place, score) …


def _weights(definition: ToolDefinition) -> Weights:
    """Each scored question's scored options, by place: what ``_scores`` reads for every summary."""
    return tuple(
        (q.key, tuple((i, o.score) for i, o in enumerate(q.options) if o.score is not None))
        for q in definition.questions
        if is_scored(q)
    )


def _scores(definition: ToolDefinition, weights: Weights, summaries: Mapping[str, QuestionSummary]) -> ToolScores:
    """Compliance from the summaries: each answer scores its option's score, as stored with it."""
    sums = {}
    for key, scored in weights:
        options = summaries[key].options
        sums[key] = (sum(options[i].count * score for i, score in scored), sum(options[i].count for i, _ in scored))
    return scores(definition, sums)


@dataclass(frozen=True)
class Distributions:
    summaries: dict[str, QuestionSummary]  # question key → summary, every question in the tool's order
    by_agency: dict[str, tuple[tuple[str, QuestionSummary], ...]]  # question key → (agency, summary) …
    scores: ToolScores
    agency_scores: tuple[tuple[str, ToolScores], ...]


def distributions(
    definition: ToolDefinition,
    rows: Iterable[GroupedAnswers],
    answering: Iterable[Answering],
    agencies: Mapping[int, str],
) -> Distributions:
    """Every question's answers overall and by agency, and compliance overall and by agency."""
    by_agency: defaultdict[int, _Tally] = defaultdict(_Tally)
    choice = {q.key for q in definition.questions if q.is_choice}
    overall = _Tally()
    for key, agency_id, value, ordinal, count in rows:
        if key in choice:
            overall.add(key, value, ordinal, count)
            by_agency[agency_id].add(key, value, ordinal, count)
    for key, agency_id, returns in answering:
        overall.add_answering(key, returns)
        by_agency[agency_id].add_answering(key, returns)
    questions, weights = definition.questions, _weights(definition)
    named = sorted(
        ((agencies.get(a, "Unknown agency"), tally.summaries(questions)) for a, tally in by_agency.items()),
        key=lambda pair: pair[0],
    )
    summaries = overall.summaries(questions)
    return Distributions(
        summaries=summaries,
        by_agency={q.key: tuple((name, found[q.key]) for name, found in named) for q in questions},
        scores=_scores(definition, weights, summaries),
        agency_scores=tuple((name, _scores(definition, weights, found)) for name, found in named),
    )


def charted_multiple_choice(definition: ToolDefinition) -> tuple[Question, ...]:
    """The multiple-choice questions the tool asks to chart (such as contributory factors)."""
    return tuple(q for q in definition.questions if q.type == MULTIPLE and q.chart_title)


@dataclass(frozen=True)
class QuestionAnalysis:
    """One question's answers overall and by agency, and for a charted multiple choice, by case."""

    summary: QuestionSummary
    by_agency: tuple[tuple[str, QuestionSummary], ...]
    prevalence: Prevalence | None = None


@dataclass(frozen=True)
class Analysis:
    """Everything the analysis page shows, for the cases the filters choose."""

    filters: CaseFilters
    figures: KeyFigures
    distributions: Distributions
    prevalence: tuple[Prevalence, ...]
    between_agencies: AgencyAgreement | None  # None when the tool has no overall judgement
    with_panel: PanelAgreement | None

    def summary(self, key: str) -> QuestionSummary:
        return self.distributions.summaries[key]


FILTERED_ATTRIBUTES = ("age_band", "locality", "plan_type")


def filter_choices(attributes: Iterable[tuple[str, str, str]]) -> dict[str, tuple[str, ...]]:
    """The values each case filter offers, from (age band, locality, plan type) of the cases: blanks left out,
    age bands youngest first, the others in alphabetical order."""
    seen: dict[str, set[str]] = {name: set() for name in FILTERED_ATTRIBUTES}
    for row in attributes:
        for name, value in zip(FILTERED_ATTRIBUTES, row, strict=True):
            if value:
                seen[name].add(value)
    band_order = {band: i for i, band in enumerate(AGE_BANDS)}
    return {
        "age_band": tuple(sorted(seen["age_band"], key=lambda b: (band_order.get(b, len(band_order)), b))),
        "locality": tuple(sorted(seen["locality"], key=str.casefold)),
        "plan_type": tuple(sorted(seen["plan_type"], key=str.casefold)),
    }
