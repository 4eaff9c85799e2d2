"""Compliance scores: how much of the best possible practice the answers record.

A question counts when its options carry scores (yes/partly/no scales and scored
single choices). Its best possible score is its highest option's score; answers
scored ``None`` ("not applicable", "not known") are left out. Judgements
(Outstanding to Inadequate) are not practice points and are not scored here.
"""

from __future__ import annotations

from dataclasses import dataclass

from audit_tools.returns.answers import Answers, to_rows
from audit_tools.tools import GRADE, MULTIPLE, Question, ToolDefinition


@dataclass(frozen=True)
class Score:
    achieved: float
    possible: float

    @property
    def compliance(self) -> float | None:
        return self.achieved / self.possible if self.possible else None


@dataclass(frozen=True)
class ToolScores:
    overall: Score
    sections: tuple[tuple[str, str, Score], ...]  # (section key, title, score)


def is_scored(question: Question) -> bool:
    return question.type not in (GRADE, MULTIPLE) and any(o.score is not None for o in question.options)


def best_score(question: Question) -> float:
    return max(o.score for o in question.options if o.score is not None)


def scores(definition: ToolDefinition, sums: dict[str, tuple[float, int]]) -> ToolScores:
    """From question key → (sum of answer scores, number of scored answers), e.g. grouped in SQL."""
    sections, total_achieved, total_possible = [], 0.0, 0.0
    for section in definition.sections:
        achieved = possible = 0.0
        for question in filter(is_scored, section.questions):
            total, count = sums.get(question.key, (0.0, 0))
            achieved, possible = achieved + (total or 0.0), possible + count * best_score(question)
        sections.append((section.key, section.title, Score(achieved, possible)))
        total_achieved, total_possible = total_achieved + achieved, total_possible + possible
    return ToolScores(Score(total_achieved, total_possible), tuple(sections))


def return_scores(definition: ToolDefinition, answers: Answers) -> ToolScores:
    """The scores of one return's answers."""
    sums: dict[str, tuple[float, int]] = {}
    for row in to_rows(definition, answers):
        if row.score is not None:
            total, count = sums.get(row.question_key, (0.0, 0))
            sums[row.question_key] = (total + row.score, count + 1)
    return scores(definition, sums)
