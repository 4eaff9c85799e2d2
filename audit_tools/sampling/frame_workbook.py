"""Reading a sample frame from an Excel workbook (.xlsx): measured first, then read in one pass.

The parts a reader would parse are measured before any XML parser sees them (``xlsx_limits``),
so a hostile workbook is refused in well under a second; openpyxl reads the small parts (the
manifest, the workbook, the styles) and the worksheet and its shared strings are read with expat
(``xlsx_sheet``). Rows are checked as CSV rows are (``frame_files``).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING

from audit_tools.files import xlsx_limits, xlsx_sheet
from audit_tools.sampling.frame_files import (
    _NOT_XLSX,
    _OLE_MAGIC,
    _ZIP_MAGIC,
    EXTRA_ROWS,
    MAX_COLUMNS,
    Table,
    TableError,
    _add_row,
    _finish,
    _header,
    _Problems,
    column_letter,
)

if TYPE_CHECKING:
    from openpyxl.reader.excel import ExcelReader

XLSX_EXPANSION_LIMIT = 25  # a workbook may unpack to at most this many times max_bytes …
XLSX_UNPACKED_LIMIT = 100 * 1024 * 1024  # … and never to more than this (parsing time grows with it)
# What a worksheet of max_rows cases may hold, counted before it is parsed (see xlsx_limits):
XLSX_TAGS_PER_ROW = 50  # XML tags per row: eight text cells written inline need 50, as shared strings 34
XLSX_STRINGS_PER_ROW = 2  # different texts per row: a reference, and room for one more (dates repeat)
XLSX_SHARED_STRINGS_BYTES = 32 * 1024 * 1024
XLSX_SMALL_PART_BYTES = 4 * 1024 * 1024  # the workbook, its links, the styles: parsed whole, so kept small
XLSX_SMALL_PART_TAGS = 100_000


def _cell_text(value: xlsx_sheet.CellValue) -> str:
    """Text for a cell value as ``xlsx_sheet`` types it (a formula is already text starting "=")."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _number_text(value)
    if isinstance(value, (dt.date, dt.time)):
        return _time_text(value)
    if isinstance(value, dt.timedelta):
        return str(value)
    return str(value).strip()


def _number_text(value: float) -> str:
    """A whole number without ".0", and never in exponent form."""
    if value.is_integer():
        return str(int(value))
    text = repr(value)
    return format(Decimal(text), "f") if "e" in text else text


def _time_text(value: dt.date | dt.time) -> str:
    """A date, a time, or a date and time (midnight read as the date alone)."""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    return value.isoformat()


def read_xlsx(data: bytes, max_bytes: int, max_rows: int) -> Table:
    """The first worksheet of a workbook as a ``Table``, or ``TableError`` (see ``frame_files.read_table``)."""
    if data.startswith(_OLE_MAGIC):
        raise TableError(
            [
                "The file is an older Excel file (.xls) or a password-protected workbook. Remove any "
                "password and save it as 'Excel Workbook (.xlsx)', then upload it again."
            ]
        )
    if not data.startswith(_ZIP_MAGIC):
        raise TableError([_NOT_XLSX])
    limit = min(max_bytes * XLSX_EXPANSION_LIMIT, XLSX_UNPACKED_LIMIT)
    entries = xlsx_limits.declared_entry_count(data)
    try:
        if entries is not None and entries > xlsx_limits.MAX_ENTRIES:
            raise xlsx_limits.WorkbookLimitError("parts", "the workbook", xlsx_limits.MAX_ENTRIES)
        return _read_workbook(data, limit, max_rows)
    except xlsx_limits.WorkbookLimitError as error:
        raise TableError([_too_large(error, limit, max_rows)]) from None
    except TableError:
        raise
    except Exception:  # zipfile and openpyxl raise many kinds of error on damaged or hostile files
        raise TableError([_NOT_XLSX]) from None


def _sheet_bounds(unpacked: int, max_rows: int, strings_tags: int) -> xlsx_limits.PartBounds:
    """The worksheet's bounds; its tags share one budget with the shared strings' (parsing time follows tags)."""
    rows = max_rows + EXTRA_ROWS
    return xlsx_limits.PartBounds(
        max_bytes=unpacked, max_tags=max(0, rows * XLSX_TAGS_PER_ROW - strings_tags), max_rows=rows
    )


def _read_workbook(data: bytes, unpacked: int, max_rows: int) -> Table:
    """Each part openpyxl is about to parse is measured first; then the first worksheet is read row by row."""
    from openpyxl.reader.excel import ExcelReader

    reader = ExcelReader(io.BytesIO(data), read_only=True, data_only=False)
    archive = reader.archive
    try:
        return _read_parts(reader, archive, unpacked, max_rows)
    finally:
        archive.close()


def _read_parts(reader: ExcelReader, archive: zipfile.ZipFile, unpacked: int, max_rows: int) -> Table:
    from openpyxl.packaging.relationship import get_rels_path
    from openpyxl.reader.excel import _find_workbook_part  # type: ignore[attr-defined]  # private: not in the stubs
    from openpyxl.styles.stylesheet import apply_stylesheet
    from openpyxl.xml.constants import ARC_CONTENT_TYPES, ARC_STYLE, SHARED_STRINGS

    xlsx_limits.check_entries(archive, unpacked)
    small = xlsx_limits.PartBounds(max_bytes=XLSX_SMALL_PART_BYTES, max_tags=XLSX_SMALL_PART_TAGS)
    names = set(archive.namelist())
    xlsx_limits.scan_part(archive, ARC_CONTENT_TYPES, small)
    reader.read_manifest()
    workbook_part = _find_workbook_part(reader.package).PartName[1:]
    # types-openpyxl leaves get_rels_path and Manifest.find unannotated (both take and give a part name)
    for name in (workbook_part, get_rels_path(workbook_part), ARC_STYLE):  # type: ignore[no-untyped-call]
        if name in names:
            xlsx_limits.scan_part(archive, name, small)
    strings_part = reader.package.find(SHARED_STRINGS)  # type: ignore[no-untyped-call]
    shared: list[str] = []
    strings_tags = 0
    if strings_part is not None:
        most = (max_rows + EXTRA_ROWS) * XLSX_STRINGS_PER_ROW
        name = strings_part.PartName[1:]
        strings_tags = xlsx_limits.scan_part(
            archive,
            name,
            xlsx_limits.PartBounds(max_bytes=XLSX_SHARED_STRINGS_BYTES, max_tags=most * 8, max_strings=most),
        ).tags
        with archive.open(name) as source:
            shared = xlsx_sheet.shared_strings(source)
    reader.read_workbook()
    apply_stylesheet(reader.archive, reader.wb)
    sheet_path = next(
        (
            rel.target
            for _sheet, rel in reader.parser.find_sheets()
            if rel.target in names and "chartsheet" not in rel.Type
        ),
        None,
    )
    if sheet_path is None:
        raise TableError(["The workbook has no worksheet. Put the list of cases on the first worksheet."])
    xlsx_limits.scan_part(archive, sheet_path, _sheet_bounds(unpacked, max_rows, strings_tags))
    workbook = reader.wb
    # the date and duration styles are private attributes of Workbook, left out of types-openpyxl
    styles = xlsx_sheet.SheetStyles(
        frozenset(workbook._date_formats),  # type: ignore[attr-defined]
        frozenset(workbook._timedelta_formats),  # type: ignore[attr-defined]
        workbook.epoch,
    )
    with archive.open(sheet_path) as source:
        return _read_sheet(xlsx_sheet.sheet_rows(source, shared, styles, MAX_COLUMNS + 1), max_rows)


def _read_sheet(sheet_rows: Iterable[tuple[int, list[xlsx_sheet.CellValue]]], max_rows: int) -> Table:
    problems = _Problems()
    columns: tuple[str, ...] | None = None
    width = 0
    rows: list[tuple[int, dict[str, str]]] = []
    for number, cells in sheet_rows:
        end = len(cells)
        while end and cells[end - 1] is None:
            end -= 1
        if not end:
            continue
        where = f"Row {number}"
        values = [v.strip() if type(v) is str else _cell_text(v) for v in cells[:end]]
        if not any(values):
            continue
        if columns is None:
            columns = _header(values, where, problems)
            width = len(columns)
            continue
        extra = [i for i in range(width, len(values)) if values[i]]
        if extra:
            problems.add(
                f"{where}, column {column_letter(extra[0] + 1)}: a value to the right of the last "
                "named column. Give the column a name in the header row, or clear it."
            )
        del values[width:]
        if not _add_row(rows, number, values, columns, where, problems, max_rows):
            break
    return _finish(columns, rows, problems)


_SMALLER = (
    "Copy just the list of cases into a new workbook, or save it as 'CSV UTF-8 (comma delimited)', and upload that."
)


def _too_large(error: xlsx_limits.WorkbookLimitError, unpacked: int, max_rows: int) -> str:
    """The plain-English refusal for a workbook past one of the reader's bounds."""
    if error.kind == "rows":
        return (
            f"The worksheet has too many rows: more than {error.limit:,}, counting empty rows that have "
            f"formatting. A sample frame has at most {max_rows:,} cases. {_SMALLER}"
        )
    if error.kind == "bytes" and error.part == "the workbook":
        return (
            f"The workbook unpacks to more than {unpacked / 1_048_576:g} MB, far more than a sample frame "
            f"needs. {_SMALLER}"
        )
    if error.kind == "strings":
        return (
            f"The workbook holds more than {error.limit:,} different pieces of text, far more than a sample "
            f"frame of {max_rows:,} cases needs. {_SMALLER}"
        )
    if error.kind == "parts":
        return (
            f"The workbook is made of more than {error.limit:,} parts; a sample frame's workbook has about "
            f"a dozen. {_SMALLER}"
        )
    return (
        f"The workbook holds far more than a sample frame of {max_rows:,} cases needs (too many cells, or "
        f"too much formatting, in {error.part}). {_SMALLER}"
    )
