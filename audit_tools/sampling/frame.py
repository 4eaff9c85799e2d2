"""A case row of a list of cases, its age and age band.

Files of cases are read by ``frame_files.read_table`` and checked by ``frame_rows.candidate_cases``,
the one reader and one set of checks for both the sample frame and "Upload cases from a CSV or Excel file".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

UPLOAD_COLUMNS = ("reference", "age_years", "locality", "plan_type")
REFERENCE_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9/_-]{0,39}")
AGE_BANDS = ("0-2", "3-5", "6-10", "11-15", "16-17")


@dataclass(frozen=True)
class FrameRow:
    line: int
    reference: str
    age_years: Decimal
    age_band: str
    locality: str
    plan_type: str
    agencies: tuple[str, ...] = ()
    attributes: dict[str, Any] = field(default_factory=dict, compare=False)


def age_band(age: Decimal) -> str:
    """The age band used across the partnership's reports."""
    if age < 3:
        return "0-2"
    if age < 6:
        return "3-5"
    if age < 11:
        return "6-10"
    if age < 16:
        return "11-15"
    return "16-17"


def case_row(
    reference: str,
    age: Decimal,
    locality: str,
    plan_type: str,
    agencies: tuple[str, ...] = (),
    *,
    line: int = 0,
    band: str = "",
    attributes: dict[str, Any] | None = None,
) -> FrameRow:
    """A validated case row, its age band derived from the age unless given."""
    return FrameRow(line, reference, age, band or age_band(age), locality, plan_type, agencies, dict(attributes or {}))


AGE_PATTERN = re.compile(r"\d{1,2}(\.\d)?")


def parse_age(text: str) -> Decimal | None:
    """An age in years from 0 to under 18 written like 8 or 1.5 (never 1e1 or 1_0), or None."""
    text = text.strip()
    if not AGE_PATTERN.fullmatch(text):
        return None
    age = Decimal(text)
    return age if age < 18 else None
