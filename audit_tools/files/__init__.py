"""Files in and out, whatever their purpose: bounded JSON, measured XLSX before parsing, a streaming sheet reader,
and the one guard on spreadsheet cells."""

from __future__ import annotations

from audit_tools.files.cells import runs_as_formula, spreadsheet_safe

__all__ = [
    "runs_as_formula",
    "spreadsheet_safe",
]
