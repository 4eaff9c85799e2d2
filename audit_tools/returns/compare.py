"""Comparing the agencies' returns on one case, question by question, for the multi-agency panel.

What counts as agencies *differing* on a question:

- Only choice questions (yes/partly/no scales, single and multiple choice, grades) can
  differ. Free text, numbers and dates are each agency's own account (its contacts, its
  records) and never "disagree".
- "Not applicable" and "Not known" are set aside: they say an agency could not judge the
  point from its own records, not that it judged it differently. An agency that gave only
  those answers, left the question blank or was not asked it (a show-if condition) has
  no view on the question.
- The question differs when at least two agencies have a view and their views are not
  all the same (for a multiple choice, not the same set of options).
- A question the tool marks ``compare: false`` (each agency's own role, say) never differs:
  the agencies are expected to answer it differently.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import cast

from audit_tools.returns.answers import Answers, is_visible, note_key
from audit_tools.tools import Question, Section, ToolDefinition

NO_VIEW = frozenset({"not_applicable", "not_known"})  # answers that give no view on practice


@dataclass(frozen=True)
class AgencyAnswer:
    """One agency's answer to one question, with its evidence note."""

    agency: str
    value: str | list[str] | None  # None: not answered
    note: str = ""
    asked: bool = True  # False: a show-if condition hid the question from this agency

    @property
    def values(self) -> list[str]:
        return self.value if isinstance(self.value, list) else [self.value] if self.value else []


@dataclass(frozen=True)
class QuestionComparison:
    """Every agency's answer to one question, in the agencies' order, and whether they differ."""

    question: Question
    answers: tuple[AgencyAnswer, ...]
    differ: bool

    @property
    def asked_anyone(self) -> bool:
        return any(a.asked for a in self.answers)


@dataclass(frozen=True)
class SectionComparison:
    section: Section
    questions: tuple[QuestionComparison, ...]


def view_of(question: Question, answer: AgencyAnswer) -> frozenset[str] | None:
    """The agency's view on a choice question: the options chosen, less those giving no view; None without one."""
    if not question.is_choice or not answer.asked:
        return None
    chosen = frozenset(answer.values) - NO_VIEW
    return chosen or None


def differ(question: Question, answers: tuple[AgencyAnswer, ...]) -> bool:
    """Whether two or more agencies with a view on the question hold different views (never, for a question
    the tool marks as each agency's own account, such as its role)."""
    if not question.compare:
        return False
    views = [view for answer in answers if (view := view_of(question, answer)) is not None]
    return len(set(views)) > 1


def compare_question(question: Question, answers_by_agency: Mapping[str, Answers]) -> QuestionComparison:
    """One question's answers from each agency, side by side."""
    answers = tuple(
        AgencyAnswer(
            agency,
            given.get(question.key) or None,
            cast(str, given.get(note_key(question.key), "")),  # a note is text (answer_problems)
            is_visible(question, given),
        )
        for agency, given in answers_by_agency.items()
    )
    return QuestionComparison(question, answers, differ(question, answers))


def compare_answers(definition: ToolDefinition, answers_by_agency: Mapping[str, Answers]) -> list[QuestionComparison]:
    """Every question of the tool, in its order, with each agency's answer and whether they differ."""
    return [compare_question(q, answers_by_agency) for q in definition.questions]


def compare_by_section(
    definition: ToolDefinition, answers_by_agency: Mapping[str, Answers], *, only_differences: bool = False
) -> list[SectionComparison]:
    """The comparison section by section, leaving out questions no agency was asked.

    With ``only_differences``, only questions where agencies differ, and only sections that have one.
    """
    sections = []
    for section in definition.sections:
        rows = tuple(
            c
            for c in (compare_question(q, answers_by_agency) for q in section.questions)
            if c.asked_anyone and (c.differ or not only_differences)
        )
        if rows:
            sections.append(SectionComparison(section, rows))
    return sections


def count_differences(definition: ToolDefinition, answers_by_agency: Mapping[str, Answers]) -> int:
    """How many questions the agencies differ on."""
    return sum(c.differ for c in compare_answers(definition, answers_by_agency))


def overall_judgements(
    definition: ToolDefinition, answers_by_agency: Mapping[str, Answers]
) -> QuestionComparison | None:
    """Each agency's own overall judgement of the case; None when the tool asks for none."""
    question = definition.overall_question
    return compare_question(question, answers_by_agency) if question else None
