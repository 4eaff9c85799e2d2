"""An audit's answers as spreadsheets: long (one row per answer) or wide (one row per return).

Each row names the case (pseudonymous reference and attributes), the agency and
the return's state. Text that a spreadsheet would run as a formula is written so
that it stays text: in CSV with an apostrophe in front, in a workbook as a text
cell marked with a quote prefix.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from audit_tools.files import runs_as_formula, spreadsheet_safe
from audit_tools.states import ReturnState
from audit_tools.tools import Question, ToolDefinition

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell as SheetCell
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

Cell = str | float | None
STATE_LABELS: dict[str, str] = {ReturnState.SUBMITTED: "Submitted", ReturnState.ACCEPTED: "Accepted"}
CASE_COLUMNS = ("Case reference", "Age (years)", "Age band", "Locality", "Plan type")
RETURN_COLUMNS = ("Agency", "Return state")
LONG_COLUMNS = ("Question number", "Question key", "Question", "Answer value", "Answer", "Score", "Evidence note")


@dataclass(frozen=True)
class ReturnAnswers:
    """One counted return, with its case's attributes, as plain data."""

    case_reference: str
    age_years: Decimal | None
    age_band: str
    locality: str
    plan_type: str
    agency: str
    state: str
    attributes: Mapping[str, str] = field(default_factory=dict)  # the case's other attributes from the frame
    answers: Mapping[str, Sequence[tuple[str, float | None]]] = field(default_factory=dict)  # key → (value, score)…
    notes: Mapping[str, str] = field(default_factory=dict)  # question key → evidence note


@dataclass(frozen=True)
class Sheet:
    header: tuple[str, ...]
    rows: Iterable[list[Cell]]


def _attribute_names(returns: Sequence[ReturnAnswers]) -> tuple[str, ...]:
    return tuple(sorted({name for r in returns for name in r.attributes}, key=str.casefold))


def _return_cells(item: ReturnAnswers, attribute_names: tuple[str, ...]) -> list[Cell]:
    age = float(item.age_years) if item.age_years is not None else None
    return [
        item.case_reference,
        age,
        item.age_band,
        item.locality,
        item.plan_type,
        *(str(item.attributes.get(name, "")) for name in attribute_names),
        item.agency,
        STATE_LABELS.get(item.state, item.state),
    ]


def _label(question: Question, value: str) -> str:
    option = question.option(value) if question.is_choice else None
    return option.label if option else value


def long_sheet(definition: ToolDefinition, returns: Sequence[ReturnAnswers]) -> Sheet:
    """One row per answer (a multiple choice gives one row per option chosen), in the tool's order.

    An evidence note goes on each row of its question; a note whose question has no answer still gets a row.
    """
    names = _attribute_names(returns)
    numbers = _numbers(definition)

    def rows() -> Iterator[list[Cell]]:
        for item in returns:
            head = _return_cells(item, names)
            for question in definition.questions:
                note = item.notes.get(question.key, "")
                answers = item.answers.get(question.key) or ([("", None)] if note else [])
                for value, score in answers:
                    yield [
                        *head,
                        numbers[question.key],
                        question.key,
                        question.text,
                        value,
                        _label(question, value),
                        score,
                        note,
                    ]

    return Sheet((*CASE_COLUMNS, *names, *RETURN_COLUMNS, *LONG_COLUMNS), rows())


def wide_sheet(definition: ToolDefinition, returns: Sequence[ReturnAnswers]) -> Sheet:
    """One row per return: each question's answer (options chosen joined by "; ") and its evidence note."""
    names = _attribute_names(returns)
    numbers = _numbers(definition)
    header = [*CASE_COLUMNS, *names, *RETURN_COLUMNS]
    for question in definition.questions:
        header.append(f"{numbers[question.key]} {question.key}")
        if question.takes_note:
            header.append(f"{numbers[question.key]} {question.key}: evidence note")

    def cells(item: ReturnAnswers, question: Question) -> list[Cell]:
        answer = "; ".join(_label(question, value) for value, _ in item.answers.get(question.key, ()))
        return [answer, item.notes.get(question.key, "")] if question.takes_note else [answer]

    rows = (
        [*_return_cells(item, names), *(c for q in definition.questions for c in cells(item, q))] for item in returns
    )
    return Sheet(tuple(header), rows)


def _numbers(definition: ToolDefinition) -> dict[str, str]:
    """Question key → its number as auditors see it, "2.3"."""
    return {
        q.key: f"{s}.{n}"
        for s, section in enumerate(definition.sections, start=1)
        for n, q in enumerate(section.questions, start=1)
    }


def _text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float):
        return f"{cell:g}"
    return spreadsheet_safe(cell)


def to_csv(sheet: Sheet) -> bytes:
    """UTF-8 CSV with a byte-order mark, so spreadsheets read accented letters and dashes correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_text(name) for name in sheet.header])
    writer.writerows([_text(cell) for cell in row] for row in sheet.rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(sheet: Sheet, title: str = "Answers") -> bytes:
    """A workbook with one worksheet: a bold, frozen header row, numbers as numbers, text always as text."""
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(title[:31])
    worksheet.freeze_panes = "A2"
    bold = Font(bold=True)
    worksheet.append([_xlsx_cell(worksheet, name, font=bold) for name in sheet.header])
    for row in sheet.rows:
        worksheet.append([_xlsx_cell(worksheet, cell) for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_cell(worksheet: WriteOnlyWorksheet, value: Cell, font: Font | None = None) -> Cell | SheetCell:
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)  # control characters a workbook cannot hold
    if not (font or (value and runs_as_formula(value))):
        return value
    cell = WriteOnlyCell(worksheet, value=value)
    if runs_as_formula(value):
        cell.data_type = "s"  # openpyxl would store "=…" as a formula
        cell.quotePrefix = True  # and the spreadsheet keeps it as text when the cell is edited
    if font:
        cell.font = font
    return cell
