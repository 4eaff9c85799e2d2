"""The action plan and the year-on-year view, as plain data: status words, overdue, ordering and tables.

Nothing here knows about Flask or the database; the app feeds in rows it has counted in SQL.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

T = TypeVar("T", bound=Hashable)

RAG_STATES = ("red", "amber", "green", "complete")
# A status is always said in words, never by colour alone.
RAG_WORDS = {
    "red": "Red – off track",
    "amber": "Amber – at risk",
    "green": "Green – on track",
    "complete": "Complete",
}
AUDIENCE_HEADINGS = {
    "managers": "Learning points for managers",
    "practitioners": "Action points for practitioners",
    "inter_agency": "Key messages for inter-agency learning",
}
RECURRING_AFTER = 2  # a theme confirmed in this many audits or more is recurring


def rag_words(rag: str) -> str:
    return RAG_WORDS.get(rag, rag.capitalize())


def is_overdue(due: date | None, rag: str, today: date) -> bool:
    """Overdue: the due date has passed and the action is not complete."""
    return due is not None and due < today and rag != "complete"


def rag_counts(rags: Iterable[str]) -> dict[str, int]:
    """How many actions have each status, in the plan's order (every status present, even at 0)."""
    counts = dict.fromkeys(RAG_STATES, 0)
    for rag in rags:
        counts[rag] = counts.get(rag, 0) + 1
    return counts


def moved(order: Sequence[T], item: T, step: int) -> list[T]:
    """``order`` with ``item`` moved ``step`` places (-1 up, +1 down); at either end nothing changes.

    Raises ValueError when ``item`` is not in ``order``.
    """
    items = list(order)
    index = items.index(item)
    target = index + step
    if 0 <= target < len(items):
        items[index], items[target] = items[target], items[index]
    return items


@dataclass(frozen=True)
class AuditColumn:
    """One audit as a column of the year-on-year tables."""

    id: int
    title: str
    year: int


@dataclass(frozen=True)
class ThemeTrend:
    """A theme's row: the number of cases it was confirmed in, per audit column (0 when not seen)."""

    name: str
    category: str
    counts: tuple[int, ...]

    @property
    def audits_seen(self) -> int:
        return sum(1 for count in self.counts if count)

    @property
    def recurring(self) -> bool:
        return self.audits_seen >= RECURRING_AFTER


def theme_trends(
    audits: Sequence[AuditColumn], themes: Iterable[tuple[int, str, str]], counts: Iterable[tuple[int, int, int]]
) -> list[ThemeTrend]:
    """Rows of themes × audit columns from (theme id, name, category) and (theme id, audit id, cases).

    Themes seen in no audit are left out. Recurring themes come first, then the most often seen.
    """
    column = {audit.id: position for position, audit in enumerate(audits)}
    cells: dict[int, list[int]] = {}
    for theme_id, audit_id, cases in counts:
        if audit_id in column:
            cells.setdefault(theme_id, [0] * len(audits))[column[audit_id]] = cases
    rows = [
        ThemeTrend(name, category, tuple(cells[theme_id])) for theme_id, name, category in themes if theme_id in cells
    ]
    return sorted(rows, key=lambda row: (not row.recurring, -row.audits_seen, -sum(row.counts), row.name.lower()))


@dataclass(frozen=True)
class ComplianceRow:
    """A section (or "All sections") with its compliance per audit column: a share 0–1, or None."""

    title: str
    shares: tuple[float | None, ...]


def compliance_rows(
    per_audit: Sequence[tuple[float | None, Sequence[tuple[str, float | None]]]],
) -> list[ComplianceRow]:
    """Sections × audits from each audit's (overall share, ((section title, share), …)), in column order.

    Sections are matched by title, so audits that used different versions of a tool line up where
    they share a section; the overall row comes last.
    """
    titles: list[str] = []
    for _overall, sections in per_audit:
        titles += [title for title, _share in sections if title not in titles]
    by_audit = [dict(sections) for _overall, sections in per_audit]
    rows = [ComplianceRow(title, tuple(shares.get(title) for shares in by_audit)) for title in titles]
    return rows + [ComplianceRow("All sections", tuple(overall for overall, _sections in per_audit))]
