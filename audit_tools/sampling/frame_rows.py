"""What a sample frame's columns mean: one candidate case per row, every check in one pass.

A frame names each case by a pseudonymous ``reference``, or by an agency's own
``case_number``, which is turned into a keyed pseudonym at once and never stored.
``age_years``, ``age_band`` and ``agencies`` have fixed meanings; every other
column is an attribute the sample can be stratified by (locality, plan type …).

Both ways cases come in (the sample frame and "Upload cases from a CSV or Excel file") read the
file with ``frame_files.read_table`` and check it here. Every check runs over every row
before anything is refused, duplicates and personal details included, so nothing new
appears on the second upload; problems of the same kind are reported once, with how many
rows have them, the first few lines and the values that would be accepted.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from audit_tools.errors import WorkbenchError
from audit_tools.files.collector import collector_paused
from audit_tools.privacy import pseudonymise
from audit_tools.sampling.frame import AGE_BANDS, REFERENCE_PATTERN, FrameRow, age_band, case_row, parse_age
from audit_tools.sampling.frame_scan import CLOSING, ScanMemo, detail_words, personal_detail_cells

FIXED_COLUMNS = ("reference", "case_number", "age_years", "age_band", "agencies")
MAX_ATTRIBUTE_LENGTH = 80
MAX_BAND_LENGTH = 20
SHOWN_LINES = 5
MAX_KINDS = 50
AGENCY_SEPARATORS = re.compile(r"[;,/]")


@dataclass(frozen=True)
class CandidateCase:
    line: int
    reference: str
    attributes: dict[str, str]  # every column but reference/case_number, agencies as "CSC;EH", age_band filled in
    own_number: str = field(default="", repr=False)  # the agency's case number, when the frame gave one


class FrameError(WorkbenchError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class FrameChecks:
    """What the rows are checked against besides each other.

    ``known_agencies``: accepted agency short names (None: not checked). ``age_bands``: accepted
    bands (None: any band the file gives). ``band_of``: the band for an age in years.
    """

    pseudonym_key: bytes | None = None
    known_agencies: Collection[str] | None = None
    existing_references: Collection[str] = frozenset()
    require_agencies: bool = False
    required_columns: tuple[str, ...] = ()
    age_bands: tuple[str, ...] | None = AGE_BANDS
    band_of: Callable[[Decimal], str] = field(default=age_band, compare=False)
    row_word: str = "Line"
    scan_memo: ScanMemo | None = field(default=None, compare=False)  # the upload's values already scanned


class ProblemSummary:
    """Problems of the same kind said once, with their count and first few lines."""

    def __init__(self, row_word: str = "Line") -> None:
        self.row_word = row_word
        self.kinds: dict[str, list[int]] = {}

    def add(self, line: int, message: str) -> None:
        if message in self.kinds or len(self.kinds) < MAX_KINDS:
            self.kinds.setdefault(message, []).append(line)

    def __bool__(self) -> bool:
        return bool(self.kinds)

    def messages(self) -> list[str]:
        said = [self._say(message, lines) for message, lines in self.kinds.items()]
        if len(self.kinds) >= MAX_KINDS:
            said.append(f"Stopped after {MAX_KINDS} kinds of problem; correct these and upload the file again.")
        return said

    def _say(self, message: str, lines: list[int]) -> str:
        if len(lines) == 1:
            return f"{self.row_word} {lines[0]}: {message}."
        shown = ", ".join(str(n) for n in lines[:SHOWN_LINES])
        more = f" and {len(lines) - SHOWN_LINES:,} more" if len(lines) > SHOWN_LINES else ""
        return f"{self.row_word}s {shown}{more} ({len(lines):,} rows): {message}."


@collector_paused()
def candidate_cases(
    columns: tuple[str, ...], rows: Iterable[tuple[int, dict[str, str]]], checks: FrameChecks | None = None
) -> list[CandidateCase]:
    """Check every row and return the candidates; raises FrameError summarising every problem."""
    checks = checks or FrameChecks()
    problems = ProblemSummary(checks.row_word)
    for message in _column_problems(columns, checks):
        problems.add(1, message)
    if problems:
        raise FrameError(problems.messages())
    known = {a.lower(): a for a in checks.known_agencies} if checks.known_agencies is not None else None
    agencies = _agency_reader(known, checks.require_agencies)
    existing = {r.upper() for r in checks.existing_references}
    cases: list[CandidateCase] = []
    seen: set[str] = set()
    scanned: list[tuple[int, dict[str, str]]] = []
    for line, values in rows:
        case = _candidate(line, values, checks, agencies, problems)
        key = case.reference.upper()
        if key and key in seen:
            problems.add(line, "the reference is already on an earlier line; each child is listed once")
        elif key and key in existing:
            problems.add(line, "the reference is already in this audit")
        seen.add(key)
        scanned.append((line, {"reference": case.reference, **case.attributes}))
        cases.append(case)
    for line, column, kinds in personal_detail_cells(scanned, checks.scan_memo):
        problems.add(line, f"column '{column}' looks like it holds {detail_words(kinds)}")
    if problems:
        raise FrameError(
            problems.messages() + ([CLOSING] if any("looks like it holds" in k for k in problems.kinds) else [])
        )
    if not cases:
        raise FrameError(["The file has a header row but no cases."])
    return cases


def frame_row_of(case: CandidateCase) -> FrameRow:
    """A checked candidate as a case row ("Upload cases" needs age, locality and plan type)."""
    attributes = dict(case.attributes)
    age = Decimal(attributes.pop("age_years"))
    agencies = tuple(a for a in attributes.pop("agencies", "").split(";") if a)
    locality, plan_type = attributes.pop("locality"), attributes.pop("plan_type")
    band = attributes.pop("age_band", "")
    return case_row(
        case.reference, age, locality, plan_type, agencies, line=case.line, band=band, attributes=attributes
    )


def split_agencies(cell: str) -> list[str]:
    """The agency names in a cell, separated by ``;``, ``,`` or ``/``, each once whatever its case."""
    return list(_split_agencies(cell))


@lru_cache(maxsize=4_096)  # a frame's agency cells repeat
def _split_agencies(cell: str) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for name in (a.strip() for a in AGENCY_SEPARATORS.split(cell)):
        if name:
            seen.setdefault(name.lower(), name)
    return tuple(seen.values())


def _column_problems(columns: tuple[str, ...], checks: FrameChecks) -> list[str]:
    problems = []
    if "reference" in columns and "case_number" in columns:
        problems.append("use either a reference column or a case_number column, not both")
    elif "reference" not in columns and "case_number" not in columns:
        problems.append(
            "the file needs a reference column (pseudonymous references) or a case_number column "
            "(your agency's case numbers, which the workbench replaces with pseudonyms)"
        )
    elif "case_number" in columns and checks.pseudonym_key is None:
        problems.append(
            "case numbers cannot be accepted because no pseudonym key is set up "
            "(AUDIT_PSEUDONYM_KEY). Use a reference column instead, or ask your administrator"
        )
    missing = [c for c in checks.required_columns if c not in columns and c != "reference"]
    if missing:
        problems.append(
            f"missing column(s): {', '.join(missing)}. The header row must have {', '.join(checks.required_columns)}"
        )
    return problems


def _candidate(
    line: int, values: dict[str, str], checks: FrameChecks, agencies: AgencyReader, problems: ProblemSummary
) -> CandidateCase:
    reference = _reference(line, values, checks.pseudonym_key, problems)
    attributes = {k: v for k, v in values.items() if k not in ("reference", "case_number")}
    for column in checks.required_columns:
        if column in attributes and not attributes[column]:
            problems.add(line, f"{column} is empty")
    for problem in _age_problems(attributes, checks):
        problems.add(line, problem)
    if "agencies" in attributes or checks.require_agencies:
        attributes["agencies"], found = agencies(attributes.get("agencies", ""))
        for problem in found:
            problems.add(line, problem)
    for name, value in attributes.items():
        if name != "agencies" and len(value) > MAX_ATTRIBUTE_LENGTH:
            problems.add(line, f"{name} is longer than {MAX_ATTRIBUTE_LENGTH} characters")
    return CandidateCase(line, reference, attributes, values.get("case_number", "").strip())


def _age_problems(attributes: dict[str, str], checks: FrameChecks) -> list[str]:
    """Check the age and band, writing the age as read and the band derived from it (when none is given)."""
    problems = []
    if attributes.get("age_years"):
        age = parse_age(attributes["age_years"])
        if age is None:
            problems.append("age_years must be a number of years from 0 to 17, like 1.5")
        else:
            attributes["age_years"] = str(age)
            attributes["age_band"] = attributes.get("age_band") or checks.band_of(age)
    band = attributes.get("age_band", "")
    if band and checks.age_bands is not None and band not in checks.age_bands:
        problems.append(f"age_band must be one of {', '.join(checks.age_bands)}, or left empty")
    elif len(band) > MAX_BAND_LENGTH:
        problems.append(f"age_band is longer than {MAX_BAND_LENGTH} characters")
    return problems


NO_AGENCIES = "no agencies are named. Fill in the agencies column, or tick the agencies to use when it is empty"
AgencyReader = Callable[[str], tuple[str, tuple[str, ...]]]


def _agency_reader(known: dict[str, str] | None, require: bool) -> AgencyReader:
    """Reads an agencies cell into short names and its problems, once for each different cell."""
    accepted = ", ".join(sorted(known.values())) if known is not None else ""
    read: dict[str, tuple[str, tuple[str, ...]]] = {}

    def reader(cell: str) -> tuple[str, tuple[str, ...]]:
        if cell not in read:
            names = split_agencies(cell)
            problems = [NO_AGENCIES] if require and not names else []
            if known is not None:
                problems += [
                    f"unknown agency {n!r}; the agencies are {accepted}" for n in names if n.lower() not in known
                ]
                names = [known.get(n.lower(), n) for n in names]
            read[cell] = (";".join(names), tuple(problems))
        return read[cell]

    return reader


def _reference(line: int, values: dict[str, str], key: bytes | None, problems: ProblemSummary) -> str:
    if "case_number" in values:
        number = values["case_number"].strip()
        if not number or key is None:
            problems.add(line, "case_number is empty")
            return ""
        # 12 hex digits (48 bits): unlike a 6-character screen code, no clash is expected even in a
        # 50,000-row frame, so one child never takes another's place.
        return "P-" + pseudonymise(number, key)[:12].upper()
    reference = values.get("reference", "").strip()
    if not REFERENCE_PATTERN.fullmatch(reference):
        problems.add(line, "reference must be 1–40 letters, digits, '-', '_' or '/', starting with a letter or digit")
    return reference
