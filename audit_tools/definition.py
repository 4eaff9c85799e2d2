"""Audit tool definitions: the questions an agency auditor answers about a case.

A definition is plain JSON (see ``audit_tools/data/neglect_tool.json``). This
module turns it into frozen dataclasses and reports every problem with the path
where it was found, so a broken file is refused whole rather than half-used.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from importlib import resources

SCHEMA_VERSION = 1

SCALE = "scale"
SINGLE = "single"
MULTIPLE = "multiple"
GRADE = "grade"
NUMBER = "number"
DATE = "date"
TEXT = "text"
LONGTEXT = "longtext"
QUESTION_TYPES = (SCALE, SINGLE, MULTIPLE, GRADE, NUMBER, DATE, TEXT, LONGTEXT)
CHOICE_TYPES = (SCALE, SINGLE, MULTIPLE, GRADE)

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,47}$")


@dataclass(frozen=True)
class Option:
    """One answer a choice question allows, with the score it contributes."""

    value: str
    label: str
    score: float | None = None


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

    @property
    def is_choice(self) -> bool:
        return self.type in CHOICE_TYPES

    def option(self, value: str) -> Option | None:
        return next((o for o in self.options if o.value == value), None)


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    description: str
    questions: tuple[Question, ...]


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


class DefinitionError(ValueError):
    """Raised with every problem found in a definition; ``problems`` lists them."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def parse_definition(raw: dict) -> ToolDefinition:
    """Validate a definition as loaded from JSON and return it as dataclasses.

    Raises DefinitionError naming every problem with its path; nothing partial
    is ever returned.
    """
    problems: list[str] = []
    if not isinstance(raw, dict):
        raise DefinitionError(["the definition must be a JSON object"])
    if raw.get("schema_version") != SCHEMA_VERSION:
        problems.append(f"schema_version: expected {SCHEMA_VERSION}, got {raw.get('schema_version')!r}")
    for name in ("slug", "name"):
        if not _text(raw.get(name)):
            problems.append(f"{name}: must be a non-empty string")
    raw_sections = raw.get("sections")
    if not isinstance(raw_sections, list) or not raw_sections:
        problems.append("sections: must be a non-empty list")
        raw_sections = []
    sections = [_parse_section(s, f"sections[{i}]", problems) for i, s in enumerate(raw_sections)]
    _check_keys(sections, problems)
    if problems:
        raise DefinitionError(problems)
    return ToolDefinition(
        slug=raw["slug"],
        name=raw["name"],
        description=raw.get("description", ""),
        topic=raw.get("topic", ""),
        sections=tuple(sections),
    )


def load_builtin(name: str = "neglect_tool.json") -> tuple[dict, ToolDefinition]:
    """The raw JSON and parsed form of a tool shipped in ``audit_tools/data``."""
    raw = json.loads(resources.files("audit_tools.data").joinpath(name).read_text("utf-8"))
    return raw, parse_definition(raw)


def _text(value) -> bool:
    return isinstance(value, str) and value.strip() != ""


def _parse_section(raw, path: str, problems: list[str]) -> Section:
    if not isinstance(raw, dict):
        problems.append(f"{path}: must be an object")
        return Section("", "", "", ())
    if not _text(raw.get("title")):
        problems.append(f"{path}.title: must be a non-empty string")
    key = raw.get("key", "")
    if not isinstance(key, str) or not KEY_PATTERN.match(key):
        problems.append(f"{path}.key: must be lower-case letters, digits and underscores")
    raw_questions = raw.get("questions")
    if not isinstance(raw_questions, list) or not raw_questions:
        problems.append(f"{path}.questions: must be a non-empty list")
        raw_questions = []
    questions = [_parse_question(q, f"{path}.questions[{i}]", problems) for i, q in enumerate(raw_questions)]
    return Section(str(key), str(raw.get("title", "")), str(raw.get("description", "")), tuple(questions))


def _parse_question(raw, path: str, problems: list[str]) -> Question:
    if not isinstance(raw, dict):
        problems.append(f"{path}: must be an object")
        return Question("", TEXT, "")
    key, qtype = raw.get("key", ""), raw.get("type")
    if not isinstance(key, str) or not KEY_PATTERN.match(key):
        problems.append(f"{path}.key: must be lower-case letters, digits and underscores")
    if qtype not in QUESTION_TYPES:
        problems.append(f"{path}.type: {qtype!r} is not one of {', '.join(QUESTION_TYPES)}")
    if not _text(raw.get("text")):
        problems.append(f"{path}.text: must be a non-empty string")
    return Question(
        key=str(key),
        type=qtype if qtype in QUESTION_TYPES else TEXT,
        text=str(raw.get("text", "")),
        help=str(raw.get("help", "")),
        required=bool(raw.get("required", True)),
        options=_parse_options(raw, qtype, path, problems),
        show_if=_parse_show_if(raw.get("show_if"), path, problems),
        themes=tuple(raw.get("themes", ())),
        finding=str(raw.get("finding", "")),
        overall=bool(raw.get("overall", False)),
        chart_title=str(raw.get("chart_title", "")),
    )


def _parse_options(raw: dict, qtype, path: str, problems: list[str]) -> tuple[Option, ...]:
    if qtype == SCALE:
        allowed = raw.get("allow", ["not_applicable", "not_known"])
        return tuple(o for o in SCALE_OPTIONS if o.score is not None or o.value in allowed)
    if qtype == GRADE:
        return GRADE_OPTIONS
    if qtype not in (SINGLE, MULTIPLE):
        return ()
    raw_options = raw.get("options")
    if not isinstance(raw_options, list) or not raw_options:
        problems.append(f"{path}.options: a {qtype} question needs a non-empty list of options")
        return ()
    options, seen = [], set()
    for i, o in enumerate(raw_options):
        if not isinstance(o, dict) or not _text(o.get("value")) or not _text(o.get("label")):
            problems.append(f"{path}.options[{i}]: needs a value and a label")
            continue
        if o["value"] in seen:
            problems.append(f'{path}.options: duplicate value "{o["value"]}"')
        seen.add(o["value"])
        options.append(Option(o["value"], o["label"], o.get("score")))
    return tuple(options)


def _parse_show_if(raw, path: str, problems: list[str]) -> ShowIf | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or not _text(raw.get("question")) or not isinstance(raw.get("values"), list):
        problems.append(f"{path}.show_if: needs a question key and a list of values")
        return None
    return ShowIf(raw["question"], tuple(raw["values"]))


def _check_keys(sections: list[Section], problems: list[str]) -> None:
    seen: set[str] = set()
    for question in (q for s in sections for q in s.questions):
        if question.key in seen:
            problems.append(f'questions "{question.key}": the key is used more than once')
        seen.add(question.key)
    for question in (q for s in sections for q in s.questions):
        if question.show_if and question.show_if.question not in seen:
            problems.append(f'questions "{question.key}": show-if refers to unknown key "{question.show_if.question}"')
    if sum(q.overall for s in sections for q in s.questions) > 1:
        problems.append("questions: only one question may be the overall judgement")
