"""Coding reliability: how far a second coder, coding a reproducible sample of excerpts blind, agrees with
the first about which themes each excerpt carries.

Agreement is measured only on the excerpts either coder coded with some theme: text both coders left
uncoded is set aside, or a long audit of mostly uncoded text would look reliable whatever the coders did.
For each theme every such excerpt is a pair of yes/no answers ("does it carry the theme?"), so each theme
gets exact agreement, Cohen's kappa, Gwet's AC1 and alpha (with two values, ordinal alpha is nominal
alpha); the overall row pools every theme's pairs.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from audit_tools.analysis.agreement import Agreement, exact_agreement, weighted_kappa
from audit_tools.reliability.sample import moderation_size
from audit_tools.reliability.statistics import gwet_ac1, ordinal_alpha

CODED, NOT_CODED = "coded", "not coded"
PRESENCE = (CODED, NOT_CODED)


@dataclass(frozen=True)
class ThemeAgreement:
    theme: str
    units: int  # excerpts either coder coded
    exact: Agreement
    kappa: float | None
    ac1: float | None
    alpha: float | None


def _presence(theme: str, units: Sequence[str], coding: Mapping[str, frozenset[str]]) -> list[str]:
    return [CODED if theme in coding.get(unit, frozenset()) else NOT_CODED for unit in units]


def _figures(theme: str, pairs: list[tuple[str, str]], units: int) -> ThemeAgreement:
    return ThemeAgreement(
        theme,
        units,
        exact_agreement(pairs),
        weighted_kappa(pairs, PRESENCE, "unweighted"),
        gwet_ac1(pairs, PRESENCE),
        ordinal_alpha(pairs, PRESENCE),
    )


def coding_agreement(
    first: Mapping[str, Iterable[str]], second: Mapping[str, Iterable[str]], themes: Sequence[str]
) -> tuple[tuple[ThemeAgreement, ...], ThemeAgreement]:
    """Per theme and overall, over the excerpts (unit key → themes) either coder coded with some theme."""
    one = {unit: frozenset(t) for unit, t in first.items()}
    other = {unit: frozenset(t) for unit, t in second.items()}
    units = sorted(unit for unit in one.keys() | other.keys() if one.get(unit) or other.get(unit))
    rows, pooled = [], []
    for theme in themes:
        pairs = list(zip(_presence(theme, units, one), _presence(theme, units, other), strict=True))
        rows.append(_figures(theme, pairs, len(units)))
        pooled += pairs
    return tuple(rows), _figures("All themes", pooled, len(units))


def draw_excerpt_sample(keys: Iterable[str], rate_percent: int, seed: int, minimum: int = 2) -> tuple[str, ...]:
    """The excerpts (by key) the second coder codes: ``rate_percent`` of them rounded up, at least ``minimum``,
    drawn from the sorted keys with ``random.Random(seed)``; the same keys, rate and seed give the same sample."""
    pool = sorted(set(keys))
    if not pool:
        return ()
    return tuple(sorted(random.Random(seed).sample(pool, moderation_size(len(pool), rate_percent, minimum))))
