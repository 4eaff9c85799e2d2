"""Tables of how often themes were confirmed: plain data in, plain data out."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

Row = TypeVar("Row")


@dataclass(frozen=True)
class ThemeTable(Generic[Row]):
    """A theme × column table of counts: ``rows`` pairs each theme with one count per column."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Row, tuple[int, ...]], ...]


def pivot(
    rows: Sequence[Row],
    columns: Sequence[tuple[Hashable, str]],
    row_key: Callable[[Row], Hashable],
    counts: Mapping[tuple[Hashable, Hashable], int],
) -> ThemeTable[Row]:
    """Counts keyed by (row key, column key) laid out as a table; a missing pair counts 0.

    ``columns`` pairs each column's key with its heading, in the order to show them.
    """
    return ThemeTable(
        columns=tuple(heading for _, heading in columns),
        rows=tuple((row, tuple(counts.get((row_key(row), key), 0) for key, _ in columns)) for row in rows),
    )


def years_by_theme(pairs: Iterable[tuple[Row, int]], name: Callable[[Row], Any]) -> list[tuple[Row, list[int]]]:
    """(theme, year) pairs grouped as (theme, its distinct years in order); themes in most years first, then by name."""
    years: dict[Row, set[int]] = {}
    for theme, year in pairs:
        years.setdefault(theme, set()).add(year)
    return sorted(
        ((theme, sorted(found)) for theme, found in years.items()), key=lambda item: (-len(item[1]), name(item[0]))
    )
