"""Two audits side by side: what changed between them, with the briefing's small-number care.

Compliance by section is a statement about agencies' practice (the share of the best possible
score their returns recorded), so it is shown exactly, with its change in percentage points.
The panel's overall judgements and the themes are counts of children (a judgement of a child's
case, a theme found in it), so they are put into words on the children's scale of
``audit_tools.analysis.quantifiers`` and never printed as counts; their change is read from the
words alone ("more often" only when the words moved up the scale), so that it says no more
about one child than the words do.
"""

from __future__ import annotations

from dataclasses import dataclass

from audit_tools.analysis.quantifiers import (
    A_FEW,
    ABOUT_HALF,
    ALL,
    ALMOST_ALL,
    MORE_THAN_HALF,
    MOST,
    NONE,
    SOME,
    quantity_words,
)
from audit_tools.errors import WorkbenchError

# The scale from the bottom up, to tell whether the words moved up or down.
_RANK = {
    words: rank for rank, words in enumerate((NONE, A_FEW, SOME, ABOUT_HALF, MORE_THAN_HALF, MOST, ALMOST_ALL, ALL))
}
NOT_RECORDED = "no judgements recorded"
NOT_IN_TOOL = "not in this audit's tool"


class NothingShared(WorkbenchError):
    """The two audits share neither an audit tool nor any question, so their results do not line up."""


@dataclass(frozen=True)
class AuditResults:
    """One audit as the comparison reads it (every figure computed by the database)."""

    id: int
    name: str
    year: int
    tool_id: int
    question_keys: frozenset[str]
    overall: float | None  # compliance over every section, 0–1; None when nothing was scored
    sections: tuple[tuple[str, float | None], ...]  # (section title, compliance), in the tool's order
    grades: tuple[tuple[str, int], ...]  # (grade label, children's cases the panel judged so), best first
    themes: tuple[tuple[str, int], ...]  # (theme name, children's cases it was confirmed in)
    cases: int  # included cases (children)


@dataclass(frozen=True)
class Change:
    """One row: what it is, how it was in the earlier audit and the later, and the change in words."""

    label: str
    before: str
    after: str
    change: str


@dataclass(frozen=True)
class Comparison:
    earlier: AuditResults
    later: AuditResults
    shared: str  # what the two audits have in common, in words
    compliance: tuple[Change, ...]  # sections, then "All sections"
    judgements: tuple[Change, ...]
    themes: tuple[Change, ...]


def in_order(first: AuditResults, second: AuditResults) -> tuple[AuditResults, AuditResults]:
    """The two audits, the earlier first (by year, then the order they were set up in)."""
    return (first, second) if (first.year, first.id) <= (second.year, second.id) else (second, first)


def what_is_shared(earlier: AuditResults, later: AuditResults) -> str:
    """ "the same audit tool" or "12 questions in common"; raises ``NothingShared`` when there is neither."""
    if earlier.id == later.id:
        raise NothingShared("Choose two different audits to compare.", field="second")
    if earlier.tool_id == later.tool_id:
        return "the same audit tool"
    common = len(earlier.question_keys & later.question_keys)
    if not common:
        raise NothingShared(
            f"{earlier.name} and {later.name} used different audit tools with no question in common, so their "
            "results cannot be compared. Choose two audits that used the same tool or share questions.",
            field="second",
        )
    return f"{common} question{'s' if common != 1 else ''} in common"


def compare_audits(first: AuditResults, second: AuditResults) -> Comparison:
    """The earlier and the later of two audits compared: compliance, judgements and themes, each with its change.

    Raises ``NothingShared`` when the audits are the same one, or share neither a tool nor a question.
    """
    earlier, later = in_order(first, second)
    return Comparison(
        earlier=earlier,
        later=later,
        shared=what_is_shared(earlier, later),
        compliance=compliance_changes(earlier, later),
        judgements=judgement_changes(earlier, later),
        themes=theme_changes(earlier, later),
    )


def percent(share: float | None) -> str:
    return "–" if share is None else f"{round(100 * share)}%"


def points_change(before: float | None, after: float | None) -> str:
    """ "up 12 points", "down 3 points", "no change", or "–" when either side has no figure."""
    if before is None or after is None:
        return "–"
    points = round(100 * after) - round(100 * before)
    if not points:
        return "no change"
    return f"{'up' if points > 0 else 'down'} {abs(points)} point{'s' if abs(points) != 1 else ''}"


def compliance_changes(earlier: AuditResults, later: AuditResults) -> tuple[Change, ...]:
    """Each section (matched by title, as tool versions keep their titles) and every section together."""
    before, after = dict(earlier.sections), dict(later.sections)
    titles = list(dict.fromkeys([title for title, _ in later.sections] + [title for title, _ in earlier.sections]))
    rows = [
        Change(
            title,
            percent(before.get(title)),
            percent(after.get(title)),
            points_change(before.get(title), after.get(title)),
        )
        for title in titles
    ]
    rows.append(
        Change(
            "All sections",
            percent(earlier.overall),
            percent(later.overall),
            points_change(earlier.overall, later.overall),
        )
    )
    return tuple(rows)


def children_words(count: int, total: int) -> str:
    """A count of children in words on the children's scale ("some", "most"); "none" of none."""
    return quantity_words(count, total, children=True) if total else NONE


def word_change(before: str, after: str, *, new: str = "more often", gone: str = "less often") -> str:
    """How the words moved: "more often", "less often" or "about the same" ("about the same" within a word)."""
    if _RANK[after] == _RANK[before]:
        return "about the same"
    return new if _RANK[after] > _RANK[before] else gone


def judgement_changes(earlier: AuditResults, later: AuditResults) -> tuple[Change, ...]:
    """Each overall grade: in how many of the judged children's cases the panel gave it, in words."""
    before, after = dict(earlier.grades), dict(later.grades)
    judged_before, judged_after = sum(before.values()), sum(after.values())
    labels = list(dict.fromkeys([label for label, _ in later.grades] + [label for label, _ in earlier.grades]))
    rows = []
    for label in labels:
        then = _grade_words(label, before, judged_before)
        now = _grade_words(label, after, judged_after)
        known = then in _RANK and now in _RANK
        rows.append(Change(label, then, now, word_change(then, now) if known else "–"))
    return tuple(rows)


def _grade_words(label: str, grades: dict[str, int], judged: int) -> str:
    if label not in grades:
        return NOT_IN_TOOL
    return children_words(grades[label], judged) if judged else NOT_RECORDED


def theme_changes(earlier: AuditResults, later: AuditResults) -> tuple[Change, ...]:
    """Every theme confirmed in either audit, in how many of the children's cases, in words; the themes of the
    later audit first, the most frequent first."""
    before, after = dict(earlier.themes), dict(later.themes)
    names = sorted(set(before) | set(after), key=lambda name: (-after.get(name, 0), -before.get(name, 0), name.lower()))
    rows = []
    for name in names:
        then = children_words(min(before.get(name, 0), earlier.cases), earlier.cases)
        now = children_words(min(after.get(name, 0), later.cases), later.cases)
        if then == NONE and now != NONE:
            change = "new this time"
        elif now == NONE and then != NONE:
            change = "not found this time"
        else:
            change = word_change(then, now)
        rows.append(Change(name, then, now, change))
    return tuple(rows)
