"""Cells bound for a spreadsheet: the one guard against formula injection, for every CSV and XLSX
the workbench writes (answers, sample frames, codebooks) and every cell an import reads back."""

from __future__ import annotations

# Characters a spreadsheet reads as the start of a formula, the full-width forms included.
_FORMULA_START = frozenset("=+-@\t\r＝＋－＠")


def runs_as_formula(text: str) -> bool:
    """True when a spreadsheet could run the text as a formula (CSV or formula injection)."""
    return text[:1] in _FORMULA_START or text.lstrip()[:1] in _FORMULA_START


def spreadsheet_safe(text: str) -> str:
    """The text, with an apostrophe in front when a spreadsheet would otherwise run it as a formula."""
    return "'" + text if text and runs_as_formula(text) else text
