"""A readable comparison of two versions of a tool: what an auditor would notice changed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from audit_tools.tools.definition import Question, ToolDefinition

ADDED, REMOVED, REWORDED, OPTIONS, CHANGED = "added", "removed", "reworded", "options changed", "changed"
# Question settings compared one by one, with the words used to describe them.
SETTINGS = (
    ("type", "answer type"),
    ("help", "help text"),
    ("required", "required"),
    ("compare", "compared at the panel"),
    ("show_if", "show-if condition"),
    ("themes", "themes"),
    ("finding", "briefing finding"),
    ("guidance_url", "guidance link"),
    ("overall", "overall judgement"),
    ("chart_title", "chart title"),
)


@dataclass(frozen=True)
class Change:
    kind: str
    subject: str  # "question q12" or "section recognition"
    summary: str
    before: str = ""
    after: str = ""


def diff_definitions(old: ToolDefinition, new: ToolDefinition) -> list[Change]:
    """Sections and questions added, removed, reworded or otherwise changed, in the new version's order."""
    return _section_changes(old, new) + _question_changes(old, new)


def _section_changes(old: ToolDefinition, new: ToolDefinition) -> list[Change]:
    before = {s.key: s for s in old.sections}
    after = {s.key: s for s in new.sections}
    changes = [Change(ADDED, f"section {k}", f"Section added: {s.title}") for k, s in after.items() if k not in before]
    changes += [
        Change(REMOVED, f"section {k}", f"Section removed: {s.title}") for k, s in before.items() if k not in after
    ]
    for key in after.keys() & before.keys():
        if before[key].title != after[key].title:
            changes.append(Change(REWORDED, f"section {key}", "Section renamed", before[key].title, after[key].title))
    return changes


def _question_changes(old: ToolDefinition, new: ToolDefinition) -> list[Change]:
    before, after = old.questions_by_key, new.questions_by_key
    changes = []
    for question in new.questions:
        if question.key not in before:
            changes.append(Change(ADDED, f"question {question.key}", "Question added", after=question.text))
        else:
            changes += _changes_to(before[question.key], question)
    changes += [
        Change(REMOVED, f"question {q.key}", "Question removed", before=q.text)
        for q in old.questions
        if q.key not in after
    ]
    return changes


def _changes_to(old: Question, new: Question) -> list[Change]:
    subject = f"question {new.key}"
    changes = []
    if old.text != new.text:
        changes.append(Change(REWORDED, subject, "Question reworded", old.text, new.text))
    if old.options != new.options:
        changes.append(Change(OPTIONS, subject, "Answers or scores changed", _options(old), _options(new)))
    for name, words in SETTINGS:
        if _comparable(name, getattr(old, name)) != _comparable(name, getattr(new, name)):
            changes.append(
                Change(CHANGED, subject, f"Changed {words}", _show(getattr(old, name)), _show(getattr(new, name)))
            )
    return changes


def _comparable(name: str, value: Any) -> Any:
    """Themes are a set: listing them in another order is no change."""
    return sorted(value) if name == "themes" else value


def _options(question: Question) -> str:
    return "; ".join(f"{o.label}" + ("" if o.score is None else f" ({o.score:g})") for o in question.options)


def _show(value: Any) -> str:
    if value is None or value == "" or value == ():
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, tuple):
        return ", ".join(str(v) for v in value)
    if hasattr(value, "question"):
        return f"when {value.question} is {' or '.join(value.values)}"
    return str(value)
