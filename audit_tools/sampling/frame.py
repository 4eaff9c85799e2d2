"""Reading a list of cases (a sample frame) from a CSV file, refusing it whole if anything is wrong.

The frame carries pseudonymous references and attributes only. Columns that look
like direct identifiers are refused, and so are values that do (``frame_scan``): the
audit never needs a child's name, birth date, address or NHS number, so the
workbench never stores them.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from audit_tools.sampling.frame_scan import personal_details

REQUIRED_COLUMNS = ("reference", "age_years", "locality", "plan_type")
OPTIONAL_COLUMNS = ("age_band", "agencies")
IDENTIFYING_COLUMNS = re.compile(r"name|birth|dob|address|postcode|post_code|nhs|phone|email|e_mail", re.IGNORECASE)
REFERENCE_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9/_-]{0,39}")
AGE_BANDS = ("0-2", "3-5", "6-10", "11-15", "16-17")
MAX_ERRORS = 50


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


@dataclass
class FrameResult:
    rows: list[FrameRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)


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


def parse_frame(
    data: bytes,
    *,
    max_bytes: int,
    existing_references: Collection[str] = frozenset(),
    known_agencies: set[str] | None = None,
    require_agencies: bool = False,
) -> FrameResult:
    """Parse CSV bytes into frame rows, or explain every problem (by line) and return no rows.

    ``require_agencies``: every row must name its agencies (no default was chosen).
    """
    result = FrameResult()
    text = _decode(data, max_bytes, result.errors)
    if text is None:
        return result
    known = {k.lower() for k in known_agencies} if known_agencies is not None else None
    existing = {r.upper() for r in existing_references}
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if not _check_header(reader.fieldnames, result.errors):
        return result
    seen: dict[str, int] = {}
    for row in reader:
        if len(result.errors) >= MAX_ERRORS:
            result.errors.append("Stopped after 50 problems; correct these and upload the file again.")
            break
        line = reader.line_num
        parsed = _parse_row(row, line, result.errors, known)
        if parsed is None:
            continue
        result.errors += _clashes(parsed, seen, existing, require_agencies)
        result.rows.append(parsed)
    if not result.rows and not result.errors:
        result.errors.append("The file has a header row but no cases.")
    result.errors += personal_details(
        (
            r.line,
            {
                "reference": r.reference,
                "locality": r.locality,
                "plan_type": r.plan_type,
                "agencies": ";".join(r.agencies),
            },
        )
        for r in result.rows
    )
    if result.errors:
        result.rows.clear()
    return result


def _clashes(parsed: FrameRow, seen: dict[str, int], existing: set[str], require_agencies: bool) -> list[str]:
    """What is wrong with a well-formed row beside the others: a reference used twice, or no agencies."""
    line, problems = parsed.line, []
    key = parsed.reference.upper()
    if key in seen:
        problems.append(f"Line {line}: reference {parsed.reference} is already on line {seen[key]}.")
    elif key in existing:
        problems.append(f"Line {line}: reference {parsed.reference} is already in this audit.")
    seen.setdefault(key, line)
    if require_agencies and not parsed.agencies:
        problems.append(
            f"Line {line}: no agencies are named for {parsed.reference}. Fill in the agencies "
            "column, or tick the agencies to use when it is empty."
        )
    return problems


def _decode(data: bytes, max_bytes: int, errors: list[str]) -> str | None:
    if not data.strip():
        errors.append("The file is empty.")
        return None
    if len(data) > max_bytes:
        errors.append(
            f"The file is larger than {max_bytes / 1_048_576:g} MB, the largest accepted. "
            "A sample frame needs only one short row per case: check it is the right file."
        )
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        errors.append(
            f"Line {line}: the file is not UTF-8 text. Save it from your spreadsheet as "
            "'CSV UTF-8 (comma delimited)' and upload it again."
        )
        return None


def _check_header(fieldnames: Sequence[str] | None, errors: list[str]) -> bool:
    columns = [c.strip().lower() for c in (fieldnames or [])]
    identifying = [c for c in columns if IDENTIFYING_COLUMNS.search(c)]
    if identifying:
        errors.append(
            f"Line 1: the column(s) {', '.join(identifying)} look like personal details. "
            "Remove them: the audit uses pseudonymous references only, never names, birth "
            "dates, addresses or NHS numbers."
        )
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        errors.append(
            f"Line 1: missing column(s): {', '.join(missing)}. The header row must have "
            f"{', '.join(REQUIRED_COLUMNS)} (and may have {', '.join(OPTIONAL_COLUMNS)})."
        )
    unknown = [c for c in columns if c not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS and c not in identifying]
    if unknown:
        errors.append(
            f"Line 1: unknown column(s): {', '.join(unknown)}. Allowed columns are "
            f"{', '.join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)}."
        )
    if len(set(columns)) != len(columns):
        errors.append("Line 1: a column name appears more than once.")
    return not errors


def _parse_row(row: dict[str, Any], line: int, errors: list[str], known_agencies: set[str] | None) -> FrameRow | None:
    if None in row:
        errors.append(f"Line {line}: the row has more values than the header has columns.")
        return None
    values = {k.strip().lower(): (v or "").strip() for k, v in row.items()}
    reference, age, band = values["reference"], parse_age(values["age_years"]), values.get("age_band", "")
    agencies = _agencies(values.get("agencies", ""))
    problems = _cell_problems(values, age, agencies, known_agencies)
    if problems:
        errors.append(f"Line {line}: " + "; ".join(problems) + ".")
        return None
    assert age is not None  # a missing age is one of the problems above
    return case_row(reference, age, values["locality"], values["plan_type"], agencies, line=line, band=band)


def _cell_problems(
    values: dict[str, str], age: Decimal | None, agencies: tuple[str, ...], known_agencies: set[str] | None
) -> list[str]:
    problems = []
    if not REFERENCE_PATTERN.fullmatch(values["reference"]):
        problems.append("reference must be 1–40 letters, digits, '-', '_' or '/', starting with a letter or digit")
    if age is None:
        problems.append(
            f"age_years must be a number of years from 0 to 17, like 1.5 (got {values['age_years'][:20]!r})"
        )
    for column in ("locality", "plan_type"):
        if not values[column]:
            problems.append(f"{column} is empty")
        elif len(values[column]) > 80:
            problems.append(f"{column} is longer than 80 characters")
    band = values.get("age_band", "")
    if band and band not in AGE_BANDS:
        problems.append(f"age_band must be one of {', '.join(AGE_BANDS)}, or left empty")
    if known_agencies is not None:
        unknown = [a for a in agencies if a.lower() not in known_agencies]
        if unknown:
            problems.append(f"unknown agency short name(s): {', '.join(unknown)}")
    return problems


def _agencies(cell: str) -> tuple[str, ...]:
    """Short names separated by semicolons, each once whatever its case ("CSC;csc" is one agency)."""
    seen: dict[str, str] = {}
    for name in (a.strip() for a in cell.split(";")):
        if name:
            seen.setdefault(name.lower(), name)
    return tuple(seen.values())


AGE_PATTERN = re.compile(r"\d{1,2}(\.\d)?")


def parse_age(text: str) -> Decimal | None:
    """An age in years from 0 to under 18 written like 8 or 1.5 (never 1e1 or 1_0), or None."""
    text = text.strip()
    if not AGE_PATTERN.fullmatch(text):
        return None
    age = Decimal(text)
    return age if age < 18 else None
