"""Summaries of the answers to one question, fed by counts the database has already grouped.

Each question type owns its summary: choice questions count each option in the
tool's order; free-text, number and date questions report how many answered.
"""

from __future__ import annotations

from dataclasses import dataclass

from audit_tools.definition import SCALE, Question


@dataclass(frozen=True)
class OptionCount:
    value: str
    label: str
    count: int


@dataclass(frozen=True)
class QuestionSummary:
    question: Question
    answered: int  # returns that answered the question
    options: tuple[OptionCount, ...] = ()

    def count(self, value: str) -> int:
        return next((o.count for o in self.options if o.value == value), 0)

    @property
    def compliance(self) -> float | None:
        """For a yes/partly/no scale: the share of the best possible score (N/A and not known excluded)."""
        if self.question.type != SCALE:
            return None
        scored = [(o.count, self.question.option(o.value).score) for o in self.options]
        possible = sum(count for count, score in scored if score is not None) * 2.0
        if not possible:
            return None
        return sum(count * score for count, score in scored if score is not None) / possible


def summarise(question: Question, value_counts: dict[str, int], answered: int) -> QuestionSummary:
    """Summarise one question from ``value → count`` (choice types) and the number of returns answering."""
    if not question.is_choice:
        return QuestionSummary(question, answered)
    options = tuple(OptionCount(o.value, o.label, value_counts.get(o.value, 0)) for o in question.options)
    return QuestionSummary(question, answered, options)
