"""An audit's answers as spreadsheets: long (one row per answer) or wide (one row per return).

Each row names the case (pseudonymous reference, attributes and the panel's agreed
judgement), the agency and the return's state. Numbers (ages, scores, answers to number
questions) are written as numbers. Text that a spreadsheet would run as a formula is written
so that it stays text: in CSV with an apostrophe in front, in a workbook as a text cell
marked with a quote prefix. Both files are written as a stream of pieces, so a download of an
audit's 360,000 answers starts at once and memory stays flat (see ``files.workbook_chunks``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import islice
from math import isfinite

from audit_tools.files import spreadsheet_safe, workbook_chunks
from audit_tools.states import QuestionType, ReturnState
from audit_tools.tools import Question, ToolDefinition

Cell = str | float | None
STATE_LABELS: dict[str, str] = {ReturnState.SUBMITTED: "Submitted", ReturnState.ACCEPTED: "Accepted"}
CASE_COLUMNS = ("Case reference", "Age (years)", "Age band", "Locality", "Plan type", "Panel's agreed judgement")
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
    panel_judgement: str = ""  # the label of the grade the panel agreed for the case, if it has


@dataclass(frozen=True)
class Sheet:
    header: tuple[str, ...]
    rows: Iterable[list[Cell]]


def attribute_names(attributes: Iterable[Mapping[str, str]]) -> tuple[str, ...]:
    """The case attributes the returns carry (each return's ``attributes``), each a column of its own, in
    alphabetical order."""
    return tuple(sorted({name for found in attributes for name in found}, key=str.casefold))


def _return_cells(item: ReturnAnswers, attribute_names: tuple[str, ...]) -> list[Cell]:
    age = float(item.age_years) if item.age_years is not None else None
    return [
        item.case_reference,
        age,
        item.age_band,
        item.locality,
        item.plan_type,
        item.panel_judgement,
        *(str(item.attributes.get(name, "")) for name in attribute_names),
        item.agency,
        STATE_LABELS.get(item.state, item.state),
    ]


class _Asked:
    """A question as its columns show it: its number, and each answer's value and label as cells
    (worked out once per question and option, not once per row: an audit has 360,000 answers)."""

    def __init__(self, question: Question, number: str) -> None:
        self.question, self.key, self.number, self.text = question, question.key, number, question.text
        self.takes_note = question.takes_note
        self.shown: dict[str, tuple[Cell, Cell]] = {o.value: (o.value, o.label) for o in question.options}

    def cells(self, value: str) -> tuple[Cell, Cell]:
        """(value, label) of one answer: a choice's option label, a number question's answer as a number."""
        shown = self.shown.get(value)
        if shown is None:
            number = _number(self.question, value)
            shown = (number, number)
            if len(self.shown) < 1_000:  # free text is rarely repeated: keep only the first few
                self.shown[value] = shown
        return shown


def _number(question: Question, value: str) -> Cell:
    """A number question's answer as a number (a spreadsheet can add it up); any other answer as it is."""
    if question.type != QuestionType.NUMBER:
        return value
    try:
        number = float(value)
    except ValueError:
        return value
    return number if isfinite(number) else value


def _asked(definition: ToolDefinition) -> list[_Asked]:
    numbers = _numbers(definition)
    return [_Asked(question, numbers[question.key]) for question in definition.questions]


def long_sheet(
    definition: ToolDefinition, returns: Iterable[ReturnAnswers], names: tuple[str, ...] | None = None
) -> Sheet:
    """One row per answer (a multiple choice gives one row per option chosen), in the tool's order.

    An evidence note goes on each row of its question; a note whose question has no answer still gets a row.
    ``names`` are the attribute columns (by default read from ``returns``, which must then be a sequence);
    given them, ``returns`` may be an iterator that is read once, as the rows are written.
    """
    if names is None:
        returns = list(returns)
        names = attribute_names(r.attributes for r in returns)
    asked = _asked(definition)

    def rows() -> Iterator[list[Cell]]:
        for item in returns:
            head = _return_cells(item, names)
            answers, notes = item.answers, item.notes
            for question in asked:
                note = notes.get(question.key, "")
                chosen = answers.get(question.key) or ([("", None)] if note else [])
                for value, score in chosen:
                    yield [*head, question.number, question.key, question.text, *question.cells(value), score, note]

    return Sheet((*CASE_COLUMNS, *names, *RETURN_COLUMNS, *LONG_COLUMNS), rows())


def wide_sheet(
    definition: ToolDefinition, returns: Iterable[ReturnAnswers], names: tuple[str, ...] | None = None
) -> Sheet:
    """One row per return: each question's answer (options chosen joined by "; ", a number question's as a
    number) and its evidence note. Each question's column is headed by its number, key and text."""
    if names is None:
        returns = list(returns)
        names = attribute_names(r.attributes for r in returns)
    asked = _asked(definition)
    header = [*CASE_COLUMNS, *names, *RETURN_COLUMNS]
    for question in asked:
        header.append(f"{question.number} {question.key}: {question.text}")
        if question.takes_note:
            header.append(f"{question.number} {question.key}: evidence note")

    def answer(question: _Asked, chosen: Sequence[tuple[str, float | None]]) -> Cell:
        if len(chosen) == 1:
            return question.cells(chosen[0][0])[1]
        return "; ".join(str(question.cells(value)[1]) for value, _ in chosen)

    def rows() -> Iterator[list[Cell]]:
        for item in returns:
            row = _return_cells(item, names)
            answers, notes = item.answers, item.notes
            for question in asked:
                row.append(answer(question, answers.get(question.key, ())))
                if question.takes_note:
                    row.append(notes.get(question.key, ""))
            yield row

    return Sheet(tuple(header), rows())


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
        return str(int(cell)) if cell.is_integer() else repr(cell)
    return spreadsheet_safe(cell)


def _field(cell: Cell) -> str:
    """A cell as a field of a CSV line, quoted as Python's csv module quotes (only when it must be)."""
    text = _text(cell)
    if any(mark in text for mark in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


class _Fields(dict[Cell, str]):
    """Each cell's CSV field, kept once worked out: most cells repeat (labels, questions, references), and
    a dictionary lookup is far cheaper than the csv module's check of every field of every row."""

    def __missing__(self, cell: Cell) -> str:
        if len(self) >= 50_000:
            self.clear()
        field = self[cell] = _field(cell)
        return field


CSV_ROWS = 500  # rows to a piece of the CSV download: small, so the first piece leaves at once


def csv_chunks(sheet: Sheet) -> Iterator[bytes]:
    """UTF-8 CSV with a byte-order mark (so spreadsheets read accented letters and dashes correctly),
    lines ending CRLF as RFC 4180 has them, a few hundred rows at a time."""
    fields = _Fields()
    yield ("\ufeff" + ",".join(map(_field, sheet.header)) + "\r\n").encode("utf-8")
    rows = iter(sheet.rows)
    while batch := list(islice(rows, CSV_ROWS)):
        yield "".join(",".join(map(fields.__getitem__, row)) + "\r\n" for row in batch).encode("utf-8")


def to_csv(sheet: Sheet) -> bytes:
    """The whole CSV file at once (see ``csv_chunks``)."""
    return b"".join(csv_chunks(sheet))


def xlsx_chunks(sheet: Sheet, title: str = "Answers") -> Iterator[bytes]:
    """A workbook with one worksheet: a bold, frozen header row, numbers as numbers, text always as text,
    a piece at a time."""
    return workbook_chunks(sheet.header, sheet.rows, title)


def to_xlsx(sheet: Sheet, title: str = "Answers") -> bytes:
    """The whole workbook at once (see ``xlsx_chunks``)."""
    return b"".join(xlsx_chunks(sheet, title))
