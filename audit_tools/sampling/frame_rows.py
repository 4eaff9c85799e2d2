"""What a sample frame's columns mean: one candidate case per row, checked, or every problem by line.

A frame names each case by a pseudonymous ``reference``, or by an agency's own
``case_number``, which is turned into a keyed pseudonym at once and never stored.
``age_years``, ``age_band`` and ``agencies`` have fixed meanings; every other
column is an attribute the sample can be stratified by (locality, plan type …).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from audit_tools.errors import WorkbenchError
from audit_tools.privacy import pseudonymise
from audit_tools.sampling.frame import AGE_BANDS, MAX_ERRORS, REFERENCE_PATTERN, age_band, parse_age

FIXED_COLUMNS = ("reference", "case_number", "age_years", "age_band", "agencies")
MAX_ATTRIBUTE_LENGTH = 80


@dataclass(frozen=True)
class CandidateCase:
    line: int
    reference: str
    attributes: dict[str, str]  # every column but reference/case_number, agencies as "CSC;EH", age_band filled in


class FrameError(WorkbenchError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def candidate_cases(
    columns: tuple[str, ...],
    rows: Iterable[tuple[int, dict[str, str]]],
    *,
    pseudonym_key: bytes | None = None,
    known_agencies: set[str] | None = None,
) -> list[CandidateCase]:
    """Check every row and return the candidates; raises FrameError listing each problem by line."""
    problems = _column_problems(columns, pseudonym_key)
    if problems:
        raise FrameError(problems)
    known = {a.lower() for a in known_agencies} if known_agencies is not None else None
    cases: list[CandidateCase] = []
    seen: dict[str, int] = {}
    for line, values in rows:
        if len(problems) >= MAX_ERRORS:
            problems.append("Stopped after 50 problems; correct these and upload the file again.")
            break
        case = _candidate(line, values, pseudonym_key, known, problems)
        if case is None:
            continue
        first = seen.setdefault(case.reference.upper(), line)
        if first != line:
            problems.append(f"Line {line}: {case.reference} is already on line {first}.")
        cases.append(case)
    if problems:
        raise FrameError(problems)
    return cases


def _column_problems(columns: tuple[str, ...], key: bytes | None) -> list[str]:
    if "reference" in columns and "case_number" in columns:
        return ["Line 1: use either a reference column or a case_number column, not both."]
    if "reference" not in columns and "case_number" not in columns:
        return [
            "Line 1: the file needs a reference column (pseudonymous references) or a case_number column "
            "(your agency's case numbers, which the workbench replaces with pseudonyms)."
        ]
    if "case_number" in columns and key is None:
        return [
            "Line 1: case numbers cannot be accepted because no pseudonym key is set up "
            "(AUDIT_PSEUDONYM_KEY). Use a reference column instead, or ask your administrator."
        ]
    return []


def _candidate(
    line: int, values: dict[str, str], key: bytes | None, known: set[str] | None, problems: list[str]
) -> CandidateCase | None:
    found: list[str] = []
    reference = _reference(values, key, found)
    attributes = {k: v for k, v in values.items() if k not in ("reference", "case_number")}
    if attributes.get("age_years"):
        age = parse_age(attributes["age_years"])
        if age is None:
            found.append("age_years must be a number of years from 0 to 17, like 1.5")
        else:
            attributes["age_years"] = str(age)
            attributes["age_band"] = attributes.get("age_band") or age_band(age)
    if attributes.get("age_band") and attributes["age_band"] not in AGE_BANDS:
        found.append(f"age_band must be one of {', '.join(AGE_BANDS)}")
    found += _agency_problems(attributes.get("agencies", ""), known)
    found += [
        f"{name} is longer than {MAX_ATTRIBUTE_LENGTH} characters"
        for name, value in attributes.items()
        if name != "agencies" and len(value) > MAX_ATTRIBUTE_LENGTH
    ]
    if found:
        problems.append(f"Line {line}: " + "; ".join(found) + ".")
        return None
    return CandidateCase(line, reference, attributes)


def _reference(values: dict[str, str], key: bytes | None, found: list[str]) -> str:
    if "case_number" in values:
        number = values["case_number"].strip()
        if not number:
            found.append("case_number is empty")
            return ""
        # 12 hex digits (48 bits): unlike a 6-character screen code, no clash is expected even in a
        # 50,000-row frame, so one child never takes another's place.
        return "P-" + pseudonymise(number, key)[:12].upper()
    reference = values.get("reference", "").strip()
    if not REFERENCE_PATTERN.fullmatch(reference):
        found.append("reference must be 1–40 letters, digits, '-', '_' or '/', starting with a letter or digit")
    return reference


def _agency_problems(cell: str, known: set[str] | None) -> list[str]:
    names = [a.strip() for a in cell.split(";") if a.strip()]
    if known is None:
        return []
    unknown = [a for a in names if a.lower() not in known]
    return [f"unknown agency short name(s): {', '.join(unknown)}"] if unknown else []
