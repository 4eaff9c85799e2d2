"""A worksheet's rows read straight from its XML with expat, several times faster than openpyxl's parser.

openpyxl builds an element and a dictionary for every cell; a frame of 100,000 cases has a
million cells, which took well over the five seconds an upload may take. Here expat calls back
for each tag and only what a frame needs is kept: each row's number and its cell values up to
``max_column``, typed as openpyxl types them (numbers, dates by the cell's style, booleans,
shared and inline text; any formula as its text starting "=", so the caller can refuse it).
The workbook's other parts (shared strings, styles) are still read by openpyxl: they are small,
and measured first (see ``xlsx_limits``).
"""

from __future__ import annotations

import datetime as dt
import pyexpat
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import IO

# A cell's value as openpyxl types it: text, number, boolean, date or time, or blank.
CellValue = str | int | float | bool | dt.datetime | dt.date | dt.time | dt.timedelta | None

CHUNK = 64 * 1024  # small, so the rows waiting to be handed on stay few


@dataclass(frozen=True)
class SheetStyles:
    """What the workbook's styles and settings say about reading numbers as dates."""

    date_styles: frozenset[int]
    duration_styles: frozenset[int]
    epoch: dt.datetime


class DeclarationRefused(ValueError):
    """A worksheet with a DOCTYPE or entity declaration: Excel never writes one, an attack might."""


class _Reader:
    def __init__(self, shared_strings: list[str], styles: SheetStyles, max_column: int) -> None:
        self.shared, self.styles, self.max_column = shared_strings, styles, max_column
        self.done: list[tuple[int, list[CellValue]]] = []
        self.row_number = 0
        self.values: list[CellValue] = []
        self.column = 0
        self.text: list[str] | None = None  # collecting character data while not None
        self.formula: str | None = None
        self.value: str | None = None
        self.inline: list[str] | None = None
        self.cell_type, self.style = "n", 0
        self.in_inline = self.in_phonetic = False
        self._handlers()

    def start(self, name: str, attrs: dict[str, str]) -> None:
        handler = self.starts.get(name)
        if handler is None and ":" in name:  # a namespace prefix ("x:c"): some programs write them
            handler = self.starts.get(name[name.index(":") + 1 :])
        if handler is not None:
            handler(attrs)

    def end(self, name: str) -> None:
        handler = self.ends.get(name)
        if handler is None and ":" in name:
            handler = self.ends.get(name[name.index(":") + 1 :])
        if handler is not None:
            handler()

    def _handlers(self) -> None:
        self.starts = {
            "c": self._start_cell,
            "row": self._start_row,
            "v": self._collect,
            "f": self._collect,
            "t": self._start_text,
            "is": self._start_inline,
            "rPh": self._start_phonetic,
        }
        self.ends = {
            "c": self._end_cell,
            "row": self._end_row,
            "v": self._end_value,
            "f": self._end_formula,
            "t": self._end_text,
            "is": self._end_inline,
            "rPh": self._end_phonetic,
        }

    def _start_row(self, attrs: dict[str, str]) -> None:
        self.row_number = _row_number(attrs.get("r"), self.row_number)
        self.values, self.column = [], 0

    def _start_cell(self, attrs: dict[str, str]) -> None:
        reference = attrs.get("r")
        self.column = _column_of(reference) if reference else self.column + 1
        self.cell_type, self.style = attrs.get("t", "n"), int(attrs.get("s") or 0)
        self.formula = self.value = self.inline = None

    def _collect(self, _attrs: dict[str, str]) -> None:
        self.text = []

    def _start_text(self, _attrs: dict[str, str]) -> None:
        if self.in_inline and not self.in_phonetic:
            self.text = []

    def _start_inline(self, _attrs: dict[str, str]) -> None:
        self.in_inline, self.inline = True, []

    def _start_phonetic(self, _attrs: dict[str, str]) -> None:
        self.in_phonetic = True

    def _end_cell(self) -> None:
        column = self.column
        if column <= self.max_column and (
            self.value is not None or self.formula is not None or self.inline is not None
        ):
            values = self.values
            if column > len(values):
                values.extend([None] * (column - len(values)))
            values[column - 1] = self._cell_value()

    def _end_row(self) -> None:
        self.done.append((self.row_number, self.values))

    def _end_value(self) -> None:
        if self.text is not None:
            self.value, self.text = "".join(self.text) or None, None

    def _end_formula(self) -> None:
        if self.text is not None:
            self.formula, self.text = "=" + "".join(self.text), None

    def _end_text(self) -> None:
        if self.text is not None:
            assert self.inline is not None  # <t> outside <is> in a damaged sheet: refused like any damage
            self.inline.append("".join(self.text))
            self.text = None

    def _end_inline(self) -> None:
        self.in_inline = False

    def _end_phonetic(self) -> None:
        self.in_phonetic = False

    def characters(self, data: str) -> None:
        if self.text is not None:
            self.text.append(data)

    def _cell_value(self) -> CellValue:
        if self.formula is not None:
            return self.formula  # array, shared and data-table formulas alike: refused by the caller
        kind, value = self.cell_type, self.value
        if kind == "inlineStr":
            return None if self.inline is None else "".join(self.inline)
        if value is None:
            return None
        if kind == "n":
            return self._number(value)
        if kind == "s":
            return self.shared[int(value)]
        if kind == "b":
            return bool(int(value))
        if kind == "d":
            from openpyxl.utils.datetime import from_ISO8601

            # types-openpyxl leaves from_ISO8601 unannotated; it returns a datetime, date, time or timedelta
            parsed: CellValue = from_ISO8601(value)  # type: ignore[no-untyped-call]
            return parsed
        return value  # "str" (a formula's text result) and "e" (an error such as #N/A)

    def _number(self, text: str) -> CellValue:
        number = float(text) if "." in text or "E" in text or "e" in text else int(text)
        if self.style not in self.styles.date_styles:
            return number
        from openpyxl.utils.datetime import from_excel

        try:
            moment: CellValue = from_excel(
                number, self.styles.epoch, timedelta=self.style in self.styles.duration_styles
            )
            return moment
        except (OverflowError, ValueError):
            return "#VALUE!"


def _refuse_declaration(*_args: object) -> None:
    raise DeclarationRefused("the worksheet declares a document type or entities")


def _row_number(reference: str | None, previous: int) -> int:
    if reference is None:
        return previous + 1
    number = float(reference) if "." in reference else int(reference)
    if number != int(number) or len(reference) > 12:
        raise ValueError(f"{reference!r} is not a row number")
    return int(number)


def _column_of(reference: str) -> int:
    """The 1-based column of a cell reference ("AB12" → 28)."""
    letters = reference.rstrip("0123456789")
    if letters and letters != reference:  # the usual shape: letters, then the row's digits
        return _column_of_letters(letters) if len(letters) <= 3 else _column_of_cells(reference)
    return _column_of_cells(reference)


@lru_cache(maxsize=1_024)  # a sheet's cells share a few column letters: each is worked out once
def _column_of_letters(letters: str) -> int:
    return _column_of_cells(letters + "1")


def _column_of_cells(reference: str) -> int:
    column = 0
    for char in reference:
        if "A" <= char <= "Z":
            column = column * 26 + ord(char) - 64
        elif char.isdigit():
            break
        else:
            raise ValueError(f"{reference!r} is not a cell reference")
    if not 1 <= column <= 16_384:
        raise ValueError(f"{reference!r} is not a cell reference")
    return column


def sheet_rows(
    stream: IO[bytes], shared_strings: list[str], styles: SheetStyles, max_column: int
) -> Iterator[tuple[int, list[CellValue]]]:
    """(row number, cell values up to ``max_column``) for every row element, empty or not, in file order.

    Raises ValueError (or pyexpat.ExpatError, IndexError) on a damaged worksheet.
    """
    reader = _Reader(shared_strings, styles, max_column)
    parser = pyexpat.ParserCreate()  # no namespace processing: faster, and prefixes are handled above
    parser.buffer_text = True
    starts, ends = reader.starts.get, reader.ends.get

    def start(name: str, attrs: dict[str, str]) -> None:  # a tag without a prefix costs one call less
        handler = starts(name)
        if handler is None:
            reader.start(name, attrs)
        else:
            handler(attrs)

    def end(name: str) -> None:
        handler = ends(name)
        if handler is None:
            reader.end(name)
        else:
            handler()

    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.CharacterDataHandler = reader.characters
    parser.StartDoctypeDeclHandler = parser.EntityDeclHandler = _refuse_declaration
    while chunk := stream.read(CHUNK):
        parser.Parse(chunk, False)
        yield from reader.done
        reader.done.clear()
    parser.Parse(b"", True)
    yield from reader.done


class _SharedStrings:
    """Collects the shared-strings table as the parser reads it: each entry's text, its rich-text runs
    joined, phonetic guides left out."""

    def __init__(self) -> None:
        self.strings: list[str] = []
        self.parts: list[str] = []
        self.text: list[str] | None = None
        self.phonetic = False

    @staticmethod
    def _local(name: str) -> str:
        return name[name.index(":") + 1 :] if ":" in name else name

    def start(self, name: str, _attrs: dict[str, str]) -> None:
        tag = self._local(name)
        if tag == "t" and not self.phonetic:
            self.text = []
        elif tag == "si":
            self.parts.clear()
        elif tag == "rPh":
            self.phonetic = True

    def end(self, name: str) -> None:
        tag = self._local(name)
        if tag == "t" and self.text is not None:
            self.parts.append("".join(self.text))
            self.text = None
        elif tag == "si":
            self.strings.append("".join(self.parts).replace("x005F_", ""))  # as openpyxl reads them
        elif tag == "rPh":
            self.phonetic = False

    def characters(self, data: str) -> None:
        if self.text is not None:
            self.text.append(data)


def shared_strings(stream: IO[bytes]) -> list[str]:
    """The workbook's shared-strings table: each entry's text, its rich-text runs joined, phonetic guides left out."""
    table = _SharedStrings()
    parser = pyexpat.ParserCreate()
    parser.buffer_text = True
    parser.StartElementHandler, parser.EndElementHandler = table.start, table.end
    parser.CharacterDataHandler = table.characters
    parser.StartDoctypeDeclHandler = parser.EntityDeclHandler = _refuse_declaration
    while chunk := stream.read(CHUNK):
        parser.Parse(chunk, False)
    parser.Parse(b"", True)
    return table.strings
