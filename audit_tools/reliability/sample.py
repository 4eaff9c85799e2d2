"""Drawing the moderation sample: a share of the submitted returns, reproducible from a recorded seed.

The returns are sorted by their key before drawing (so the order they were read in does not matter) and
every choice comes from ``random.Random(seed)``: the same returns, rate and seed give the same sample.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable

from audit_tools.errors import WorkbenchError

DEFAULT_RATE = 10  # per cent of submitted returns
DEFAULT_MINIMUM = 2


class ModerationError(WorkbenchError):
    """A moderation step cannot be done as asked; the message says why in plain English."""


class MissingGradesError(ModerationError):
    """A grading was submitted with questions left ungraded: ``keys`` are theirs, in the tool's order."""

    def __init__(self, message: str, keys: list[str]) -> None:
        super().__init__(message)
        self.keys = tuple(keys)


def moderation_size(available: int, rate_percent: int, minimum: int = DEFAULT_MINIMUM) -> int:
    """How many returns to moderate: ``rate_percent`` of ``available`` rounded up, at least ``minimum``,
    never more than there are."""
    if not 1 <= rate_percent <= 100:
        raise ModerationError("The moderation rate must be a whole number from 1 to 100 per cent.")
    if minimum < 1:
        raise ModerationError("At least one return must be moderated.")
    return min(available, max(minimum, math.ceil(available * rate_percent / 100)))


def draw_moderation_sample(
    returns: Iterable[int], rate_percent: int, seed: int, minimum: int = DEFAULT_MINIMUM
) -> tuple[int, ...]:
    """The returns (by key) to moderate, in key order."""
    pool = sorted(set(returns))
    if not pool:
        raise ModerationError("No return has been submitted yet, so there is nothing to moderate.")
    size = moderation_size(len(pool), rate_percent, minimum)
    return tuple(sorted(random.Random(seed).sample(pool, size)))
