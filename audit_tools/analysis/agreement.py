"""How far agencies agree when they grade the same case.

The panel compares each agency's overall judgement of a case on the four-point
grade scale (Outstanding, Good, Requires improvement, Inadequate). Grades are
plain values (ints 1..4, or strings) and ``order`` lists them best to worst.

The figures, simplest first: how often two judgements match exactly or within
one grade; a table of who said what; Cohen's kappa for two raters (an agency
against the panel); and Krippendorff's alpha for any number of agencies, some
of whom did not grade every case. Sums are kept as exact fractions, so a
figure that should be 0.4 is 0.4.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal, cast

Grade = Hashable
Pair = tuple[Grade, Grade]
Weights = Literal["linear", "quadratic", "unweighted"]
Level = Literal["nominal", "ordinal", "interval"]
Distance = Callable[[int, int], Fraction]  # between the grades in two places of the order

FEWEST_CASES = 10  # below this, agreement figures move a lot when one case changes


@dataclass(frozen=True)
class Agreement:
    """``count`` of ``total`` pairs agreed, shown as "5 of 7 (71%)"."""

    count: int
    total: int

    @property
    def proportion(self) -> float | None:
        return self.count / self.total if self.total else None

    def __str__(self) -> str:
        if not self.total:
            return "no pairs to compare"
        percent = (200 * self.count + self.total) // (2 * self.total)  # halves round up
        return f"{self.count} of {self.total} ({percent}%)"


@dataclass(frozen=True)
class ConfusionMatrix:
    """How often each pair of grades was given: rows are the first rater's grade, columns the second's."""

    order: tuple[Grade, ...]
    counts: list[list[int]]

    @property
    def total(self) -> int:
        return sum(map(sum, self.counts))

    def agreement(self, within: int = 0) -> Agreement:
        """The pairs whose grades are at most ``within`` places apart (0: the same grade)."""
        size = range(len(self.order))
        return Agreement(sum(self.counts[i][j] for i in size for j in size if abs(i - j) <= within), self.total)


def _positions(order: Sequence[Grade]) -> dict[Grade, int]:
    positions = {grade: i for i, grade in enumerate(order)}
    if len(positions) != len(order):
        raise ValueError(f"the order {list(order)} lists a grade twice")
    return positions


def _position(positions: dict[Grade, int], grade: Grade) -> int:
    try:
        return positions[grade]
    except KeyError:
        raise ValueError(f"{grade!r} is not one of the grades {list(positions)}") from None


def _grade_counts(unit: Iterable[Grade], positions: dict[Grade, int]) -> dict[int, int]:
    """How often each grade (by its place in the order) was given in one unit."""
    counts: dict[int, int] = {}
    for grade in unit:
        place = positions[grade] if grade in positions else _position(positions, grade)  # the latter raises
        counts[place] = counts.get(place, 0) + 1
    return counts


def exact_agreement(pairs: Iterable[Pair]) -> Agreement:
    """How many pairs of judgements are the same grade."""
    pairs = list(pairs)
    return Agreement(sum(a == b for a, b in pairs), len(pairs))


def within_one(pairs: Iterable[Pair], order: Sequence[Grade]) -> Agreement:
    """How many pairs of judgements are the same grade or next to each other in ``order``."""
    return confusion_matrix(pairs, order).agreement(1)


def confusion_matrix(pairs: Iterable[Pair], order: Sequence[Grade]) -> ConfusionMatrix:
    """Count each (first rater's grade, second rater's grade) combination, rows and columns in ``order``."""
    positions = _positions(order)
    counts = [[0] * len(order) for _ in order]
    for (a, b), n in Counter(pairs).items():
        counts[_position(positions, a)][_position(positions, b)] += n
    return ConfusionMatrix(tuple(order), counts)


def pairs_within(units: Iterable[Iterable[Grade]], order: Sequence[Grade]) -> ConfusionMatrix:
    """Every pair of grades given within the same unit (case), each pair once, as a table in ``order``:
    the earlier grade of a pair in the row, so only the upper triangle is filled. For ``agreement()``
    only; there is no first and second rater here, so kappa of this table would mean nothing."""
    return GradedUnits.of(units, order).pairs_within()


@dataclass(frozen=True)
class GradedUnits:
    """Units (cases) held as how often each grade was given in each: counted once, then read by every
    figure of agreement within units. A case that twelve agencies graded holds 66 pairs but at most
    four different grades, so the sums go grade by grade, not pair by pair."""

    order: tuple[Grade, ...]
    counts: tuple[dict[int, int], ...]  # for each unit: place of a grade in ``order`` → how often given

    @classmethod
    def of(cls, units: Iterable[Iterable[Grade]], order: Sequence[Grade]) -> GradedUnits:
        positions = _positions(order)
        return cls(tuple(order), tuple(_grade_counts(unit, positions) for unit in units))

    @property
    def comparable(self) -> int:
        """How many units hold two grades or more."""
        return sum(sum(counts.values()) >= 2 for counts in self.counts)

    def pairs_within(self) -> ConfusionMatrix:
        """See the module function ``pairs_within``."""
        table = [[0] * len(self.order) for _ in self.order]
        for counts in self.counts:
            seen = sorted(counts.items())
            for place, (i, n_i) in enumerate(seen):
                table[i][i] += n_i * (n_i - 1) // 2
                for j, n_j in seen[place + 1 :]:
                    table[i][j] += n_i * n_j
        return ConfusionMatrix(self.order, table)

    def alpha(self, level: Level = "ordinal", by_place: bool = True) -> float | None:
        """Krippendorff's alpha of the units (see ``krippendorff_alpha``); with ``by_place``, interval
        distances are between places in the order, else between the grades' own values."""
        coincidences = _coincidences([counts for counts in self.counts if sum(counts.values()) >= 2], len(self.order))
        totals = [sum(row, Fraction(0)) for row in coincidences]  # n_c: how often each grade was pairable
        n = sum(totals)
        distance = _distance(level, list(self.order), totals, interval_by_place=by_place)
        cells = [(c, k) for c in range(len(self.order)) for k in range(len(self.order))]
        seen = sum(coincidences[c][k] * distance(c, k) for c, k in cells)
        expected = sum(totals[c] * totals[k] * distance(c, k) for c, k in cells)
        return float(1 - (n - 1) * seen / expected) if expected else None


# How bad a disagreement between grades i and j places apart is. Linear weights are
# often scaled to |i - j| / (k - 1); kappa is a ratio, so the scale makes no difference.
_DISAGREEMENT: dict[str, Callable[[int, int], int]] = {
    "unweighted": lambda i, j: int(i != j),
    "linear": lambda i, j: abs(i - j),
    "quadratic": lambda i, j: (i - j) ** 2,
}


def weighted_kappa(pairs: Iterable[Pair], order: Sequence[Grade], weights: Weights = "linear") -> float | None:
    """Cohen's kappa for two raters: 1 - (disagreement seen) / (disagreement expected by chance).

    Chance is what the two raters' own mix of grades would give if paired at random.
    1 is perfect agreement, 0 no better than chance. ``weights`` says how much a
    disagreement of more than one grade counts ("unweighted": every disagreement
    counts the same). None when there are fewer than two pairs, or when chance
    alone could not produce a disagreement (both raters gave one grade throughout).
    """
    return kappa_of(confusion_matrix(pairs, order), weights)


def kappa_of(table: ConfusionMatrix, weights: Weights = "linear") -> float | None:
    """Cohen's kappa of pairs already counted into a confusion matrix (see ``weighted_kappa``)."""
    if weights not in _DISAGREEMENT:
        raise ValueError(f"weights must be one of {list(_DISAGREEMENT)}, not {weights!r}")
    if table.total < 2:
        return None
    rows = [sum(row) for row in table.counts]
    columns = [sum(column) for column in zip(*table.counts, strict=True)]
    weight, grades = _DISAGREEMENT[weights], range(len(table.order))
    seen = sum(weight(i, j) * table.counts[i][j] for i in grades for j in grades)
    expected = Fraction(sum(weight(i, j) * rows[i] * columns[j] for i in grades for j in grades), table.total)
    return float(1 - seen / expected) if expected else None


def krippendorff_alpha(
    units: Iterable[Iterable[Grade | None]], level: Level = "ordinal", order: Sequence[Grade] | None = None
) -> float | None:
    """Krippendorff's alpha: 1 - (disagreement seen) / (disagreement expected by chance).

    Each unit is one case and holds the grades of the agencies that graded it;
    a missing grade is simply left out (None is also ignored). Cases with fewer
    than two grades cannot be compared and are skipped. ``level`` says how far
    apart two grades are: "nominal" (same or different), "ordinal" (by how many
    grades were given between them), "interval" (by the difference of the
    values, or of their places in ``order`` when one is given). ``order`` defaults
    to the sorted grades seen. None when no case can be compared or every grade
    given is the same, so chance could not produce a disagreement.

    Follows the coincidence-matrix method in Krippendorff (2011), "Computing
    Krippendorff's Alpha-Reliability".
    """
    pairable = [graded for unit in units if len(graded := [g for g in unit if g is not None]) >= 2]
    # without an order the grades seen must sort (numbers, say): Grade itself promises only hashing
    grades: list[Any] = list(order) if order is not None else sorted({g for unit in pairable for g in unit})
    return GradedUnits.of(pairable, grades).alpha(level, by_place=order is not None)


def _coincidences(units: list[dict[int, int]], size: int) -> list[list[Fraction]]:
    """Every ordered pair of grades within a case, each case weighing 1 per grade it holds; ``units``
    are pairable cases as place → how often given, ``size`` the number of grades."""
    # Pairs are counted as whole numbers per case size (m), then each size is divided by m - 1 once:
    # the same sums as adding 1 / (m - 1) per pair, without building thousands of fractions.
    pairs_by_size: dict[int, list[list[int]]] = {}
    for counts in units:
        pairs = pairs_by_size.setdefault(sum(counts.values()), [[0] * size for _ in range(size)])
        for c, n_c in counts.items():
            for k, n_k in counts.items():
                pairs[c][k] += n_c * (n_k - (c == k))
    return [
        [sum((Fraction(pairs[c][k], m - 1) for m, pairs in pairs_by_size.items()), Fraction(0)) for k in range(size)]
        for c in range(size)
    ]


def _distance(level: Level, grades: list[Grade], totals: list[Fraction], interval_by_place: bool) -> Distance:
    """The squared difference δ²(c, k) between the grades in places c and k."""
    if level == "nominal":
        return lambda c, k: Fraction(c != k)
    if level == "interval":

        def value(c: int) -> Fraction:  # by value, the grades are numbers
            return Fraction(c) if interval_by_place else Fraction(cast("int | float", grades[c]))

        return lambda c, k: (value(c) - value(k)) ** 2
    if level == "ordinal":
        # (n_c + ... + n_k - (n_c + n_k) / 2)²: how many grades were given from c to k.
        return lambda c, k: (sum(totals[min(c, k) : max(c, k) + 1]) - (totals[c] + totals[k]) / 2) ** 2
    raise ValueError(f"level must be nominal, ordinal or interval, not {level!r}")


def reliability_caution(n_cases: int, fewest: int = FEWEST_CASES) -> str:
    """A sentence to show beside agreement figures based on few cases; "" when there are enough."""
    if n_cases == 0:
        return "No case was graded by more than one rater, so agreement cannot be measured."
    if n_cases >= fewest:
        return ""
    cases = "case" if n_cases == 1 else "cases"
    return f"Based on only {n_cases} {cases}: treat agreement figures as a rough guide, not a measure."


# Landis and Koch (1977), "The measurement of observer agreement for categorical data".
_LANDIS_KOCH = ((0.20, "slight"), (0.40, "fair"), (0.60, "moderate"), (0.80, "substantial"))


def describe_kappa(value: float | None) -> str:
    """The conventional words for a kappa value, e.g. 0.45 → "moderate"."""
    if value is None:
        return "not measurable"
    if value < 0:
        return "poor (less than chance)"
    return next((words for upper, words in _LANDIS_KOCH if value <= upper), "almost perfect")
