"""Facts about an audit and the words the briefing drafts from them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from audit_tools.aggregation import QuestionSummary
from audit_tools.definition import SCALE


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


def long_date(value) -> str:
    """27 March 2026 (portable: no platform-specific strftime flags)."""
    return f"{value.day} {value:%B %Y}" if value else ""


def format_age(age: Decimal | float | None) -> str:
    """1.5 → "1½", 8.0 → "8"; ages are shown in whole and half years."""
    if age is None:
        return "unknown"
    halves = round(float(age) * 2)
    whole, half = divmod(halves, 2)
    if not half:
        return str(whole)
    return f"{whole}½" if whole else "½"


def age_range(facts: AuditFacts) -> str:
    if facts.age_min is None:
        return "no ages recorded"
    low, high = format_age(facts.age_min), format_age(facts.age_max)
    return f"aged {low}" if low == high else f"aged {low} to {high}"


def join_words(items: tuple[str, ...] | list[str]) -> str:
    """["a", "b", "c"] → "a, b and c"."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def number_words(n: int) -> str:
    """Small numbers in words, as plain-English style prefers: 4 → "four"; 12 → "12"."""
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else str(n)


def lower_first(text: str) -> str:
    """"Child protection plan" → "child protection plan", but "CP plan" stays "CP plan"."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


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
    first = (f"The partnership audited the cases of {facts.case_count} {children} {age_range(facts)}."
             + _plans_sentence(facts.plan_types))
    second = _agencies_sentence(facts)
    first = f"{first} {facts.method_statement.strip()}".strip()
    paragraphs = [p for p in (facts.purpose.strip(), first, second, facts.scope.strip()) if p]
    return tuple(paragraphs)


def _agencies_sentence(facts: AuditFacts) -> str:
    agencies = len(facts.agencies)
    if not agencies:
        return f"No agency has submitted a return yet ({facts.returns_expected} are expected)."
    return (f"{number_words(agencies).capitalize()} {'agency' if agencies == 1 else 'agencies'} took part: "
            f"{join_words(facts.agencies)}. They completed {facts.returns_submitted} of "
            f"{facts.returns_expected} agency returns, each scoring the case from that agency's own "
            "records with the same audit tool.")


def findings(summaries: list[QuestionSummary], *, strongest: int = 3, weakest: int = 4) -> tuple[str, ...]:
    """Sentences on the practice seen most and least often, from questions that carry a finding phrase."""
    scored = [s for s in summaries
              if s.question.type == SCALE and s.question.finding and s.compliance is not None]
    scored.sort(key=lambda s: (s.compliance, s.question.key))
    weak = scored[:weakest]
    strong = [s for s in reversed(scored[weakest:])][:strongest]
    return tuple(_finding_sentence(s) for s in strong + weak)


def _finding_sentence(summary: QuestionSummary) -> str:
    total = summary.count("yes") + summary.count("partly") + summary.count("no")
    sentence = f"In {summary.count('yes')} of {total} returns, {summary.question.finding}"
    if summary.count("partly"):
        sentence += f" (partly in {summary.count('partly')} more)"
    return sentence.rstrip(".") + "."
