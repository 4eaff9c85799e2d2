"""Files in and out, whatever their purpose: bounded JSON, measured XLSX before parsing, a streaming sheet
reader, a streaming one-sheet workbook writer, and the one guard on spreadsheet cells."""

from __future__ import annotations

from audit_tools.files.cells import first_visible, from_first_visible, runs_as_formula, spreadsheet_safe
from audit_tools.files.xlsx_stream import workbook_chunks

__all__ = [
    "first_visible",
    "from_first_visible",
    "runs_as_formula",
    "spreadsheet_safe",
    "workbook_chunks",
]
