"""Cells bound for a spreadsheet: the one guard against formula injection, for every CSV and XLSX
the workbench writes (answers, sample frames, codebooks) and every cell an import reads back."""

from __future__ import annotations

import unicodedata

# Characters a spreadsheet reads as the start of a formula, the full-width forms included.
_FORMULA_START = frozenset("=+-@\t\r＝＋－＠")


def from_first_visible(text: str) -> str:
    """The text from its first character that is neither whitespace nor an invisible format character (a
    byte-order mark, a zero-width space, a direction mark: Unicode's category Cf). Python's ``strip`` keeps
    format characters, and a spreadsheet may skip them or have them pasted in front of a formula."""
    for index, character in enumerate(text):
        if not character.isspace() and unicodedata.category(character) != "Cf":
            return text[index:]
    return ""


def first_visible(text: str) -> str:
    """The text's first visible character (see ``from_first_visible``), or "" when there is none."""
    return from_first_visible(text)[:1]


def runs_as_formula(text: str) -> bool:
    """True when a spreadsheet could run the text as a formula (CSV or formula injection)."""
    return text[:1] in _FORMULA_START or first_visible(text) in _FORMULA_START


def spreadsheet_safe(text: str) -> str:
    """The text, with an apostrophe in front when a spreadsheet would otherwise run it as a formula."""
    return "'" + text if text and runs_as_formula(text) else text
