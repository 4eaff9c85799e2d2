"""Three-way merge of a form that two people (or two tabs) saved at once.

``base`` is what the form held when it was opened (or last autosaved), as ``fingerprints``:
a short digest per field is all a merge needs to tell "changed" from "unchanged", and it keeps
the form small and free of a second copy of every text. ``theirs`` is what is saved now, ``mine``
is what was typed. A field only one side changed takes that side's value
without asking; a field both changed to different values is a *clash*, and only the person
saving may settle it. With no trustworthy base (``None``) every difference is a clash: not
knowing who changed a field must never let one side's save erase the other's.

Used for agency returns and for the panel's record alike. Values are strings or lists of
strings; ``None``, ``""`` and ``[]`` all mean "blank".
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

KEEP_MINE, KEEP_SAVED, COMBINE = "mine", "saved", "merged"
CHOICES = (KEEP_MINE, KEEP_SAVED, COMBINE)


def fingerprint(value: object) -> str:
    """A digest of a value as an answer: blanks alike, a multiple choice in any order alike."""
    value = value or None
    canonical = sorted(value) if isinstance(value, list) else value
    return hashlib.sha256(json.dumps(canonical, ensure_ascii=False).encode()).hexdigest()[:32]


BLANK = fingerprint(None)


def fingerprints(values: Mapping[str, Any]) -> dict[str, str]:
    """Key → fingerprint of every value that is not blank: the ``base`` a form carries."""
    return {key: fingerprint(value) for key, value in values.items() if value}


def same(a: object, b: object) -> bool:
    """Equal as answers: blanks are equal, and a multiple choice is a set (its order does not matter)."""
    a, b = a or None, b or None
    if isinstance(a, list) and isinstance(b, list):
        return sorted(a) == sorted(b)
    return a == b


@dataclass(frozen=True)
class Merge:
    """The outcome of a three-way merge, before the clashes are settled."""

    agreed: dict[str, Any]  # key → value for every key that is not a clash (blank values left out)
    clashes: tuple[str, ...]  # both sides changed these, differently: ask
    kept_mine: tuple[str, ...]  # only the person saving changed these
    kept_theirs: tuple[str, ...]  # only the other save changed these


def three_way(
    keys: Iterable[str], base: Mapping[str, str] | None, theirs: Mapping[str, Any], mine: Mapping[str, Any]
) -> Merge:
    """Merge ``mine`` into ``theirs`` over ``keys``, in their order. ``base`` holds the ``fingerprints``
    of the values the form started from; ``None`` means "unknown"."""
    agreed: dict[str, Any] = {}
    clashes: list[str] = []
    kept_mine: list[str] = []
    kept_theirs: list[str] = []
    for key in keys:
        ours, saved = mine.get(key), theirs.get(key)
        started = None if base is None else base.get(key, BLANK)
        if same(ours, saved):
            value = saved
        elif started is not None and fingerprint(ours) == started:
            value = saved
            kept_theirs.append(key)
        elif started is not None and fingerprint(saved) == started:
            value = ours
            kept_mine.append(key)
        else:
            clashes.append(key)
            continue
        if value:
            agreed[key] = value
    return Merge(agreed, tuple(clashes), tuple(kept_mine), tuple(kept_theirs))


def settle(
    merge: Merge,
    theirs: Mapping[str, Any],
    mine: Mapping[str, Any],
    choices: Mapping[str, str],
    combined: Mapping[str, str],
    combinable: Iterable[str] = (),
) -> tuple[dict[str, Any], list[str]]:
    """The values to save, and the clashes still unsettled (in order).

    Each clash needs an explicit choice: keep mine, keep the saved one, or (for a key in
    ``combinable``, free text) the ``combined`` text. A missing or unknown choice leaves the
    clash unsettled; nothing has a default. The combined text is returned as given: the caller
    validates the result exactly as any other save.
    """
    result = dict(merge.agreed)
    unsettled = []
    combinable = set(combinable)
    for key in merge.clashes:
        choice = choices.get(key)
        if choice == KEEP_MINE:
            value = mine.get(key)
        elif choice == KEEP_SAVED:
            value = theirs.get(key)
        elif choice == COMBINE and key in combinable and isinstance(combined.get(key), str):
            value = combined[key]
        else:
            unsettled.append(key)
            continue
        if value:
            result[key] = value
    return result, unsettled
