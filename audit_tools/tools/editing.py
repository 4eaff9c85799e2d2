"""Edits to a draft tool, as pure functions over its JSON form.

Each function returns a changed copy; the caller validates the result with
``parse_definition`` and stores it only if it is valid, so a bad edit never
reaches a saved draft.
"""

from __future__ import annotations

import copy
from typing import Any

from audit_tools.errors import WorkbenchError


class EditError(WorkbenchError):
    """The edit itself makes no sense (for example, moving a section that does not exist)."""


def _copy(raw: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(raw)


def _section(raw: dict[str, Any], key: str) -> dict[str, Any]:
    section: dict[str, Any]
    for section in raw["sections"]:
        if section.get("key") == key:
            return section
    raise EditError(f"There is no section with the key {key}.")


def _locate(raw: dict[str, Any], key: str) -> tuple[list[dict[str, Any]], int]:
    for section in raw["sections"]:
        for index, question in enumerate(section["questions"]):
            if question.get("key") == key:
                return section["questions"], index
    raise EditError(f"There is no question with the key {key}.")


def _move(items: list[Any], index: int, offset: int) -> None:
    target = index + offset
    if 0 <= target < len(items):
        items.insert(target, items.pop(index))


def update_details(raw: dict[str, Any], *, name: str, topic: str, description: str) -> dict[str, Any]:
    result = _copy(raw)
    result.update(name=name, topic=topic, description=description)
    return result


def add_section(
    raw: dict[str, Any],
    *,
    key: str,
    title: str,
    description: str = "",
    judgement: bool = False,
    first_question: dict[str, Any],
) -> dict[str, Any]:
    """A new section at the end; it needs one question, as every section must have one."""
    result = _copy(raw)
    result["sections"].append(
        {"key": key, "title": title, "description": description, "judgement": judgement, "questions": [first_question]}
    )
    return result


def update_section(
    raw: dict[str, Any], key: str, *, title: str, description: str, judgement: bool = False
) -> dict[str, Any]:
    result = _copy(raw)
    _section(result, key).update(title=title, description=description, judgement=judgement)
    return result


def remove_section(raw: dict[str, Any], key: str) -> dict[str, Any]:
    result = _copy(raw)
    result["sections"].remove(_section(result, key))
    return result


def move_section(raw: dict[str, Any], key: str, offset: int) -> dict[str, Any]:
    result = _copy(raw)
    _move(result["sections"], result["sections"].index(_section(result, key)), offset)
    return result


def add_question(raw: dict[str, Any], section_key: str, question: dict[str, Any]) -> dict[str, Any]:
    result = _copy(raw)
    _section(result, section_key)["questions"].append(question)
    return result


def update_question(raw: dict[str, Any], key: str, question: dict[str, Any]) -> dict[str, Any]:
    """Replace a question; its key stays the same so stored answers keep their meaning."""
    result = _copy(raw)
    questions, index = _locate(result, key)
    questions[index] = {**question, "key": key}
    return result


def remove_question(raw: dict[str, Any], key: str) -> dict[str, Any]:
    result = _copy(raw)
    questions, index = _locate(result, key)
    questions.pop(index)
    return result


def move_question(raw: dict[str, Any], key: str, offset: int) -> dict[str, Any]:
    result = _copy(raw)
    questions, index = _locate(result, key)
    _move(questions, index, offset)
    return result


def parse_options_text(text: str) -> tuple[list[dict[str, str | float]], list[str]]:
    """Options typed one per line as ``value | label | score`` (score optional).

    Returns the options and a message for every line that cannot be read.
    """
    options: list[dict[str, str | float]] = []
    problems: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) < 2 or len(parts) > 3 or not parts[0] or not parts[1]:
            problems.append(f"Line {number}: write the value and label separated by '|', like: yes | Yes | 2")
            continue
        option: dict[str, str | float] = {"value": parts[0], "label": parts[1]}
        if len(parts) == 3 and parts[2]:
            try:
                option["score"] = float(parts[2])
            except ValueError:
                problems.append(f"Line {number}: the score must be a number, like 2 or 0.5")
                continue
        options.append(option)
    return options, problems


def options_text(options: list[dict[str, Any]]) -> str:
    """The inverse of ``parse_options_text``, for showing options in a form."""
    lines: list[str] = []
    for option in options:
        score = option.get("score")
        lines.append(f"{option['value']} | {option['label']}" + ("" if score is None else f" | {score:g}"))
    return "\n".join(lines)
