"""Tool definitions as JSON files: validating, parsing and exporting them.

``parse_definition`` checks everything and reports every problem with the path
where it was found (``sections[2].questions[4].options: duplicate value "yes"``);
it never raises anything but ``DefinitionError`` and never returns half a tool.
``export_definition`` writes the canonical JSON back, so export → import → export
gives the same file.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from audit_tools.errors import WorkbenchError
from audit_tools.files import bounded_json
from audit_tools.text import has_control_characters, is_blank_looking
from audit_tools.tools.definition import (
    CHOICE_TYPES,
    GRADE,
    GRADE_OPTIONS,
    KEY_PATTERN,
    MULTIPLE,
    QUESTION_TYPES,
    SCALE,
    SCALE_OPTIONS,
    SCHEMA_VERSION,
    SINGLE,
    SLUG_PATTERN,
    TEXT,
    Option,
    Question,
    Section,
    ShowIf,
    ToolDefinition,
    section_judgement,
)

OPTIONAL_SCALE_VALUES = ("not_applicable", "not_known")
MAX_TEXT = 2000
MAX_FILE_BYTES = 1024 * 1024  # the largest tool shipped is about 40 KB
BUILTIN_TOOLS = ("neglect_tool.json", "neglect_practice_tool.json")


class DefinitionError(WorkbenchError):
    """Raised with every problem found in a definition; ``problems`` lists them."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def read_tool_file(data: bytes) -> Any:
    """The JSON in an uploaded tool file, or DefinitionError saying plainly why it cannot be read.

    The size is checked before anything is parsed, and the nesting and the numbers before ``json``
    can recurse or convert them, so any file gets an answer at once. Pass at most MAX_FILE_BYTES + 1 bytes.
    """
    if len(data) > MAX_FILE_BYTES:
        raise DefinitionError(
            [
                f"The file is larger than {MAX_FILE_BYTES // 1_048_576} MB, the largest tool file "
                "accepted (a tool file is usually under 100 KB): check it is the right file."
            ]
        )
    try:
        return bounded_json.loads(data)
    except UnicodeDecodeError:
        raise DefinitionError(["The file is not a JSON tool file: it is not UTF-8 text."]) from None
    except bounded_json.JsonLimitError as error:
        raise DefinitionError([f"The file is not a JSON tool file the workbench can use: {error}."]) from None
    except json.JSONDecodeError as error:
        raise DefinitionError([f"The file is not a JSON tool file ({error})."]) from None


class _Reader:
    """Reads typed values out of untrusted JSON, noting each problem with its path."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}")

    def text(self, raw: dict[str, Any], name: str, path: str, *, required: bool = False, limit: int = MAX_TEXT) -> str:
        value = raw.get(name, "")
        if not isinstance(value, str):
            self.fail(f"{path}.{name}", "must be a string")
            return ""
        if has_control_characters(value):
            self.fail(f"{path}.{name}", "must not hold control characters (such as NUL)")
        elif required and is_blank_looking(value):  # the one rule for names and labels (audit_tools.text)
            self.fail(f"{path}.{name}", "must be a non-empty string" + (" of visible text" if value.strip() else ""))
        elif len(value) > limit:
            self.fail(f"{path}.{name}", f"must be {limit} characters or fewer")
        return value

    def key(self, raw: dict[str, Any], path: str) -> str:
        value = raw.get("key")
        if not isinstance(value, str) or not KEY_PATTERN.fullmatch(value):
            self.fail(
                f"{path}.key",
                "must start with a letter and use only lower-case letters, digits and underscores (at most 48)",
            )
            return ""
        return value

    def flag(self, raw: dict[str, Any], name: str, path: str, default: bool) -> bool:
        value = raw.get(name, default)
        if not isinstance(value, bool):
            self.fail(f"{path}.{name}", "must be true or false")
            return default
        return value

    def strings(self, raw: dict[str, Any], name: str, path: str) -> tuple[str, ...]:
        value = raw.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            self.fail(f"{path}.{name}", "must be a list of non-empty strings")
            return ()
        if any(has_control_characters(v) for v in value):
            self.fail(f"{path}.{name}", "must not hold control characters (such as NUL)")
            return ()
        return tuple(value)

    def items(self, raw: dict[str, Any], name: str, path: str) -> list[Any]:
        value = raw.get(name)
        if not isinstance(value, list) or not value:
            self.fail(f"{path}.{name}", "must be a non-empty list")
            return []
        return value


def parse_definition(raw: Any) -> ToolDefinition:
    """Validate a definition loaded from JSON and return it; raises DefinitionError naming every problem."""
    if not isinstance(raw, dict):
        raise DefinitionError(["the definition must be a JSON object"])
    reader = _Reader()
    version = raw.get("schema_version")
    if isinstance(version, bool) or version != SCHEMA_VERSION:
        reader.fail("schema_version", f"expected {SCHEMA_VERSION}, got {version!r}")
    slug = reader.text(raw, "slug", "definition", required=True, limit=60)
    if slug and not SLUG_PATTERN.fullmatch(slug):
        reader.fail("slug", "must be 2 to 60 lower-case letters, digits and hyphens, starting with a letter or digit")
    name = reader.text(raw, "name", "definition", required=True, limit=200)
    description = reader.text(raw, "description", "definition")
    topic = reader.text(raw, "topic", "definition", limit=100)
    sections = []
    for i, item in enumerate(reader.items(raw, "sections", "definition")):
        sections.append(_section(reader, item, f"sections[{i}]"))
    _check_keys(reader, sections)
    if reader.problems:
        raise DefinitionError([p.removeprefix("definition.") for p in reader.problems])
    return ToolDefinition(slug=slug, name=name, description=description, topic=topic, sections=tuple(sections))


def _section(reader: _Reader, raw: Any, path: str) -> Section:
    if not isinstance(raw, dict):
        reader.fail(path, "must be an object")
        return Section("", "", "", ())
    questions = [
        _question(reader, q, f"{path}.questions[{i}]") for i, q in enumerate(reader.items(raw, "questions", path))
    ]
    key, title = reader.key(raw, path), reader.text(raw, "title", path, required=True, limit=200)
    judgement = reader.flag(raw, "judgement", path, False)
    if judgement:
        questions.append(section_judgement(key, title))
    return Section(key, title, reader.text(raw, "description", path), tuple(questions), judgement)


def _question(reader: _Reader, raw: Any, path: str) -> Question:
    if not isinstance(raw, dict):
        reader.fail(path, "must be an object")
        return Question("", TEXT, "")
    qtype = raw.get("type")
    if qtype not in QUESTION_TYPES:
        reader.fail(f"{path}.type", f"{qtype!r} is not one of {', '.join(QUESTION_TYPES)}")
        qtype = TEXT
    return Question(
        key=reader.key(raw, path),
        type=qtype,
        text=reader.text(raw, "text", path, required=True, limit=500),
        help=reader.text(raw, "help", path),
        required=reader.flag(raw, "required", path, True),
        options=_options(reader, raw, qtype, path),
        show_if=_show_if(reader, raw.get("show_if"), path),
        themes=reader.strings(raw, "themes", path),
        finding=reader.text(raw, "finding", path, limit=300),
        overall=reader.flag(raw, "overall", path, False),
        compare=reader.flag(raw, "compare", path, True),
        chart_title=reader.text(raw, "chart_title", path, limit=100),
        guidance_url=_guidance_url(reader, raw, path),
        escalate_if=reader.strings(raw, "escalate_if", path),
    )


def _guidance_url(reader: _Reader, raw: dict[str, Any], path: str) -> str:
    url = reader.text(raw, "guidance_url", path, limit=500)
    if url and not url.startswith(("https://", "http://")):
        reader.fail(f"{path}.guidance_url", "must be a web address starting with https:// or http://")
    return url


def _options(reader: _Reader, raw: dict[str, Any], qtype: str, path: str) -> tuple[Option, ...]:
    if qtype == SCALE:
        allowed = reader.strings(raw, "allow", path) if "allow" in raw else OPTIONAL_SCALE_VALUES
        for value in set(allowed) - set(OPTIONAL_SCALE_VALUES):
            reader.fail(f"{path}.allow", f'"{value}" is not one of {", ".join(OPTIONAL_SCALE_VALUES)}')
        return tuple(o for o in SCALE_OPTIONS if o.score is not None or o.value in allowed)
    if qtype == GRADE:
        return GRADE_OPTIONS
    if qtype not in (SINGLE, MULTIPLE):
        return ()
    options, seen = [], set()
    for i, item in enumerate(reader.items(raw, "options", path)):
        option = _option(reader, item, f"{path}.options[{i}]")
        if option is None:
            continue
        if option.value in seen:
            reader.fail(f"{path}.options", f'duplicate value "{option.value}"')
        seen.add(option.value)
        options.append(option)
    return tuple(options)


def _option(reader: _Reader, raw: Any, path: str) -> Option | None:
    if not isinstance(raw, dict):
        reader.fail(path, "must be an object with a value and a label")
        return None
    value = reader.text(raw, "value", path, required=True, limit=60)
    label = reader.text(raw, "label", path, required=True, limit=200)
    exclusive = reader.flag(raw, "exclusive", path, False)
    score = raw.get("score")
    if score is not None and (
        isinstance(score, bool) or not isinstance(score, (int, float)) or not -100 <= score <= 100
    ):
        reader.fail(f"{path}.score", "must be a number from -100 to 100, or left out")
        score = None
    return Option(value, label, None if score is None else float(score), exclusive)


def _show_if(reader: _Reader, raw: Any, path: str) -> ShowIf | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or not isinstance(raw.get("question"), str) or not raw["question"]:
        reader.fail(f"{path}.show_if", "needs the key of another question and a list of values")
        return None
    values = reader.strings(raw, "values", f"{path}.show_if")
    if not values:
        reader.fail(f"{path}.show_if.values", "must name at least one answer")
    return ShowIf(raw["question"], values)


def _check_keys(reader: _Reader, sections: list[Section]) -> None:
    """Keys are unique; show-if names a real choice question and never forms a cycle."""
    section_keys = [s.key for s in sections if s.key]
    for key in {k for k in section_keys if section_keys.count(k) > 1}:
        reader.problems.append(f'sections "{key}": the key is used more than once')
    by_key: dict[str, Question] = {}
    for question in (q for s in sections for q in s.questions if q.key):
        if question.key in by_key:
            reader.problems.append(f'questions "{question.key}": the key is used more than once')
        by_key[question.key] = question
    for question in by_key.values():
        _check_show_if(reader, question, by_key)
        unknown = [v for v in question.escalate_if if question.option(v) is None]
        if unknown:
            reader.problems.append(
                f'questions "{question.key}": escalate_if values {", ".join(unknown)} are not answers to the question'
            )
    if sum(q.overall for q in by_key.values()) > 1:
        reader.problems.append("questions: only one question may be the overall judgement")
    for question in by_key.values():
        if question.overall and not question.compare:
            reader.problems.append(
                f'questions "{question.key}": the overall judgement is always compared at the '
                "panel, so compare cannot be false"
            )


def _check_show_if(reader: _Reader, question: Question, by_key: dict[str, Question]) -> None:
    condition = question.show_if
    if condition is None:
        return
    target = by_key.get(condition.question)
    if target is None:
        reader.problems.append(f'questions "{question.key}": show-if refers to unknown key "{condition.question}"')
        return
    if target.type not in CHOICE_TYPES:
        reader.problems.append(
            f'questions "{question.key}": show-if must depend on a choice question, '
            f'not the {target.type} question "{target.key}"'
        )
    unknown = [v for v in condition.values if target.option(v) is None]
    if target.type in CHOICE_TYPES and unknown:
        reader.problems.append(
            f'questions "{question.key}": show-if values {", ".join(unknown)} are not answers to "{target.key}"'
        )
    chain: Question | None = target
    seen = {question.key}
    while chain is not None and chain.show_if is not None:
        if chain.key in seen:
            reader.problems.append(f'questions "{question.key}": show-if conditions form a cycle')
            return
        seen.add(chain.key)
        chain = by_key.get(chain.show_if.question)


def export_definition(definition: ToolDefinition) -> dict[str, Any]:
    """The canonical JSON form: defaults left out, so export → parse → export is stable."""
    return {
        "schema_version": SCHEMA_VERSION,
        "slug": definition.slug,
        "name": definition.name,
        **_non_default({"topic": definition.topic, "description": definition.description}),
        "sections": [
            {
                "key": s.key,
                "title": s.title,
                **_non_default({"description": s.description, "judgement": s.judgement}),
                "questions": [_export_question(q) for q in s.questions if not q.generated],
            }
            for s in definition.sections
        ],
    }


def _export_question(q: Question) -> dict[str, Any]:
    out: dict[str, Any] = {"key": q.key, "type": q.type, "text": q.text}
    out.update(
        _non_default(
            {
                "help": q.help,
                "finding": q.finding,
                "chart_title": q.chart_title,
                "guidance_url": q.guidance_url,
                "themes": list(q.themes),
            }
        )
    )
    if not q.required:
        out["required"] = False
    if not q.compare:
        out["compare"] = False
    if q.overall:
        out["overall"] = True
    if q.type == SCALE and {o.value for o in q.options if o.score is None} != set(OPTIONAL_SCALE_VALUES):
        out["allow"] = [o.value for o in q.options if o.score is None]
    if q.type in (SINGLE, MULTIPLE):
        out["options"] = [
            {
                "value": o.value,
                "label": o.label,
                **({} if o.score is None else {"score": o.score}),
                **({"exclusive": True} if o.exclusive else {}),
            }
            for o in q.options
        ]
    if q.show_if:
        out["show_if"] = {"question": q.show_if.question, "values": list(q.show_if.values)}
    if q.escalate_if:
        out["escalate_if"] = list(q.escalate_if)
    return out


def _non_default(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v}


def dumps(definition: ToolDefinition) -> str:
    """The definition as a JSON file's text (UTF-8, two-space indent, newline at the end)."""
    return json.dumps(export_definition(definition), indent=2, ensure_ascii=False) + "\n"


def load_builtin(name: str = BUILTIN_TOOLS[0]) -> tuple[dict[str, Any], ToolDefinition]:
    """The raw JSON and parsed form of a tool shipped in ``audit_tools/data``."""
    raw = json.loads(resources.files("audit_tools.data").joinpath(name).read_text("utf-8"))
    return raw, parse_definition(raw)


def builtin_themes() -> list[dict[str, Any]]:
    """The theme codebook shipped with the product: slug, name, description, category, keywords."""
    themes: list[dict[str, Any]] = json.loads(
        resources.files("audit_tools.data").joinpath("themes.json").read_text("utf-8")
    )
    return themes
