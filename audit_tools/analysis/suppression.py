"""Small-number suppression for a published briefing, so that no count can point to a child or family.

The rules, in the words a reader of the briefing sees:

* **Small counts.** A count from 1 to the threshold (5 unless the partnership
  chooses otherwise) is shown as "fewer than 6"; the words follow the threshold
  (threshold 3 → "fewer than 4").
* **Zero is shown as "0".** Knowing that no case had a feature points to no
  one, and hiding zeros would make every table look suppressed. (A zero can
  still say "all the others did"; that is covered by the next two rules.)
* **Larger counts** are shown as they are, with thousands separated: "1,234".
* **Percentages** are whole numbers, rounded half up ("67%"), with "less than
  1%" and "more than 99%" rather than a misleading 0% or 100%. A percentage is
  "not shown" when its count is small, when the total is small, or when the rest
  of the total (total − count) is small, because with the total printed the
  reader could work that small group out.
* **Secondary suppression** for a set of categories with a shown total: when
  the hidden counts could be worked out by subtracting the shown ones from the
  total (always so when exactly one category is hidden), the next smallest
  shown, non-zero category is hidden too ("not shown"), and so on until no
  hidden count can be pinned down; when even that is not enough, the total is
  hidden instead. See ``suppress_distribution`` and ``show_total``.
* **Charts** are drawn only when no bar would be suppressed (``chart_safe``).

Invalid input (a threshold below 1, a negative count, a count above its total,
a value that is not a whole number) raises ``ValueError``. A threshold of 1 is
accepted but protects little: with zeros shown, "fewer than 2" can only mean 1.
The protection covers one table at a time: a hidden total printed elsewhere in
the briefing (say, the number of cases audited) undoes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

DEFAULT_THRESHOLD = 5
NOT_SHOWN = "not shown"
NOT_APPLICABLE = "not applicable"  # the share of a total of nothing
SMALL_NUMBER = "small number"  # reasons a value is hidden (SuppressedValue.reason)
SECONDARY = "secondary"


@dataclass(frozen=True)
class SuppressedValue:
    """One category of a distribution as the briefing shows it.

    ``text`` is the count to print ("12", "0", "fewer than 6" or "not shown"),
    ``share`` its percentage of the total ("38%" or "not shown"), and ``reason``
    why it is hidden: "" (shown), ``SMALL_NUMBER`` or ``SECONDARY``. ``count`` is
    the true count, for the workbench's own use: never print it.
    """

    count: int
    text: str
    share: str
    reason: str = ""

    @property
    def shown(self) -> bool:
        return not self.reason


def threshold_words(threshold: int = DEFAULT_THRESHOLD) -> str:
    """How a suppressed count reads: threshold 5 → "fewer than 6"."""
    return f"fewer than {_checked_threshold(threshold) + 1}"


def is_suppressed(count: int, threshold: int = DEFAULT_THRESHOLD) -> bool:
    """True for a count from 1 to the threshold (a small number that could identify someone)."""
    return 1 <= _checked_count(count) <= _checked_threshold(threshold)


def show_count(count: int, threshold: int = DEFAULT_THRESHOLD) -> str:
    """A count as printed: 0 → "0", 1 to the threshold → "fewer than 6", otherwise "1,234"."""
    return threshold_words(threshold) if is_suppressed(count, threshold) else f"{count:,}"


def show_share(count: int, total: int, threshold: int = DEFAULT_THRESHOLD) -> str:
    """``count`` as a percentage of ``total`` ("67%"), or "not shown" when it could reveal a small number.

    Hidden when the count, the total or the rest (total − count) is from 1 to
    the threshold. A total of 0 gives "not applicable".
    """
    _check_part(count, total)
    if total == 0:
        return NOT_APPLICABLE
    if any(is_suppressed(n, threshold) for n in (count, total, total - count)):
        return NOT_SHOWN
    return _percent(count, total)


def suppress_distribution(counts: Mapping[str, int], threshold: int = DEFAULT_THRESHOLD) -> dict[str, SuppressedValue]:
    """Every category of a distribution as it may be shown, beside the total that ``show_total`` gives.

    Primary suppression hides counts from 1 to the threshold. When the total is
    shown, secondary suppression then hides the smallest shown non-zero category
    (ties: first by name), repeatedly, until no hidden count can be worked out. A
    reader who sees the total, the shown counts and which cells are "fewer than 6"
    knows each such cell lies between 1 and the threshold and each "not shown"
    cell is above it; a count is "worked out" when those facts leave it only one
    possible value. So one hidden category always brings a second, and two hidden
    1s (a sum of 2) bring a third. If hiding every non-zero category would still
    not be enough (0, 1 and 6: the 1 and the 6 are the only pair that fits), the
    total is hidden instead and only the small counts are.
    """
    hidden, total_text = _plan(counts, threshold)
    total = sum(counts.values())
    total_shown = total_text == f"{total:,}"  # a share beside a hidden total would give the total away
    return {name: _value(count, total, hidden.get(name, ""), total_shown, threshold) for name, count in counts.items()}


def show_total(counts: Mapping[str, int], threshold: int = DEFAULT_THRESHOLD) -> str:
    """The total to print beside ``suppress_distribution(counts)``: "31", "fewer than 6", "0" or "not shown".

    "not shown" when showing the total, even as "fewer than 6", would let a reader
    work out a hidden count (for example five categories of 1 under a total of
    "fewer than 6"). Print this, not ``show_count(sum(counts))``, wherever the
    same total appears in the briefing.
    """
    return _plan(counts, threshold)[1]


def chart_safe(counts: Mapping[Any, int], threshold: int = DEFAULT_THRESHOLD) -> bool:
    """True when a chart may be drawn: every count is 0 or above the threshold, so no bar needs hiding."""
    return not any(is_suppressed(count, threshold) for count in counts.values())


def _plan(counts: Mapping[str, int], threshold: int) -> tuple[dict[str, str], str]:
    """Which categories to hide (name → reason) and how to print the total."""
    threshold = _checked_threshold(threshold)
    total = sum(_checked_count(count) for count in counts.values())
    primary = {name: SMALL_NUMBER for name, count in counts.items() if is_suppressed(count, threshold)}
    if total == 0:
        return primary, "0"
    if total <= threshold:  # every non-zero category is hidden; the reader knows only that they add up to 1..T
        safe = not _recoverable(counts, primary, threshold, (1, threshold))
        return primary, threshold_words(threshold) if safe else NOT_SHOWN
    hidden = dict(primary)
    while _recoverable(counts, hidden, threshold, (sum(counts[n] for n in hidden),) * 2):
        candidates = sorted((count, name) for name, count in counts.items() if count > 0 and name not in hidden)
        if not candidates:
            return primary, NOT_SHOWN
        hidden[candidates[0][1]] = SECONDARY
    return hidden, f"{total:,}"


def _recoverable(
    counts: Mapping[str, int], hidden: Mapping[str, str], threshold: int, hidden_sum: tuple[int, int]
) -> bool:
    """True when some hidden count has only one value consistent with what the reader can see.

    ``hidden_sum`` is the least and most the hidden counts can add up to, as the reader
    can tell from the total and the shown counts.
    """
    least, most = hidden_sum
    ranges = {
        name: (1, threshold) if reason == SMALL_NUMBER else (threshold + 1, most) for name, reason in hidden.items()
    }
    for name, (low, high) in ranges.items():
        if low == high:  # threshold 1: "fewer than 2" already says 1, and no other cell can change that
            continue
        others_low = sum(r[0] for other, r in ranges.items() if other != name)
        others_high = sum(r[1] for other, r in ranges.items() if other != name)
        if max(low, least - others_high) >= min(high, most - others_low):
            return True
    return False


def _value(count: int, total: int, reason: str, total_shown: bool, threshold: int) -> SuppressedValue:
    if reason:
        text = threshold_words(threshold) if reason == SMALL_NUMBER else NOT_SHOWN
        return SuppressedValue(count, text, NOT_SHOWN, reason)
    share = NOT_APPLICABLE if total == 0 else _percent(count, total) if total_shown else NOT_SHOWN
    return SuppressedValue(count, f"{count:,}", share)


def _percent(count: int, total: int) -> str:
    """Whole-number percentage rounded half up, in integers so that 2.5% is always "3%"."""
    rounded = (200 * count + total) // (2 * total)
    if rounded == 0 and count > 0:
        return "less than 1%"
    if rounded == 100 and count < total:
        return "more than 99%"
    return f"{rounded}%"


def _checked_threshold(threshold: int) -> int:
    if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 1:
        raise ValueError(f"the suppression threshold must be a whole number of at least 1, not {threshold!r}")
    return threshold


def _checked_count(count: int) -> int:
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise ValueError(f"a count must be a whole number of 0 or more, not {count!r}")
    return count


def _check_part(count: int, total: int) -> None:
    if _checked_count(count) > _checked_count(total):
        raise ValueError(f"a count ({count}) cannot be more than its total ({total})")
