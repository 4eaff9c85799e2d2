"""Audit tool definitions: the questions an agency auditor answers about a case.

These frozen dataclasses are the model; ``audit_tools.tools.files`` reads them from
JSON (refusing a broken file whole) and writes them back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from audit_tools.states import QuestionType

SCHEMA_VERSION = 1

# The question types by their old names (aliases of ``QuestionType`` members).
SCALE = QuestionType.SCALE
SINGLE = QuestionType.SINGLE
MULTIPLE = QuestionType.MULTIPLE
GRADE = QuestionType.GRADE
NUMBER = QuestionType.NUMBER
DATE = QuestionType.DATE
TEXT = QuestionType.TEXT
LONGTEXT = QuestionType.LONGTEXT
QUESTION_TYPES = tuple(t.value for t in QuestionType)  # plain strings, in the order the designer offers them
CHOICE_TYPES = (SCALE, SINGLE, MULTIPLE, GRADE)

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,47}$")
# A tool's short name: used in file names and URLs, so nothing that needs quoting.
SLUG_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{1,59}")


@dataclass(frozen=True)
class Option:
    """One answer a choice question allows, with the score it contributes."""

    value: str
    label: str
    score: float | None = None
    exclusive: bool = False  # in a multiple choice, an answer that cannot be combined ("None identified")


# Options implied by a question's type, so a tool file need not repeat them.
SCALE_OPTIONS = (
    Option("yes", "Yes", 2.0),
    Option("partly", "Partly", 1.0),
    Option("no", "No", 0.0),
    Option("not_applicable", "Not applicable", None),
    Option("not_known", "Not known", None),
)
GRADE_OPTIONS = (
    Option("outstanding", "Outstanding", 4.0),
    Option("good", "Good", 3.0),
    Option("requires_improvement", "Requires improvement", 2.0),
    Option("inadequate", "Inadequate", 1.0),
)


@dataclass(frozen=True)
class ShowIf:
    """Show a question only when another question's answer is one of ``values``."""

    question: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Question:
    key: str
    type: str
    text: str
    help: str = ""
    required: bool = True
    options: tuple[Option, ...] = ()
    show_if: ShowIf | None = None
    themes: tuple[str, ...] = ()
    finding: str = ""  # a phrase that completes "In N of M returns, …" for the briefing
    overall: bool = False  # the overall judgement of the case
    chart_title: str = ""  # when set, the briefing charts this question's answers under this title
    guidance_url: str = ""  # a link to the partnership's practice guidance on this point
    generated: bool = False  # added by the tool itself (a section's judgement), not written in the file
    escalate_if: tuple[str, ...] = ()  # answers that mean a live safeguarding concern: show the escalation route
    compare: bool = True  # False: each agency answers for itself (its role), so different answers are no disagreement

    @property
    def is_choice(self) -> bool:
        return self.type in CHOICE_TYPES

    @property
    def takes_note(self) -> bool:
        """An evidence note goes with every answer except free text, which is its own evidence."""
        return self.type not in (TEXT, LONGTEXT)

    def option(self, value: str) -> Option | None:
        return next((o for o in self.options if o.value == value), None)


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    description: str
    questions: tuple[Question, ...]
    judgement: bool = False  # ends with an optional Outstanding-to-Inadequate judgement of this section


def section_judgement(section_key: str, title: str) -> Question:
    """The optional judgement question a section with ``judgement`` ends with."""
    return Question(
        key=f"{section_key}_judgement",
        type=GRADE,
        text=f"How good was practice in ‘{title}’?",
        help="Optional: your overall view of this part of the work.",
        required=False,
        options=GRADE_OPTIONS,
        generated=True,
    )


@dataclass(frozen=True)
class ToolDefinition:
    slug: str
    name: str
    description: str
    sections: tuple[Section, ...]
    topic: str = ""
    schema_version: int = SCHEMA_VERSION
    questions_by_key: dict[str, Question] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self.questions_by_key.update({q.key: q for s in self.sections for q in s.questions})

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(q for s in self.sections for q in s.questions)

    def question(self, key: str) -> Question:
        return self.questions_by_key[key]

    def number(self, key: str) -> str:
        """The question's number as auditors see it: section.question, e.g. "2.3"."""
        for s_index, section in enumerate(self.sections, start=1):
            for q_index, question in enumerate(section.questions, start=1):
                if question.key == key:
                    return f"{s_index}.{q_index}"
        raise KeyError(key)

    @property
    def overall_question(self) -> Question | None:
        return next((q for q in self.questions if q.overall), None)
