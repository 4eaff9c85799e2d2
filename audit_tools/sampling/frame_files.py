"""Reading a sample frame file (CSV or XLSX) into plain rows, refusing it whole if anything is wrong.

This module knows nothing about what the columns mean (see ``sample_frame`` for
that): it turns an uploaded file into a header and rows of stripped text, or
raises ``TableError`` listing every problem it found, each with the line (CSV)
or row (spreadsheet) where the user will find it.

Refused, always:

* files that are too large (checked before anything is parsed), empty, or only
  a header; files of another type; CSV that is not UTF-8 or not comma-separated;
  workbooks that are damaged, password-protected or not really ``.xlsx``;
* columns without a name, the same name twice, and columns that look like
  direct identifiers (data minimisation: the audit uses pseudonymous references
  only, so the workbench never holds names, birth dates, addresses, postcodes
  or NHS numbers);
* values that a spreadsheet would run as a formula: formula cells in a
  workbook, and text starting with ``=`` or ``@``, or with ``+``/``-`` before a
  letter or with formula characters after it (CSV/formula injection), in either
  format, so nothing imported can later run when exported to a spreadsheet;
* values holding a control character (NUL and the like): the database cannot store NUL;
* values to the right of the last named column, and more than ``max_rows`` rows;
* more than ``max_rows`` + EXTRA_ROWS rows counting empty ones, and workbooks holding
  more than such a frame needs (parts, tags, shared strings, unpacked size): measured
  before they are parsed (``xlsx_limits``), so any file allowed in is answered in seconds.

Empty rows are otherwise ignored wherever they are. A workbook is read from its first
worksheet (``xlsx_sheet``); whole numbers come back without ".0", dates as ``yyyy-mm-dd``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass

from audit_tools.errors import WorkbenchError
from audit_tools.files.cells import from_first_visible
from audit_tools.files.collector import collector_paused
from audit_tools.text import has_control_characters

ALLOWED_TYPES = (".csv", ".xlsx")
MAX_PROBLEMS = 50
MAX_COLUMNS = 100
VALUES_PER_ROW = 12  # rows x columns is bounded too: 100 columns of 100,000 rows would need gigabytes
EXTRA_ROWS = 1_000  # rows besides the cases: the header, notes, blank and formatted-but-empty rows (both formats)

IDENTIFYING_COLUMNS = re.compile(
    r"name|birth|d[\W_]?o[\W_]?b|address|post_?code|zip_?code|nhs|phone|mobile|e_?mail|initials"
    r"|national_?insurance|(?<![a-z0-9])(?:chi|upn|uln|ni|ni_?no|nino)(?![a-z0-9])",
    re.IGNORECASE,
)
# Text a spreadsheet would run: "=...", "@...", "+A1", "-cmd", "+1+cmd|' /C calc'!A0".
FORMULA_LIKE = re.compile(r"[=@＝＠]|[+\-＋－](?:[^\W\d_]|.*[=(|!@＝＠])", re.DOTALL)  # the full-width forms too
_FORMULA_FIRST = frozenset("=@+-＝＠＋－")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"

MINIMISATION = (
    "Remove them: the audit uses pseudonymous references only, never names, birth dates, "
    "addresses, postcodes or NHS numbers, so the workbench does not hold them (data minimisation)."
)
FORMULA_MESSAGE = "formulas are not accepted; paste the values instead"
CONTROL_MESSAGE = (
    "the value holds a control character (such as NUL) that a spreadsheet does not show and the "
    "workbench cannot store; delete it"
)
# Set while a file is read for the mapping step, which leaves such columns out itself (``frame_mapping``).
_KEEP_IDENTIFYING: ContextVar[bool] = ContextVar("keep_identifying", default=False)
STOPPED = f"Stopped after {MAX_PROBLEMS} problems; correct these and upload the file again."


@dataclass(frozen=True)
class Table:
    """A header and rows of text, each row with the line (CSV) or row (XLSX) number the user sees."""

    columns: tuple[str, ...]
    rows: tuple[tuple[int, dict[str, str]], ...]


class TableError(WorkbenchError):
    """Raised with every problem found in a file; ``problems`` lists them (at most 50 and a closing note)."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


class _Problems:
    def __init__(self) -> None:
        self.items: list[str] = []
        self.full = False

    def add(self, message: str) -> None:
        if self.full:
            return
        if len(self.items) >= MAX_PROBLEMS:
            self.items.append(STOPPED)
            self.full = True
            return
        self.items.append(message)

    def __bool__(self) -> bool:
        return bool(self.items)


def column_letter(index: int) -> str:
    """Spreadsheet column letter for a 1-based index (1 → A, 27 → AA)."""
    letters = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def normalise_column(name: str) -> str:
    """Header name as used in rows: stripped, lower-case, runs of white space as "_"."""
    return re.sub(r"\s+", "_", name.strip().lower())


def is_formula_like(text: str) -> bool:
    """True when a spreadsheet would treat the (stripped) text as a formula, invisible characters before it
    (a byte-order mark, a zero-width space) or not."""
    text = from_first_visible(text)
    return bool(text) and text[0] in _FORMULA_FIRST and FORMULA_LIKE.match(text) is not None


@collector_paused()
def read_table(
    data: bytes, filename: str, *, max_bytes: int, max_rows: int = 100_000, keep_identifying: bool = False
) -> Table:
    """Read CSV or XLSX bytes into a ``Table``, or raise ``TableError`` with every problem found.

    The size is checked before the file is parsed; nothing is returned unless the whole file is good.
    ``keep_identifying``: columns named like personal details are read rather than refused, for the
    mapping step to leave out (the table lives only in the request that read it).
    """
    token = _KEEP_IDENTIFYING.set(keep_identifying)
    try:
        return _read_table(data, filename, max_bytes, max_rows)
    finally:
        _KEEP_IDENTIFYING.reset(token)


def _read_table(data: bytes, filename: str, max_bytes: int, max_rows: int) -> Table:
    suffix = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    problems: list[str] = []
    if suffix not in ALLOWED_TYPES:
        hint = (
            " Save it from your spreadsheet as 'Excel Workbook (.xlsx)'." if suffix in (".xls", ".xlsm", ".ods") else ""
        )
        problems.append(
            f"The file must be a CSV file (.csv) or an Excel workbook (.xlsx); "
            f"{repr(filename) if filename else 'the file'} is neither.{hint}"
        )
    if len(data) > max_bytes:
        problems.append(
            f"The file is larger than {max_bytes / 1_048_576:g} MB, the largest accepted. "
            "A sample frame needs only one short row per case: check it is the right file."
        )
    elif not data.strip():
        problems.append("The file is empty.")
    if problems:
        raise TableError(problems)
    if suffix == ".csv":
        return _read_csv(data, max_rows)
    from audit_tools.sampling.frame_workbook import read_xlsx  # here: it imports this module's helpers

    return read_xlsx(data, max_bytes, max_rows)


# --- header and rows, shared by both formats ---------------------------------------------------------------


def _header(cells: list[str], where: str, problems: _Problems) -> tuple[str, ...]:
    """Normalised column names (trailing empty cells dropped), noting every problem with the header."""
    while cells and not cells[-1]:
        cells.pop()
    columns = tuple(normalise_column(c) for c in cells)
    if len(columns) > MAX_COLUMNS:
        problems.add(f"{where}: the header has {len(columns)} columns; at most {MAX_COLUMNS} are accepted.")
    for index, (raw, name) in enumerate(zip(cells, columns, strict=True), start=1):
        if not name:
            problems.add(
                f"{where}: column {column_letter(index)} has no name. Give every column a name in the "
                "header row, or delete the empty column."
            )
        elif is_formula_like(raw):
            problems.add(f"{where}, column {column_letter(index)}: {FORMULA_MESSAGE}.")
        elif has_control_characters(raw):
            problems.add(f"{where}, column {column_letter(index)}: {CONTROL_MESSAGE}.")
    first_seen = _first_places(columns, where, problems)
    identifying = [c for c in first_seen if IDENTIFYING_COLUMNS.search(c) and not _KEEP_IDENTIFYING.get()]
    if identifying:
        problems.add(f"{where}: the column(s) {', '.join(identifying)} look like personal details. {MINIMISATION}")
    return columns


def _first_places(columns: tuple[str, ...], where: str, problems: _Problems) -> dict[str, int]:
    """Each named column's first place, noting every name that appears again."""
    first_seen: dict[str, int] = {}
    for index, name in enumerate(columns, start=1):
        if not name:
            continue
        if name in first_seen:
            problems.add(
                f"{where}: the column name {name} appears more than once (columns "
                f"{column_letter(first_seen[name])} and {column_letter(index)})."
            )
        else:
            first_seen[name] = index
    return first_seen


def _check_cells(values: list[str], columns: tuple[str, ...], where: str, problems: _Problems) -> None:
    controls = has_control_characters("".join(values))  # one search a row; cells searched only if it finds one
    for index, text in enumerate(values):
        if not (text and (text[0] in _FORMULA_FIRST or not text[0].isascii())) and not controls:
            continue  # the quick test for most cells: a formula starts with one of those, or after an invisible one
        if is_formula_like(text) or (controls and has_control_characters(text)):
            name = f" ({columns[index]})" if index < len(columns) and columns[index] else ""
            message = FORMULA_MESSAGE if is_formula_like(text) else CONTROL_MESSAGE
            problems.add(f"{where}, column {column_letter(index + 1)}{name}: {message}.")


def _add_row(
    rows: list[tuple[int, dict[str, str]]],
    line: int,
    values: list[str],
    columns: tuple[str, ...],
    where: str,
    problems: _Problems,
    max_rows: int,
) -> bool:
    """Check one row's cells and keep it; False when reading should stop (too many problems or rows)."""
    _check_cells(values, columns, where, problems)
    if problems.full:
        return False
    if len(rows) >= max_rows:
        problems.add(_too_many_rows(max_rows))
        return False
    most = max_rows * VALUES_PER_ROW // max(len(columns), 1)
    if len(rows) >= most:
        problems.add(
            f"The file has more values than a sample frame of {max_rows:,} cases needs: with "
            f"{len(columns)} columns, at most {most:,} rows are accepted. Delete the columns the audit "
            "does not use, or check it is the right file."
        )
        return False
    values.extend([""] * (len(columns) - len(values)))
    rows.append((line, dict(zip(columns, values, strict=False))))
    return True


def _too_many_rows(max_rows: int) -> str:
    return (
        f"The file has more than {max_rows:,} cases, the most accepted in one sample frame. "
        "Check it is the right file, or narrow the cohort before importing it."
    )


# --- CSV ------------------------------------------------------------------------------------------------------


def _decode(data: bytes) -> tuple[str | None, str | None]:
    if data.startswith(_UTF16_BOMS):
        return None, (
            "The file is UTF-16 text (Excel's 'Unicode Text'), not UTF-8 CSV. Save it from your "
            "spreadsheet as 'CSV UTF-8 (comma delimited)' and upload it again."
        )
    if data.startswith(_ZIP_MAGIC) or data.startswith(_OLE_MAGIC):
        return None, (
            "The file is a spreadsheet workbook, not CSV text. Upload it with its .xlsx name, or save "
            "it from your spreadsheet as 'CSV UTF-8 (comma delimited)'."
        )
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return None, (
            f"Line {line}: the file is not UTF-8 text. Save it from your spreadsheet as "
            "'CSV UTF-8 (comma delimited)' and upload it again."
        )


def _separator_problem(text: str) -> str | None:
    first = next((line for line in _lines(text) if line.strip()), "")
    commas = first.count(",")
    for char, name in ((";", "semicolons"), ("\t", "tabs")):
        if first.count(char) > commas:
            return (
                f"Line 1: the columns seem to be separated by {name}; use commas. Save the file from your "
                "spreadsheet as 'CSV UTF-8 (comma delimited)' and upload it again."
            )
    return None


def _lines(text: str) -> Iterator[str]:
    """The text's lines one at a time (``splitlines`` would make them all at once: megabytes for one line)."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end + 1
        yield from text[start:end].splitlines()
        start = end


def _read_csv(data: bytes, max_rows: int) -> Table:
    text, problem = _decode(data)
    if text is None:
        assert problem is not None  # _decode says why whenever it gives no text
        raise TableError([problem])
    problem = _separator_problem(text)
    if problem:
        raise TableError([problem])
    del text  # checked; the reader decodes the bytes again as it goes, rather than copying the whole text
    problems = _Problems()
    stream = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")
    reader = csv.reader(stream, strict=True)
    columns: tuple[str, ...] | None = None
    width = 0
    rows: list[tuple[int, dict[str, str]]] = []
    last_line = 0
    try:
        for records, record in enumerate(reader, start=1):
            line = last_line + 1
            last_line = reader.line_num
            if records > max_rows + EXTRA_ROWS:  # empty rows counted too: ten million of them still cost seconds
                problems.add(
                    f"The file has too many rows: more than {max_rows + EXTRA_ROWS:,}, counting empty ones. "
                    f"A sample frame has at most {max_rows:,} cases. Delete the empty rows and upload it "
                    "again."
                )
                break
            values = [v.strip() for v in record]
            if not any(values):
                continue
            if columns is None:
                columns = _header(values, f"Line {line}", problems)
                width = len(columns)
                continue
            _drop_extra_cells(values, width, f"Line {line}", problems)
            if not _add_row(rows, line, values, columns, f"Line {line}", problems, max_rows):
                break
    except csv.Error as exc:
        problems.add(
            f'Line {last_line + 1}: the quote marks (") in this row do not pair up ({exc}). A value '
            "containing a comma must be wholly in double quotes, and a quote mark inside it written twice."
        )
    return _finish(columns, rows, problems)


def _drop_extra_cells(values: list[str], width: int, where: str, problems: _Problems) -> None:
    """Cut a row to the header's width; values beyond it (not empty cells) are a problem."""
    if len(values) > width:
        if any(values[width:]):
            problems.add(f"{where}: the row has more values than the header has columns.")
        del values[width:]


def _finish(columns: tuple[str, ...] | None, rows: list[tuple[int, dict[str, str]]], problems: _Problems) -> Table:
    if columns is None and not problems:
        problems.add("The file is empty.")
    elif not rows and not problems:
        problems.add("The file has a header row but no cases.")
    if problems:
        raise TableError(problems.items)
    assert columns is not None  # no header is a problem above
    return Table(columns, tuple(rows))


# --- XLSX -----------------------------------------------------------------------------------------------------

_NOT_XLSX = (
    "The file could not be read as an Excel workbook (.xlsx): it may be damaged, password-protected or "
    "another kind of file. Open it in your spreadsheet and save it as 'Excel Workbook (.xlsx)', "
    "or as 'CSV UTF-8 (comma delimited)'."
)
