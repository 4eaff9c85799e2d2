"""A one-sheet workbook written as it goes: the bytes of a ZIP file handed on while rows still come in.

openpyxl's write-only mode and XlsxWriter's constant-memory mode keep memory flat, but both assemble
the ZIP file only when the workbook is saved, so a download sends nothing until every row is written
(44 s for an audit's 360,000 answers with openpyxl). Here the worksheet's XML is written straight into
a deflated ZIP member on a stream that cannot seek (sizes follow each member, as ZIP allows), and each
few hundred kilobytes are handed to the caller. The workbook holds only what a list of answers needs:
text (short texts in a shared table written last, long ones in their cells), numbers as numbers, a
bold frozen header row, and text that a spreadsheet would run as a formula kept as text with a quote
prefix (the guard of ``cells.runs_as_formula``).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from math import isfinite
from xml.sax.saxutils import escape

from audit_tools.files.cells import runs_as_formula

Value = str | int | float | None

FLUSH_BYTES = 256 * 1024  # hand on the ZIP's bytes this often: small enough to start at once
CACHE_LIMIT = 20_000  # distinct values kept as finished XML (labels, questions, agencies repeat on every row)
SHARED_LIMIT = 100_000  # texts in the shared strings table at most (memory: a few megabytes)
SHARED_LENGTH = 200  # longer texts (free-text answers, notes) are written in their cells
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
# Characters XML 1.0 cannot hold; openpyxl refuses them, here they become U+FFFD.
ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
    'Target="styles.xml"/>'
    '<Relationship Id="rId3" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    'Target="sharedStrings.xml"/></Relationships>'
)
# Style 0: plain; 1: the bold header; 2: text kept as text (quote prefix); 3: both.
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" quotePrefix="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_SHEET_START = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<sheetViews><sheetView workbookViewId="0">'
    '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
    "</sheetView></sheetViews><sheetData>"
)
_SHEET_END = "</sheetData></worksheet>"


class _Sink:
    """Where the ZIP file writes: collects bytes for the caller to take. It cannot seek, so zipfile
    writes each member's sizes after its data."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.size = 0

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        self.size = 0
        return data


def _clean(text: str, style: int) -> tuple[str, str]:
    """(the text as a workbook can hold it, the cell's style attribute)."""
    text = ILLEGAL_XML.sub("\ufffd", text)
    if runs_as_formula(text):
        style |= 2
    return text, f' s="{style}"' if style else ""


def _text_cell(text: str, style: int) -> str:
    text, styled = _clean(text, style)
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<c t="inlineStr"{styled}><is><t{space}>{escape(text)}</t></is></c>'


class _Cells(dict[Value, str]):
    """Each value's cell XML, kept once worked out: most values repeat row after row (labels, questions,
    references, scores), and a dictionary lookup is far cheaper than writing the XML again.

    Short texts go into the workbook's shared strings (written last), so a cell holds only their number:
    the worksheet's XML is a third of the size, and so quicker to compress. Their number is bounded
    (SHARED_LIMIT texts of at most SHARED_LENGTH characters); any other text is written in its cell."""

    def __init__(self) -> None:
        super().__init__()
        self.shared: dict[str, int] = {}

    def __missing__(self, value: Value) -> str:
        if len(self) >= CACHE_LIMIT:
            self.clear()
        xml = self[value] = self._cell(value)
        return xml

    def _cell(self, value: Value) -> str:
        if value is None or value == "":
            return "<c/>"
        if not isinstance(value, str):
            if isinstance(value, int | float) and not isinstance(value, bool) and isfinite(value):
                return f"<c><v>{value!r}</v></c>"
            value = str(value)
        if len(value) > SHARED_LENGTH or (value not in self.shared and len(self.shared) >= SHARED_LIMIT):
            return _text_cell(value, 0)
        text, styled = _clean(value, 0)
        number = self.shared.setdefault(text, len(self.shared))
        return f'<c t="s"{styled}><v>{number}</v></c>'

    def row(self, values: Sequence[Value]) -> str:
        return "<row>" + "".join(map(self.__getitem__, values)) + "</row>"

    def shared_strings(self) -> Iterator[str]:
        yield f'{_XML}<sst xmlns="{_MAIN}" count="{len(self.shared)}" uniqueCount="{len(self.shared)}">'
        for text in self.shared:  # in the order they were numbered
            space = ' xml:space="preserve"' if text != text.strip() else ""
            yield f"<si><t{space}>{escape(text)}</t></si>"
        yield "</sst>"


def workbook_chunks(header: Sequence[str], rows: Iterable[Sequence[Value]], title: str = "Sheet1") -> Iterator[bytes]:
    """The .xlsx file's bytes, a piece at a time: one worksheet named ``title`` with ``header`` in bold
    (frozen) and then ``rows``. Memory stays flat however many rows come."""
    sink = _Sink()
    cells = _Cells()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as package:  # type: ignore[call-overload]
        package.writestr("[Content_Types].xml", _CONTENT_TYPES)
        package.writestr("_rels/.rels", _ROOT_RELS)
        package.writestr("xl/workbook.xml", _WORKBOOK.format(name=escape(_sheet_name(title), {'"': "&quot;"})))
        package.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        package.writestr("xl/styles.xml", _STYLES)
        yield sink.take()  # the file starts now, before the first row is read
        with package.open("xl/worksheets/sheet1.xml", "w") as sheet:
            pending = [_SHEET_START, "<row>", *(_text_cell(name, 1) for name in header), "</row>"]
            size = 0
            for values in rows:
                line = cells.row(values)
                pending.append(line)
                size += len(line)
                if size >= FLUSH_BYTES:
                    sheet.write("".join(pending).encode("utf-8"))
                    pending.clear()
                    size = 0
                    if sink.size:
                        yield sink.take()
            pending.append(_SHEET_END)
            sheet.write("".join(pending).encode("utf-8"))
        with package.open("xl/sharedStrings.xml", "w") as strings:
            for part in _batched(cells.shared_strings(), 5_000):
                strings.write("".join(part).encode("utf-8"))
    yield sink.take()


def _batched(items: Iterator[str], size: int) -> Iterator[list[str]]:
    while batch := list(islice(items, size)):
        yield batch


def _sheet_name(title: str) -> str:
    """A worksheet name Excel accepts: at most 31 characters, none of : \\ / ? * [ ]."""
    return re.sub(r"[:\\/?*\[\]]", " ", ILLEGAL_XML.sub("", title))[:31].strip() or "Sheet1"
