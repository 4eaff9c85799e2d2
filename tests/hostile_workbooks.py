"""Hostile .xlsx files, built in memory, for the frame reader's tests and its benchmark (tests/perf).

Each is small enough for the upload limit and would, unbounded, cost minutes and gigabytes to read.
"""

from __future__ import annotations

import io
import random
import struct
import zipfile

import openpyxl

SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"
_SHEET_START = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>reference</t></is></c>'
    b'<c r="B1" t="inlineStr"><is><t>locality</t></is></c></row>'
    b'<row r="2"><c r="A2" t="inlineStr"><is><t>NA-1</t></is></c>'
    b'<c r="B2" t="inlineStr"><is><t>Northfield</t></is></c></row>'
)
_SHEET_END = b"</sheetData></worksheet>"
_STRINGS_TYPE = (
    b'<Override PartName="/xl/sharedStrings.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
)


def base_workbook() -> bytes:
    """A good two-column frame saved by openpyxl (with a shared-strings part), the base of every hostile file."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["reference", "locality"])
    sheet.append(["NA-1", "Northfield"])
    sheet["C1"].font = openpyxl.styles.Font(bold=True)  # a second cell style, for the formatted rows
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def replace_parts(data: bytes, **parts: bytes) -> bytes:
    """The workbook with some parts replaced or added (as keyword arguments: sheet, strings, styles)."""
    names = {"sheet": SHEET, "strings": STRINGS, "styles": "xl/styles.xml"}
    new = {names[key]: value for key, value in parts.items()}
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as target:
        for info in source.infolist():
            content = new.pop(info.filename, None) or source.read(info.filename)
            if info.filename == "[Content_Types].xml" and "strings" in parts and b"sharedStrings" not in content:
                content = content.replace(b"</Types>", _STRINGS_TYPE + b"</Types>")
            target.writestr(info.filename, content)
        for name, content in new.items():  # parts the base workbook did not have
            target.writestr(name, content)
    return out.getvalue()


def formatted_empty_rows(last_row: int = 1_048_576) -> bytes:
    """A good header and case, then every row down to ``last_row`` formatted and empty (the 146 KB file)."""
    rows = b"".join(
        b'<row r="%d" s="1" customFormat="1" ht="15" customHeight="1"/>' % n for n in range(3, last_row + 1)
    )
    return replace_parts(base_workbook(), sheet=_SHEET_START + rows + _SHEET_END)


def shared_strings_bomb(count: int = 5_000_000) -> bytes:
    """A shared-strings part declaring and holding millions of strings no cell uses."""
    strings = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">'
        % (count, count)
        + b"<si><t>x</t></si>" * count
        + b"</sst>"
    )
    return replace_parts(base_workbook(), strings=strings)


def wide_rows(rows: int = 100_000, columns: int = 90) -> bytes:
    """Rows of many empty styled cells (positions left implicit, as the format allows): a great many to parse."""
    row = b"<row>" + b'<c s="1"/>' * columns + b"</row>"
    return replace_parts(base_workbook(), sheet=_SHEET_START + row * rows + _SHEET_END)


def zip_bomb(unpacked: int = 200 * 1024 * 1024) -> bytes:
    """A worksheet part of hundreds of megabytes of spaces (a few hundred kilobytes packed)."""
    padding = b" " * unpacked
    return replace_parts(base_workbook(), sheet=_SHEET_START + padding + _SHEET_END)


def lying_sizes(data: bytes, declared: int = 1_000) -> bytes:
    """The workbook with its worksheet's unpacked size declared as ``declared`` bytes, in both headers."""
    out = bytearray(data)
    name = SHEET.encode()
    for signature, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = out.find(signature)
        while at >= 0:
            name_at = at + (30 if signature == b"PK\x03\x04" else 46)
            length = struct.unpack_from("<H", out, at + (26 if signature == b"PK\x03\x04" else 28))[0]
            if bytes(out[name_at : name_at + length]) == name:
                struct.pack_into("<I", out, at + size_at, declared)
            at = out.find(signature, at + 4)
    return bytes(out)


def many_parts(count: int = 5_000) -> bytes:
    """A workbook padded with thousands of tiny parts."""
    source, out = zipfile.ZipFile(io.BytesIO(base_workbook())), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info.filename))
        for n in range(count):
            target.writestr(f"customXml/item{n}.xml", b"<a/>")
    return out.getvalue()


def styles_bomb(count: int = 400_000) -> bytes:
    """A styles part listing hundreds of thousands of cell formats."""
    data = base_workbook()
    styles = zipfile.ZipFile(io.BytesIO(data)).read("xl/styles.xml")
    head, tail = styles.split(b"</cellXfs>", 1)
    bloated = head + b'<xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>' * count + b"</cellXfs>" + tail
    return replace_parts(data, styles=bloated)


def good_frame(rows: int, columns: int = 8) -> bytes:
    """An ordinary frame of ``rows`` cases, as a partnership's spreadsheet would hold it."""
    header = [
        "reference",
        "age_years",
        "locality",
        "plan_type",
        "age_band",
        "agencies",
        "repeat_plan",
        "plan_start",
        "gender",
        "ethnicity",
        "school_phase",
        "team",
    ][:columns]
    rng = random.Random(rows)
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(header)
    for n in range(rows):
        row = [
            f"NA-{n:06d}",
            rng.randint(0, 17),
            rng.choice(["Northfield", "Eastgate", "Westmoor"]),
            "Neglect",
            "6-10",
            "CSC;Health",
            rng.choice(["yes", "no"]),
            f"2024-01-{1 + n % 28:02d}",
            "F",
            "White British",
            "Primary",
            "North",
        ]
        sheet.append(row[:columns])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
