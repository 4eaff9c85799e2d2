"""Cells bound for a spreadsheet: the one guard against formula injection, for every CSV and XLSX
the workbench writes (answers, sample frames, codebooks) and every cell an import reads back."""

from __future__ import annotations

import unicodedata

# Characters a spreadsheet reads as the start of a formula, the full-width forms included.
_FORMULA_START = frozenset("=+-@\t\r＝＋－＠")


# Characters that show nothing and are not whitespace to Python: Unicode's Default_Ignorable_Code_Point ranges
# (DerivedCoreProperties.txt, outside category Cf: the combining grapheme joiner, Hangul fillers, variation
# selectors, the reserved tags block) and the blank Braille pattern. A spreadsheet may skip them, or show a
# cell that starts with one as if it started with what follows.
_INVISIBLE_RANGES = (
    (0x034F, 0x034F),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x2800, 0x2800),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)


def _shows_nothing(character: str) -> bool:
    if character.isspace() or unicodedata.category(character) == "Cf":
        return True
    code = ord(character)
    return any(low <= code <= high for low, high in _INVISIBLE_RANGES)


def from_first_visible(text: str) -> str:
    """The text from its first character that shows something: not whitespace, not a format character (a
    byte-order mark, a zero-width space, a direction mark: Unicode's category Cf) and not another character
    that shows nothing (``_INVISIBLE_RANGES``). Python's ``strip`` keeps all of these, and a spreadsheet may
    skip them or have them pasted in front of a formula."""
    for index, character in enumerate(text):
        if not _shows_nothing(character):
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
