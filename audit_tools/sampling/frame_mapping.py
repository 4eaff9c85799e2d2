"""The mapping step between a frame's upload and its import: what each column of a real export is.

A frame exported from a case-management system has its own column names and often columns
that identify a child. ``stage_table`` turns the table read from the upload into a
``StagedTable`` before anything is kept: columns that identify a person (by their name or by
their values) are left out there and then, a date of birth is turned into an age in years and
the date dropped, and a single cell that looks like personal details in another column is
blanked and remembered only as (line, column, kind) so the import can refuse it by line and
column. What is staged can therefore be kept between the upload and the coordinator's choices.

``mapped_table`` then applies the coordinator's ``FrameMapping`` (a role for each column and a
choice for each agency name the partnership's list does not know) and gives the workbench's own
columns, which ``frame_rows.candidate_cases`` checks like any other frame.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_FLOOR, Decimal
from enum import StrEnum
from functools import lru_cache

from audit_tools.files.collector import collector_paused
from audit_tools.sampling.frame_files import IDENTIFYING_COLUMNS, Table
from audit_tools.sampling.frame_rows import ProblemSummary, split_agencies
from audit_tools.sampling.frame_scan import CELL_WORDS, CLOSING, ScanMemo, detail_words, personal_detail_cells

EXAMPLES = 3
NOT_AN_AGENCY = ""
BIRTH_COLUMN = re.compile(r"birth|d[\W_]?o[\W_]?b", re.IGNORECASE)
UNREADABLE_DATE = "not a date"
# A column whose values look like personal details in this share of its filled cells is left out whole.
IDENTIFYING_SHARE = 0.3
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?")
_UK_DATE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})")


# The partnership's age bands: (upper age in whole years, exclusive; label), youngest first.
DEFAULT_BANDS = ((3, "0-2"), (6, "3-5"), (11, "6-10"), (16, "11-15"), (18, "16-17"))


def band_function(bands: tuple[tuple[int, str], ...]) -> Callable[[Decimal], str]:
    """The age band of an age in years, from the partnership's bands (the oldest band past its end)."""

    def band_of(age: Decimal) -> str:
        return next((label for upper, label in bands if age < upper), bands[-1][1])

    return band_of


def parse_bands(text: str) -> tuple[tuple[int, str], ...]:
    """Bands written one a line as "label, upper age" (the upper age in whole years, not in the band),
    youngest first; raises ValueError saying what is wrong."""
    bands: list[tuple[int, str]] = []
    for number, line in enumerate((t.strip() for t in text.splitlines() if t.strip()), start=1):
        label, _, upper = line.rpartition(",")
        label = label.strip()
        if not label or not upper.strip().isdigit():
            raise ValueError(f"Line {number}: write the band's label, a comma and the age it ends before, like 0-2, 3.")
        if len(label) > 20:
            raise ValueError(f"Line {number}: a band's label must be 20 characters or fewer.")
        if bands and int(upper) <= bands[-1][0]:
            raise ValueError(f"Line {number}: list the bands youngest first, each ending at an older age.")
        bands.append((int(upper), label))
    if not bands or bands[-1][0] < 18:
        raise ValueError("The last band must end at 18 or later, so every child has a band.")
    return tuple(bands)


class ColumnRole(StrEnum):
    REFERENCE = "reference"
    CASE_NUMBER = "case_number"
    AGE_YEARS = "age_years"
    AGE_BAND = "age_band"
    DATE_OF_BIRTH = "date_of_birth"
    LOCALITY = "locality"
    PLAN_TYPE = "plan_type"
    AGENCIES = "agencies"
    KEEP = "keep"
    LEAVE_OUT = "leave_out"


ROLE_LABELS = {
    ColumnRole.REFERENCE: "Case reference (pseudonymous)",
    ColumnRole.CASE_NUMBER: "Agency's own case number (replaced by a pseudonym)",
    ColumnRole.AGE_YEARS: "Age in years",
    ColumnRole.AGE_BAND: "Age band",
    ColumnRole.DATE_OF_BIRTH: "Date of birth: turn into age and age band, then discard",
    ColumnRole.LOCALITY: "Locality",
    ColumnRole.PLAN_TYPE: "Plan type",
    ColumnRole.AGENCIES: "Involved agencies",
    ColumnRole.KEEP: "Another attribute to keep",
    ColumnRole.LEAVE_OUT: "Leave out",
}
ONE_EACH = frozenset(ROLE_LABELS) - {ColumnRole.KEEP, ColumnRole.LEAVE_OUT}
_SUGGESTIONS = (
    (re.compile(r"band|group|range|bracket"), ColumnRole.AGE_BAND),
    (re.compile(r"(?<![a-z])age(?![a-z])"), ColumnRole.AGE_YEARS),
    (re.compile(r"agenc|involved|services|professionals|partners"), ColumnRole.AGENCIES),
    (re.compile(r"locality|area|district|ward|team|patch|hub"), ColumnRole.LOCALITY),
    (re.compile(r"plan|category|categor|status"), ColumnRole.PLAN_TYPE),
    (re.compile(r"ref|(?<![a-z])id(?![a-z])|case_?(no|num)|number|identifier"), ColumnRole.REFERENCE),
)


@dataclass(frozen=True)
class LeftOut:
    column: str
    reason: str


@dataclass(frozen=True)
class StagedTable:
    """An upload without anything that identifies a person: safe to keep until the mapping is chosen.

    ``birth_columns`` hold ages in years worked out from dates of birth (the dates are gone);
    ``findings`` are (line, column, kinds) of single cells that looked like personal details (blanked).
    """

    columns: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]
    left_out: tuple[LeftOut, ...] = ()
    birth_columns: tuple[str, ...] = ()
    findings: tuple[tuple[int, str, str], ...] = ()
    row_word: str = "Line"

    def examples(self, column: str) -> list[str]:
        """The first few different values of a column."""
        index, found = self.columns.index(column), dict[str, None]()
        for _, values in self.rows:
            if values[index]:
                found.setdefault(values[index])
                if len(found) == EXAMPLES:
                    break
        return list(found)

    def values(self, column: str) -> Iterable[str]:
        index = self.columns.index(column)
        return (values[index] for _, values in self.rows)


@dataclass(frozen=True)
class FrameMapping:
    """What each column is, and what each agency name the partnership does not know stands for.

    ``agencies`` maps an agency name as the file writes it (normalised) to a short name, or to
    ``NOT_AN_AGENCY``.
    """

    roles: dict[str, ColumnRole]
    agencies: dict[str, str] = field(default_factory=dict)

    def column_for(self, role: ColumnRole) -> str | None:
        return next((c for c, r in self.roles.items() if r == role), None)


@lru_cache(maxsize=4_096)
def normalise_agency(name: str) -> str:
    """An agency name compared loosely: case, apostrophes, punctuation and a trailing "service" ignored."""
    text = re.sub(r"[^a-z0-9 ]+", "", name.lower().replace("’", "'").replace("'", ""))
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(r" (service|services|team)$", "", text)


def agency_lookup(agencies: Iterable[tuple[str, Iterable[str]]]) -> dict[str, str]:
    """Normalised name → short name, from (short name, [its full name and aliases]) pairs."""
    lookup: dict[str, str] = {}
    for short, names in agencies:
        for name in (short, *names):
            lookup.setdefault(normalise_agency(name), short)
    return lookup


def match_agency(name: str, lookup: Mapping[str, str]) -> str | None:
    """The short name an agency name stands for: a name, short name or alias, or the start of exactly
    one agency's full name in whole words ("Early Help" for "Early Help and Family Support Service")."""
    key = normalise_agency(name)
    if key in lookup:
        return lookup[key]
    starting = {short for known, short in lookup.items() if known.startswith(key + " ")}
    return starting.pop() if len(starting) == 1 else None


@collector_paused()
def stage_table(
    table: Table,
    today: date,
    *,
    row_word: str = "Line",
    memo: ScanMemo | None = None,
    leave_out_by_values: bool = True,
) -> StagedTable:
    """Leave out what identifies a person and turn dates of birth into ages (see the module's docstring).

    ``memo``: the upload's scan memo, so the later checks of the same values need not look again.
    ``leave_out_by_values``: False where nobody can choose a role for the columns afterwards ("Upload
    cases"): a column is then left out by its name only, and cells with personal details in a kept
    column are refused by line and column, however many there are.
    """
    columns = [c for c in table.columns if c]
    left_out: list[LeftOut] = []
    birth: list[str] = []
    for column in columns:
        if BIRTH_COLUMN.search(column):
            birth.append(column)
        elif IDENTIFYING_COLUMNS.search(column):
            left_out.append(LeftOut(column, "its name says it holds personal details (such as a name or address)"))
    candidates = [c for c in columns if c not in birth and not any(o.column == c for o in left_out)]
    cells = personal_detail_cells(
        ((line, {c: values.get(c, "") for c in candidates}) for line, values in table.rows), memo
    )
    by_column = Counter(column for _, column, _ in cells)
    for column, hits in by_column.items() if leave_out_by_values else ():
        filled = sum(1 for _, values in table.rows if values.get(column))
        if hits >= max(1, IDENTIFYING_SHARE * filled):
            found_kinds = {k for _, c, found in cells if c == column for k in found}
            kinds = [k for k in CELL_WORDS if k in found_kinds]
            left_out.append(LeftOut(column, f"its values look like personal details ({detail_words(tuple(kinds))})"))
    gone = {o.column for o in left_out}
    kept = tuple(c for c in columns if c not in gone)
    findings = tuple((line, column, detail_words(kinds)) for line, column, kinds in cells if column not in gone)
    blanked = {(line, column) for line, column, _ in findings}
    rows = tuple(
        (
            line,
            tuple(
                "" if (line, c) in blanked else _age_text(values.get(c, ""), today) if c in birth else values.get(c, "")
                for c in kept
            ),
        )
        for line, values in table.rows
    )
    return StagedTable(kept, rows, tuple(left_out), tuple(birth), findings, row_word)


def left_out_note(staged: StagedTable) -> str:
    """What the coordinator is told about the columns left out, or "" when none was."""
    left_out = "; ".join(f"{o.column} ({o.reason})" for o in staged.left_out)
    return f" Columns left out and not kept: {left_out}." if left_out else ""


def age_on(born: date, today: date) -> Decimal | None:
    """Age in whole tenths of a year on ``today`` (rounded down), or None if not born or 18 or more."""
    if born > today:
        return None
    age = (Decimal((today - born).days) / Decimal("365.25")).quantize(Decimal("0.1"), rounding=ROUND_FLOOR)
    return age if age < 18 else None


@lru_cache(maxsize=65_536)  # a frame's dates of birth repeat: thousands of children share a few thousand days
def _age_text(text: str, today: date) -> str:
    """The age on ``today`` of a date of birth written 2019-03-14 (a workbook's dates) or 14/03/2019."""
    if not text:
        return ""
    born = _date_of(text)
    age = age_on(born, today) if born is not None else None
    return str(age) if age is not None else UNREADABLE_DATE


def _date_of(text: str) -> date | None:
    if found := _ISO_DATE.fullmatch(text):
        year, month, day = (int(n) for n in found.groups())
    elif found := _UK_DATE.fullmatch(text):
        day, month, year = (int(n) for n in found.groups())
        year += 2000 if year < 100 else 0
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def suggested_mapping(staged: StagedTable, remembered: Mapping[str, str] | None = None) -> FrameMapping:
    """A role for each column: the remembered one, the workbench's own column name, or a guess from the name."""
    roles: dict[str, ColumnRole] = {}
    for column in staged.columns:
        if remembered and remembered.get(column) in ColumnRole.__members__.values():
            role = ColumnRole(remembered[column])
        elif column in staged.birth_columns:
            role = ColumnRole.DATE_OF_BIRTH
        elif column in ONE_EACH:
            role = ColumnRole(column)
        else:
            role = next((r for pattern, r in _SUGGESTIONS if pattern.search(column)), ColumnRole.KEEP)
        if role in ONE_EACH and role in roles.values():
            role = ColumnRole.KEEP
        roles[column] = role
    if ColumnRole.AGE_YEARS in roles.values():  # an age is given: the dates of birth are not needed at all
        roles = {c: ColumnRole.LEAVE_OUT if r == ColumnRole.DATE_OF_BIRTH else r for c, r in roles.items()}
    return FrameMapping(roles)


def is_workbench_format(staged: StagedTable) -> bool:
    """True when every column is one the workbench knows by name and nothing was left out or converted."""
    return (
        not staged.left_out
        and not staged.birth_columns
        and ("reference" in staged.columns or "case_number" in staged.columns)
    )


@collector_paused()
def unmatched_agencies(staged: StagedTable, mapping: FrameMapping, lookup: Mapping[str, str]) -> list[tuple[str, int]]:
    """Each agency name in the agencies column that neither the partnership's list nor the mapping knows,
    once, with the number of rows that name it (most first)."""
    column = mapping.column_for(ColumnRole.AGENCIES)
    if column is None:
        return []
    counts: Counter[str] = Counter()
    first: dict[str, str] = {}
    for cell in staged.values(column):
        for name in split_agencies(cell):
            key = normalise_agency(name)
            if key and key not in mapping.agencies and match_agency(name, lookup) is None:
                counts[key] += 1
                first.setdefault(key, name)
    return [(first[key], n) for key, n in counts.most_common()]


def mapping_problems(staged: StagedTable, mapping: FrameMapping) -> list[str]:
    """Why the mapping cannot be imported yet: roles chosen twice or missing, personal details in kept cells."""
    problems = []
    for role in ONE_EACH:
        chosen = [c for c, r in mapping.roles.items() if r == role]
        if len(chosen) > 1:
            problems.append(f"Only one column can be '{ROLE_LABELS[role]}': {', '.join(chosen)} both are.")
    if not any(r in (ColumnRole.REFERENCE, ColumnRole.CASE_NUMBER) for r in mapping.roles.values()):
        problems.append("Choose the column that holds the case reference (or the agency's own case number).")
    if mapping.column_for(ColumnRole.AGE_YEARS) and mapping.column_for(ColumnRole.DATE_OF_BIRTH):
        problems.append("Choose either an age in years or a date of birth to work the age out from, not both.")
    problems += _birth_problems(staged, mapping)
    found = finding_problems(staged, mapping)
    return problems + ([*found, CLOSING] if found else [])


def finding_problems(staged: StagedTable, mapping: FrameMapping) -> list[str]:
    """The cells blanked when staged that are in columns the mapping keeps, summarised by kind with their lines."""
    summary = ProblemSummary(staged.row_word)
    for line, column, words in staged.findings:
        if mapping.roles.get(column, ColumnRole.LEAVE_OUT) != ColumnRole.LEAVE_OUT:
            summary.add(line, f"column '{column}' looks like it holds {words}")
    return summary.messages()


def _birth_problems(staged: StagedTable, mapping: FrameMapping) -> list[str]:
    problems = []
    for column, role in mapping.roles.items():
        if role == ColumnRole.DATE_OF_BIRTH and column not in staged.birth_columns:
            problems.append(f"The column {column} does not hold dates of birth.")
        if column in staged.birth_columns and role not in (ColumnRole.DATE_OF_BIRTH, ColumnRole.LEAVE_OUT):
            problems.append(f"The column {column} holds dates of birth: turn them into ages, or leave it out.")
    return problems


@collector_paused()
def mapped_table(
    staged: StagedTable, mapping: FrameMapping, lookup: Mapping[str, str]
) -> tuple[tuple[str, ...], list[tuple[int, dict[str, str]]]]:
    """The staged rows under the workbench's column names, agency names turned into short names.

    An agency name nobody matched stays as written, for ``candidate_cases`` to refuse by line.
    """
    names: list[tuple[int, str]] = []
    for index, column in enumerate(staged.columns):
        role = mapping.roles.get(column, ColumnRole.LEAVE_OUT)
        if role == ColumnRole.LEAVE_OUT:
            continue
        name = {ColumnRole.KEEP: column, ColumnRole.DATE_OF_BIRTH: "age_years"}.get(role, str(role))
        names.append((index, name))
    agencies = {**lookup, **mapping.agencies}
    short_names: dict[str, str] = {}  # a frame has few different agency cells: each is worked out once
    rows = []
    for line, values in staged.rows:
        row = {name: values[index] for index, name in names}
        if "agencies" in row:
            cell = row["agencies"]
            if cell not in short_names:
                short_names[cell] = _short_names(cell, agencies)
            row["agencies"] = short_names[cell]
        rows.append((line, row))
    return tuple(name for _, name in names), rows


def _short_names(cell: str, agencies: Mapping[str, str]) -> str:
    named = []
    for name in split_agencies(cell):
        key = normalise_agency(name)
        short = agencies[key] if key in agencies else match_agency(name, agencies) or name
        if short != NOT_AN_AGENCY and short not in named:
            named.append(short)
    return ";".join(named)
