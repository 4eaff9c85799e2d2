"""Rules for the answers in one agency return, independent of how they are stored.

Answers are a mapping from question key to a string (or a list of strings for a
multiple-choice question). Empty answers are simply absent. The evidence note that
goes with an answer travels in the same mapping under ``note_key(question key)``, so
saving, conflicts and rescued drafts treat a note exactly like an answer.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from audit_tools.merge import Merge, settle, three_way
from audit_tools.tools import DATE, LONGTEXT, MULTIPLE, NUMBER, TEXT, Question, ToolDefinition

Answers = dict[str, "str | list[str]"]

MAX_TEXT_LENGTH = 10_000
MAX_SHORT_TEXT_LENGTH = 500
MAX_NOTE_LENGTH = 2_000
MAX_NUMBER = 100_000  # a number question counts contacts, visits or records in one audit period
NOTE_SUFFIX = ":note"  # a colon never appears in a question key, so a note key cannot clash with one
BLANK = " \t\r\n"  # only these make an answer blank; any other character typed is kept


def as_typed(text: str) -> str:
    """The text as the auditor typed it, with Windows and old Mac line endings made "\n";
    "" when it holds nothing but spaces, tabs and line breaks."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text if text.strip(BLANK) else ""


def note_key(question_key: str) -> str:
    """Where the evidence note for a question's answer is kept in an ``Answers`` mapping."""
    return question_key + NOTE_SUFFIX


def question_key_of(key: str) -> str:
    """The question an answer or note key belongs to."""
    return key.removesuffix(NOTE_SUFFIX)


def notes_of(answers: Answers) -> dict[str, str]:
    """Question key → evidence note, for the notes in ``answers``."""
    return {question_key_of(k): v for k, v in answers.items() if k.endswith(NOTE_SUFFIX) and isinstance(v, str)}


@dataclass(frozen=True)
class AnswerRow:
    """One stored row: multiple choices become one row per chosen option."""

    question_key: str
    ordinal: int
    value: str
    score: float | None


def is_visible(question: Question, answers: Answers) -> bool:
    """A question with a show-if condition counts only when its condition holds."""
    if question.show_if is None:
        return True
    given = answers.get(question.show_if.question)
    given_values = given if isinstance(given, list) else [given]
    return any(v in question.show_if.values for v in given_values)


def missing_required(definition: ToolDefinition, answers: Answers) -> list[Question]:
    """Required, visible questions that have no answer, in the tool's order."""
    return [q for q in definition.questions if q.required and is_visible(q, answers) and not answers.get(q.key)]


def answer_problems(definition: ToolDefinition, answers: Answers) -> dict[str, str]:
    """Question key → a message for every answer that is not acceptable."""
    problems: dict[str, str] = {}
    for key, value in answers.items():
        question = definition.questions_by_key.get(question_key_of(key))
        if question is None or (key.endswith(NOTE_SUFFIX) and not question.takes_note):
            problems[key] = "This question is not part of the audit tool."
            continue
        message = _note_problem(value) if key.endswith(NOTE_SUFFIX) else _problem(question, value)
        if message:
            problems[key] = message
    return problems


def _note_problem(value: str | list[str]) -> str | None:
    if not isinstance(value, str):
        return "An evidence note must be text."
    if len(value) > MAX_NOTE_LENGTH:
        return f"Evidence note must be {MAX_NOTE_LENGTH:,} characters or fewer."
    return None


def _problem(question: Question, value: str | list[str]) -> str | None:
    values = value if isinstance(value, list) else [value]
    if any(not isinstance(v, str) for v in values):
        return "Answers must be text."
    if question.type != MULTIPLE and len(values) > 1:
        return "Choose one answer only."
    if question.is_choice:
        return _choice_problem(question, values)
    text = values[0]
    problem = (
        _number_problem(text) if question.type == NUMBER else _date_problem(text) if question.type == DATE else None
    )
    limit = MAX_TEXT_LENGTH if question.type != TEXT else MAX_SHORT_TEXT_LENGTH
    if problem is None and len(text) > limit:
        problem = f"Answer must be {limit:,} characters or fewer."
    return problem


def _choice_problem(question: Question, values: list[str]) -> str | None:
    allowed = {o.value for o in question.options}
    if any(v not in allowed for v in values):
        return "Choose one of the answers listed."
    alone = [option for v in values if (option := question.option(v)) is not None and option.exclusive]
    if alone and len(values) > 1:
        return f"‘{alone[0].label}’ cannot be chosen with other answers."
    return None


def _number_problem(text: str) -> str | None:
    try:
        number = float(text)
    except ValueError:
        return "Enter a number, like 3 or 2.5."
    if not math.isfinite(number):  # float() also reads "nan", "inf" and a 400-digit number as infinity
        return "Enter a number, like 3 or 2.5."
    if not 0 <= number <= MAX_NUMBER:  # a number question counts something: never below 0
        return f"Enter a number from 0 to {MAX_NUMBER:,}."
    return None


def _date_problem(text: str) -> str | None:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return "Enter a real date, like 2026-03-27."
    return None


def visible_answers(definition: ToolDefinition, answers: Answers) -> Answers:
    """Only the answers (and notes) whose question is shown; one left behind a hidden question is dropped."""
    return {
        k: v
        for k, v in answers.items()
        if question_key_of(k) in definition.questions_by_key
        and is_visible(definition.question(question_key_of(k)), answers)
    }


def changed_keys(before: Answers, after: Answers) -> list[str]:
    """Question keys whose answer differs, for the audit trail (which never copies the text itself)."""
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


def to_rows(definition: ToolDefinition, answers: Answers) -> list[AnswerRow]:
    """Answers as storable rows, each carrying the score of its option; hidden questions' answers are left out."""
    answers = visible_answers(definition, answers)
    rows = []
    for question in definition.questions:
        value = answers.get(question.key)
        if not value:
            continue
        for ordinal, item in enumerate(value if isinstance(value, list) else [value]):
            option = question.option(item) if question.is_choice else None
            rows.append(AnswerRow(question.key, ordinal, item, option.score if option else None))
    return rows


def from_rows(definition: ToolDefinition, rows: list[tuple[str, int, str]]) -> Answers:
    """Rebuild answers from (question key, ordinal, value) rows."""
    answers: Answers = {}
    for key, _ordinal, value in sorted(rows, key=lambda r: (r[0], r[1])):
        question = definition.questions_by_key.get(key)
        if question is not None and question.type == MULTIPLE:
            answers.setdefault(key, []).append(value)  # type: ignore[union-attr]
        else:
            answers[key] = value
    return answers


@dataclass(frozen=True)
class Difference:
    """An answer, or an evidence note, that differs between the screen and the saved return."""

    key: str  # the answer's key in ``Answers``: a question key or a note key
    question: Question

    @property
    def is_note(self) -> bool:
        return self.key.endswith(NOTE_SUFFIX)

    @property
    def is_text(self) -> bool:
        """Free text (a note, or a text answer), which may be combined by hand; a choice, number or date may not."""
        return self.is_note or self.question.type in (TEXT, LONGTEXT)


def answer_keys(definition: ToolDefinition) -> list[str]:
    """Every answer and note key of the tool, in its order (a question's note right after it)."""
    return [k for q in definition.questions for k in ((q.key, note_key(q.key)) if q.takes_note else (q.key,))]


def merge_answers(definition: ToolDefinition, base: Mapping[str, str] | None, saved: Answers, mine: Answers) -> Merge:
    """Three-way merge of the answers typed (``mine``) with those saved meanwhile; ``base`` is the
    ``merge.fingerprints`` of what the form was opened with, ``None`` when unknown (then every
    difference is asked about)."""
    return three_way(answer_keys(definition), base, saved, mine)


def differences(definition: ToolDefinition, keys: Iterable[str]) -> list[Difference]:
    """The answers and notes under ``keys`` (from a ``Merge``), for the conflict page."""
    return [Difference(k, definition.question(question_key_of(k))) for k in keys]


def resolve(
    definition: ToolDefinition,
    merge: Merge,
    saved: Answers,
    mine: Answers,
    choices: dict[str, str],
    combined: dict[str, str],
) -> tuple[Answers, list[str]]:
    """The answers to save after a conflict, and the clashes still waiting for a choice.

    Only free text may be combined by hand. The result is not yet checked: it is saved through
    ``answer_problems`` like any other save.
    """
    typed = {k: as_typed(v) for k, v in combined.items() if isinstance(v, str)}
    combinable = [d.key for d in differences(definition, merge.clashes) if d.is_text]
    return settle(merge, saved, mine, choices, typed, combinable)


COMPLETED, IN_PROGRESS, NOT_STARTED = "Completed", "In progress", "Not yet started"


def section_status(definition: ToolDefinition, answers: Answers) -> dict[str, str]:
    """Section key → "Completed" (every required, visible question answered), "In progress" or "Not yet started"."""
    status = {}
    for section in definition.sections:
        shown = [q for q in section.questions if is_visible(q, answers)]
        answered = [q for q in shown if answers.get(q.key)]
        required_left = [q for q in shown if q.required and not answers.get(q.key)]
        status[section.key] = COMPLETED if not required_left and answered else IN_PROGRESS if answered else NOT_STARTED
    return status
