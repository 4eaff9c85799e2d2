"""Rules for the answers in one agency return, independent of how they are stored.

Answers are a mapping from question key to a string (or a list of strings for a
multiple-choice question). Empty answers are simply absent. The evidence note that
goes with an answer travels in the same mapping under ``note_key(question key)``, so
saving, conflicts and rescued drafts treat a note exactly like an answer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from audit_tools.definition import DATE, MULTIPLE, NUMBER, Question, ToolDefinition

Answers = dict[str, "str | list[str]"]

MAX_TEXT_LENGTH = 10_000
MAX_SHORT_TEXT_LENGTH = 500
MAX_NOTE_LENGTH = 2_000
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
    return [
        q for q in definition.questions
        if q.required and is_visible(q, answers) and not answers.get(q.key)
    ]


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


def _note_problem(value) -> str | None:
    if not isinstance(value, str):
        return "An evidence note must be text."
    if len(value) > MAX_NOTE_LENGTH:
        return f"Evidence note must be {MAX_NOTE_LENGTH:,} characters or fewer."
    return None


def _problem(question: Question, value) -> str | None:
    values = value if isinstance(value, list) else [value]
    if any(not isinstance(v, str) for v in values):
        return "Answers must be text."
    if question.type != MULTIPLE and len(values) > 1:
        return "Choose one answer only."
    if question.is_choice:
        allowed = {o.value for o in question.options}
        if any(v not in allowed for v in values):
            return "Choose one of the answers listed."
        alone = [question.option(v) for v in values if question.option(v).exclusive]
        if alone and len(values) > 1:
            return f"‘{alone[0].label}’ cannot be chosen with other answers."
        return None
    text = values[0]
    if question.type == NUMBER:
        try:
            float(text)
        except ValueError:
            return "Enter a number, like 3 or 2.5."
    if question.type == DATE:
        try:
            dt.date.fromisoformat(text)
        except ValueError:
            return "Enter a real date, like 2026-03-27."
    limit = MAX_TEXT_LENGTH if question.type != "text" else MAX_SHORT_TEXT_LENGTH
    if len(text) > limit:
        return f"Answer must be {limit:,} characters or fewer."
    return None


def visible_answers(definition: ToolDefinition, answers: Answers) -> Answers:
    """Only the answers (and notes) whose question is shown; one left behind a hidden question is dropped."""
    return {k: v for k, v in answers.items() if question_key_of(k) in definition.questions_by_key
            and is_visible(definition.question(question_key_of(k)), answers)}


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


KEEP_MINE, KEEP_SAVED, MERGE = "mine", "saved", "merged"


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
        return self.is_note or not self.question.takes_note


def differences(definition: ToolDefinition, mine: Answers, saved: Answers) -> list[Difference]:
    """Answers and notes on screen that differ from those saved meanwhile, in the tool's order."""
    keys = [k for q in definition.questions for k in ((q.key, note_key(q.key)) if q.takes_note else (q.key,))]
    return [Difference(k, definition.question(question_key_of(k))) for k in keys if mine.get(k) != saved.get(k)]


def resolve(mine: Answers, saved: Answers, choices: dict[str, str], merged: dict[str, str]) -> Answers:
    """The answers to save after a conflict: for each question the auditor chose to keep their
    answer, the saved one, or (for text) a merged text; unlisted questions keep their answer."""
    result = dict(mine)
    for key, choice in choices.items():
        value = saved.get(key) if choice == KEEP_SAVED else as_typed(merged.get(key, "")) if choice == MERGE \
            else mine.get(key)
        if value:
            result[key] = value
        else:
            result.pop(key, None)
    return result


def raises_concern(definition: ToolDefinition, answers: Answers) -> list[Question]:
    """Questions whose answer signals a live safeguarding concern (their ``escalate_if`` answers)."""
    def given(question: Question) -> list[str]:
        value = answers.get(question.key)
        return value if isinstance(value, list) else [value] if value else []

    return [q for q in definition.questions if q.escalate_if and set(given(q)) & set(q.escalate_if)]


COMPLETED, IN_PROGRESS, NOT_STARTED = "Completed", "In progress", "Not yet started"


def section_status(definition: ToolDefinition, answers: Answers) -> dict[str, str]:
    """Section key → "Completed" (every required, visible question answered), "In progress" or "Not yet started"."""
    status = {}
    for section in definition.sections:
        shown = [q for q in section.questions if is_visible(q, answers)]
        answered = [q for q in shown if answers.get(q.key)]
        required_left = [q for q in shown if q.required and not answers.get(q.key)]
        status[section.key] = COMPLETED if not required_left and answered else \
            IN_PROGRESS if answered else NOT_STARTED
    return status
