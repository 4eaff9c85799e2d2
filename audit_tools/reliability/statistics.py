"""How far two people grading the same case independently agree: the figures of a moderated sample.

Every figure here is for *two* gradings of each unit (the first auditor's and the moderator's, or
two coders'), given as pairs of grades on one ordered scale (``order``, best first). Krippendorff's
alpha and kappa themselves come from ``audit_tools.analysis.agreement``; this room adds Gwet's AC1,
a fast ordinal alpha for pairs (to resample it a thousand times), the bootstrap interval of alpha and
the words for the thresholds.

- Gwet's AC1 (Gwet 2008, "Computing inter-rater reliability and its variance in the presence of high
  agreement"): chance agreement is taken from how far the grades spread over the scale, so it does not
  collapse towards zero when nearly every grade is the same (the "kappa paradox").
- The bootstrap interval resamples the units (cases) with replacement from ``random.Random(seed)``:
  the same pairs and seed always give the same interval.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from audit_tools.analysis.agreement import Grade, Pair

RELIABLE = 0.800  # Krippendorff (2004): rely on data only when alpha >= .800
TENTATIVE = 0.667  # ... and draw tentative conclusions only when alpha >= .667
RESAMPLES = 1000
SEED = 20261206  # the default seed of the bootstrap, so the interval shown never changes on reload
CONFIDENCE = 0.95


def _places(pairs: Iterable[Pair], order: Sequence[Grade]) -> list[tuple[int, int]]:
    positions = {grade: i for i, grade in enumerate(order)}
    try:
        return [(positions[a], positions[b]) for a, b in pairs]
    except KeyError as missing:
        raise ValueError(f"{missing.args[0]!r} is not one of the grades {list(order)}") from None


def gwet_ac1(pairs: Iterable[Pair], order: Sequence[Grade]) -> float | None:
    """Gwet's AC1 for two raters over the categories in ``order`` (every disagreement counts the same).

    AC1 = (pa - pe) / (1 - pe), where pa is the share of pairs that agree and
    pe = sum_k pi_k (1 - pi_k) / (Q - 1), pi_k being the share of all grades given that fall in
    category k and Q the number of categories. None with fewer than two pairs (one pair says nothing about
    chance) or fewer than two categories.
    """
    places = _places(pairs, order)
    size = len(order)
    if len(places) < 2 or size < 2:
        return None
    n = len(places)
    agreed = sum(a == b for a, b in places) / n
    given = [0] * size
    for a, b in places:
        given[a] += 1
        given[b] += 1
    chance = sum((g / (2 * n)) * (1 - g / (2 * n)) for g in given) / (size - 1)
    return (agreed - chance) / (1 - chance)  # chance <= (Q - 1) / Q / (Q - 1) < 1


def ordinal_alpha_of_places(places: Sequence[tuple[int, int]], size: int) -> float | None:
    """Krippendorff's ordinal alpha of pairs given as places on a scale of ``size`` grades, in floats.

    Two values per unit, so each pair (c, k) adds 1 to o_ck and 1 to o_kc of the coincidence matrix;
    δ²(c, k) = (n_c + ... + n_k - (n_c + n_k) / 2)², alpha = 1 - (n - 1) Σ o δ² / Σ n_c n_k δ².
    None with fewer than two pairs (one pair says nothing about chance) or when every value given is the same.
    """
    return _alpha_of_counts(Counter(places), size) if len(places) >= 2 else None


def _alpha_of_counts(pairs: Mapping[tuple[int, int], int], size: int) -> float | None:
    """Ordinal alpha of pairs counted by kind: (first place, second place) → how many."""
    totals = [0] * size
    for (a, b), count in pairs.items():
        totals[a] += count
        totals[b] += count
    n = sum(totals)
    used = [c for c in range(size) if totals[c]]
    if n < 2 or len(used) < 2:
        return None
    cumulative = [0] * (size + 1)
    for i, t in enumerate(totals):
        cumulative[i + 1] = cumulative[i] + t
    # δ²(c, k) for c < k; the same for k < c, and 0 on the diagonal
    delta = {
        (c, k): (cumulative[k + 1] - cumulative[c] - (totals[c] + totals[k]) / 2) ** 2
        for i, c in enumerate(used)
        for k in used[i + 1 :]
    }
    seen = 2 * sum(count * delta[min(a, b), max(a, b)] for (a, b), count in pairs.items() if a != b)
    expected = 2 * sum(totals[c] * totals[k] * d for (c, k), d in delta.items())
    return 1 - (n - 1) * seen / expected


def ordinal_alpha(pairs: Iterable[Pair], order: Sequence[Grade]) -> float | None:
    """Krippendorff's ordinal alpha of two gradings per unit (see ``ordinal_alpha_of_places``)."""
    return ordinal_alpha_of_places(_places(pairs, order), len(order))


@dataclass(frozen=True)
class Interval:
    """A bootstrap confidence interval: ``low`` to ``high`` at ``confidence``, from ``resamples`` draws."""

    low: float
    high: float
    confidence: float = CONFIDENCE
    resamples: int = RESAMPLES
    seed: int = SEED

    def __str__(self) -> str:
        return f"{self.low:.3f} to {self.high:.3f}"


def _percentile(ordered: Sequence[float], share: float) -> float:
    """The value at ``share`` of a sorted list, interpolating between neighbours (numpy's "linear")."""
    position = share * (len(ordered) - 1)
    below = int(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


def bootstrap_alpha(
    units: Sequence[Sequence[Pair]],
    order: Sequence[Grade],
    resamples: int = RESAMPLES,
    seed: int = SEED,
    confidence: float = CONFIDENCE,
) -> Interval | None:
    """A percentile bootstrap interval for ordinal alpha over ``units`` (cases), each holding one pair of
    grades or more: ``resamples`` times, draw as many cases as there are with replacement
    (``rng.choices(range(len(units)), k=len(units))``), compute alpha of every pair the drawn cases hold, and
    take the central ``confidence`` share. Cases are drawn whole because the pairs of one case are not
    independent. A draw in which alpha is undefined (every grade the same) is left out. None with fewer than
    two cases or when no draw gives an alpha."""
    kinds = [Counter(_places(unit, order)) for unit in units]
    if len(kinds) < 2:
        return None
    rng = random.Random(seed)
    singles = [next(iter(k)) for k in kinds] if all(k.total() == 1 for k in kinds) else None
    values = []
    for _ in range(resamples):
        if singles is not None:  # one pair a case (a question's row): the same draws, counted in one go
            drawn = Counter(rng.choices(singles, k=len(singles)))
        else:
            drawn = Counter()
            for index, times in Counter(rng.choices(range(len(kinds)), k=len(kinds))).items():
                for kind, count in kinds[index].items():
                    drawn[kind] += count * times
        value = _alpha_of_counts(drawn, len(order))
        if value is not None:
            values.append(value)
    if not values:
        return None
    values.sort()
    tail = (1 - confidence) / 2
    return Interval(_percentile(values, tail), _percentile(values, 1 - tail), confidence, resamples, seed)


def alpha_words(value: float | None) -> str:
    """The threshold a value of alpha meets, in words."""
    if value is None:
        return "not measurable"
    shown = round(value, 3)  # judged as shown: "0.800" is never called tentative
    if shown >= RELIABLE:
        return "reliable"
    if shown >= TENTATIVE:
        return "tentative"
    return "not reliable"
