"""Personal details in the cells of a sample frame: found by the disclosure check's own detectors.

A frame's column names are checked when it is read (``frame_files``, ``sample_frame``), but a
column called "notes" or "locality" can still hold "Jayden Smith, born 12/03/2019, SW1A 1AA".
``personal_details`` looks at every value with the detectors of ``disclosure.check_text`` and
says where each one is, by line (or spreadsheet row) and column.

The messages name the kind of detail, never the detail itself: they are shown on the
coordinator's screen and printed by the command line, and neither needs the value to find the
cell. A given name alone is not reported in a cell, only a name with a surname, a title,
initials or a family word: a locality such as "Beverley" or "Victoria" is a place.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Mapping
from itertools import chain

from audit_tools.privacy import check_text

MAX_SHOWN = 20
# Each value's kinds of detail (empty: none), kept while one upload is checked: the same values are
# looked at when staged, when checked and when stored, and only the first look needs the detectors.
ScanMemo = dict[str, tuple[str, ...]]
# Values are checked many at a time, one text per batch. A NUL line between two values keeps
# every pattern inside its own value: none of them crosses a NUL, and a value starts a line.
_BETWEEN = "\n\x00\n"
_BATCH = 2_000
_MIXED_CASE = re.compile(r"[^\W\d_]*[A-Z\u00c0-\u024f][a-z\u00df-\u024f]")

CELL_WORDS = {
    "case_reference": "a case reference",
    "name": "a person's name",
    "date_of_birth": "a full date (it could be a date of birth)",
    "postcode": "a UK postcode",
    "nhs_number": "an NHS number",
    "phone": "a UK phone number",
    "email": "an e-mail address",
}
CLOSING = (
    "The audit needs pseudonymous references and attributes such as locality and plan type only: "
    "remove names, dates, addresses, postcodes, NHS numbers, phone numbers and e-mail addresses "
    "from the file and upload it again."
)


def personal_details(
    rows: Iterable[tuple[int, Mapping[str, str]]],
    *,
    row_word: str = "Line",
    shown: int = MAX_SHOWN,
    memo: ScanMemo | None = None,
) -> list[str]:
    """One message per cell that looks like it holds personal details (at most ``shown``, then a count).

    ``rows`` are (line or row number, {column: value}); an empty list means nothing was found.
    """
    found = personal_detail_cells(rows, memo)
    problems = [
        f"{row_word} {line}, column '{column}': looks like {_words(found_kinds)}."
        for line, column, found_kinds in found[:shown]
    ]
    if len(found) > shown:
        rest = len(found) - shown
        problems.append(f"… and {rest:,} more cell{'s' if rest != 1 else ''} like these.")
    if problems:
        problems.append(CLOSING)
    return problems


def personal_detail_cells(
    rows: Iterable[tuple[int, Mapping[str, str]]], memo: ScanMemo | None = None
) -> list[tuple[int, str, tuple[str, ...]]]:
    """(line, column, kinds of detail) for each cell that looks like it holds personal details.

    ``memo``: values already looked at in this upload (see ``ScanMemo``); it is added to.
    """
    rows = list(rows)
    # Each different value is checked once (a frame repeats its localities, plan types and bands), in
    # order of first appearance; the cells are gone through again only if something was found.
    distinct = dict.fromkeys(chain.from_iterable(values.values() for _, values in rows))
    distinct.pop("", None)
    memo = {} if memo is None else memo
    new = [value for value in distinct if value not in memo]
    found = _kinds_by_value(new)
    memo.update(dict.fromkeys(new, ()))
    memo.update(found)
    kinds = {value: memo[value] for value in distinct if memo[value]}
    if not kinds:
        return []
    return [(line, column, kinds[value]) for line, values in rows for column, value in values.items() if value in kinds]


def detail_words(kinds: tuple[str, ...]) -> str:
    """The kinds of detail in words: "a person's name and a UK postcode"."""
    return _words(kinds)


def personal_detail_in(value: str) -> str:
    """What kind of personal detail one value looks like it holds ("a UK postcode"), or "" for none."""
    kinds = _kinds_by_value([value]).get(value) if value else None
    return _words(kinds) if kinds else ""


def _words(kinds: tuple[str, ...]) -> str:
    words = [CELL_WORDS[kind] for kind in kinds]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _kinds_by_value(values: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """The kinds of identifier found in each value that holds one, in the order of ``CELL_WORDS``."""
    found: dict[str, tuple[str, ...]] = {}
    mixed: list[str] = []
    plain: list[str] = []
    for value in values:
        (mixed if _MIXED_CASE.search(value) else plain).append(value)
    # A name needs a capital followed by small letters: values without one skip the name search.
    for group, names in ((mixed, True), (plain, False)):
        for start in range(0, len(group), _BATCH):
            found.update(_check_batch(group[start : start + _BATCH], names))
    return found


def _check_batch(values: list[str], find_names: bool) -> dict[str, tuple[str, ...]]:
    text = _BETWEEN.join(value.replace("\x00", " ") for value in values)
    starts, offset = [], 0
    for value in values:
        starts.append(offset)
        offset += len(value) + len(_BETWEEN)
    kinds: dict[str, set[str]] = {}
    for hit in check_text(text, find_unknown_names=find_names, lone_given_names=False):
        value = values[bisect.bisect_right(starts, hit.start) - 1]
        kinds.setdefault(value, set()).add(hit.kind)
    return {value: tuple(k for k in CELL_WORDS if k in found) for value, found in kinds.items()}
