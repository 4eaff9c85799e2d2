"""Counts in words: the one scale a drafted briefing uses instead of "fewer than 6 of 22".

The scale, by the share a count is of its total (docs/DECISIONS.md, "Counts in plain words"):

=============== =====================================
words            share of the total
=============== =====================================
all              every one
almost all       90% or more, but not all
most             75% or more, below 90%
more than half   more than 60%, below 75%
about half       40% to 60%, both included
some             20% or more, below 40%
a few            more than none, below 20%
none             0
=============== =====================================

Counts of children with an attribute (a theme found in a child's case) use the coarser
``CHILD_SCALE`` (all / most / about half / some / none), so that a reader who knows the
total cannot work back from the words to one child: with 6 children, "some" is 1 or 2 and
"most" is 4 or 5.
"""

from __future__ import annotations

from fractions import Fraction

ALL, ALMOST_ALL, MOST, MORE_THAN_HALF = "all", "almost all", "most", "more than half"
ABOUT_HALF, SOME, A_FEW, NONE = "about half", "some", "a few", "none"
# (lowest share, whether that share itself is included, words), from the top of the scale down.
SCALE: tuple[tuple[Fraction, bool, str], ...] = (
    (Fraction(9, 10), True, ALMOST_ALL),
    (Fraction(3, 4), True, MOST),
    (Fraction(3, 5), False, MORE_THAN_HALF),
    (Fraction(2, 5), True, ABOUT_HALF),
    (Fraction(1, 5), True, SOME),
    (Fraction(0), False, A_FEW),
)
# For counts of children: the scale's neighbours merged, so each word covers a wider band.
CHILD_SCALE = {ALMOST_ALL: MOST, MORE_THAN_HALF: MOST, A_FEW: SOME}


def quantity_words(count: int, total: int, *, children: bool = False) -> str:
    """``count`` of ``total`` on the scale: 22 of 22 → "all", 17 of 22 → "most", 0 of 6 → "none".

    ``children=True`` for a count of children with an attribute (the coarser scale).
    Raises ``ValueError`` for a negative count, a count above its total or a total of 0.
    """
    if isinstance(count, bool) or isinstance(total, bool) or not 0 <= count <= total or total < 1:
        raise ValueError(f"a count of {count!r} out of {total!r} cannot be put into words")
    if count == total:
        return ALL
    if count == 0:
        return NONE
    share = Fraction(count, total)
    words = next(w for low, included, w in SCALE if share > low or (included and share == low))
    return CHILD_SCALE.get(words, words) if children else words


def in_returns(count: int, total: int) -> str:
    """ "In most returns", "In all returns", "In none of the returns" – the opening of a finding."""
    words = quantity_words(count, total)
    if words == ALL:
        return "In every return"
    if words == NONE:
        return "In none of the returns"
    return f"In {words} returns" if words in (MOST, SOME, A_FEW, ALMOST_ALL) else f"In {words} of the returns"
