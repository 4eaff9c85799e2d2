"""The sections of a briefing as people edit them: which content each holds and how it is typed.

Plain Python over the content dictionary of ``audit_tools.briefing.content.content_to_dict``, so the
composer, the disclosure check and the settings page agree on every section, item and limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from audit_tools.briefing import content as b
from audit_tools.briefing.drafting import NO_THEMES_YET
from audit_tools.text import is_blank_looking, shortened

MAX_ITEMS = 30
ITEM_LENGTH = 2000
LABEL_LENGTH = 200
URL_LENGTH = 500
VALUE_LENGTH = 50


@dataclass(frozen=True)
class Part:
    """One box of an item: ``name`` is its key in the item (``text`` for a plain list of strings)."""

    name: str
    label: str
    max_length: int
    multiline: bool = False
    required: bool = True
    url: bool = False
    hint: str = ""


@dataclass(frozen=True)
class Section:
    """``kind`` is "fields" (boxes straight on the content), "list" (items) or "charts" (choose charts)."""

    key: str
    heading: str
    kind: str
    fields: tuple[str, ...]  # the content keys this section holds
    parts: tuple[Part, ...] = ()
    noun: str = "item"  # one item, as a person would say it: "finding", "key figure"
    hint: str = ""

    @property
    def plain(self) -> bool:
        """A list of strings rather than of records."""
        return self.kind == "list" and [p.name for p in self.parts] == ["text"]


def _text(label: str, hint: str = "") -> tuple[Part, ...]:
    return (Part("text", label, ITEM_LENGTH, multiline=True, hint=hint),)


RESOURCE_PARTS = (
    Part("title", "Title", LABEL_LENGTH),
    Part("url", "Web address", URL_LENGTH, required=False, url=True, hint="Optional. Starts with https:// or http://"),
)

SECTIONS = (
    Section(
        "title",
        "Title",
        "fields",
        ("series_title", "topic"),
        (
            Part("series_title", "Series title", LABEL_LENGTH, hint="Printed above the title, like Eyes On"),
            Part("topic", "Topic", LABEL_LENGTH, hint="The title reads “Learning from the audit: ” and the topic"),
        ),
    ),
    Section(
        "definition",
        b.SECTION_DEFINITION,
        "fields",
        ("definition",),
        (
            Part(
                "definition",
                "Definition",
                ITEM_LENGTH,
                multiline=True,
                required=False,
                hint="A new draft starts with the definition kept in the briefing settings",
            ),
        ),
    ),
    Section("summary", b.SECTION_SUMMARY, "list", ("summary",), _text("Paragraph"), noun="paragraph"),
    Section(
        "key-figures",
        "Key figures",
        "list",
        ("key_figures",),
        (
            Part("value", "Figure", VALUE_LENGTH, hint="Like 6 or 1½–8"),
            Part("label", "What it counts", LABEL_LENGTH),
        ),
        noun="key figure",
    ),
    Section("charts", "Charts", "charts", ("charts",), noun="chart"),
    Section("findings", b.SECTION_FINDINGS, "list", ("findings",), _text("Finding"), noun="finding"),
    Section("worked-well", b.SECTION_WORKED_WELL, "list", ("worked_well",), _text("Finding"), noun="finding"),
    Section("to-change", b.SECTION_TO_CHANGE, "list", ("to_change",), _text("Finding"), noun="finding"),
    Section("themes", b.SECTION_THEMES, "list", ("themes_in_common",), _text("Theme"), noun="theme"),
    Section(
        "managers",
        b.SECTION_MANAGERS,
        "list",
        ("learning_points_managers",),
        _text("Learning point"),
        noun="learning point",
    ),
    Section(
        "practitioners",
        b.SECTION_PRACTITIONERS,
        "list",
        ("action_points_practitioners",),
        _text("Action point"),
        noun="action point",
    ),
    Section(
        "inter-agency", b.SECTION_INTER_AGENCY, "list", ("key_messages",), _text("Key message"), noun="key message"
    ),
    Section(
        "since-last",
        b.SECTION_SINCE_LAST,
        "list",
        ("since_last",),
        (
            Part("text", "What we said we would do", ITEM_LENGTH, multiline=True),
            Part("status", "Status", LABEL_LENGTH, required=False, hint="Optional. Like Complete, or Amber – at risk"),
            Part("progress", "What happened", ITEM_LENGTH, multiline=True, required=False),
        ),
        noun="earlier recommendation",
    ),
    Section(
        "recommendations",
        b.SECTION_RECOMMENDATIONS,
        "list",
        ("recommendations",),
        (
            Part("text", "Recommendation", ITEM_LENGTH, multiline=True),
            Part("lead", "Lead", LABEL_LENGTH, required=False, hint="Optional. The agency or group that leads"),
            Part("timeframe", "Time frame", LABEL_LENGTH, required=False, hint="Optional. Like By March 2027"),
        ),
        noun="recommendation",
    ),
    Section("resources", b.SECTION_RESOURCES, "list", ("resources",), RESOURCE_PARTS, noun="resource"),
)
BY_KEY = {section.key: section for section in SECTIONS}
# Drafting a section again also brings these up to date: the title block follows the current settings.
REFRESH_ALSO = {"title": ("partnership_name", "accent_colour"), "themes": ("themes_note",)}
# The settings page edits the partnership's resources with the same list editor.
SETTINGS_RESOURCES = Section(
    "resources", "Resources and reminders", "list", ("resources",), RESOURCE_PARTS, noun="resource"
)


def items_of(section: Section, values: list[Any]) -> list[dict[str, str]]:
    """A list section's stored values as records of its parts (plain strings become ``{"text": …}``)."""
    if section.plain:
        return [{"text": value} for value in values]
    return [{part.name: str(value.get(part.name, "") or "") for part in section.parts} for value in values]


def stored(section: Section, items: list[dict[str, str]]) -> list[str | dict[str, str]]:
    """Records as the content keeps them: the reverse of ``items_of``."""
    if section.plain:
        return [item["text"] for item in items]
    return [{part.name: item.get(part.name, "") for part in section.parts} for item in items]


def is_blank(item: dict[str, str]) -> bool:
    """Whether every box of an item looks empty (spaces and invisible characters count as empty)."""
    return all(is_blank_looking(value) for value in item.values())


def move(items: list[dict[str, str]], action: str) -> list[dict[str, str]]:
    """Apply "up-N", "down-N" or "remove-N" (N counts from 0) to a copy of ``items``; anything else changes nothing."""
    verb, _, number = action.partition("-")
    items = list(items)
    if not number.isdigit() or int(number) >= len(items):
        return items
    index = int(number)
    if verb == "remove":
        del items[index]
    elif verb in ("up", "down"):
        other = index - 1 if verb == "up" else index + 1
        if 0 <= other < len(items):
            items[index], items[other] = items[other], items[index]
    return items


def section_summary(section: Section, content: dict[str, Any]) -> str:
    """A short line saying what a section holds now, for the composer's list of sections."""
    if section.kind == "fields":
        values = [str(content.get(name) or "") for name in section.fields]
        text = " – ".join(v for v in values if v)
        return shortened(text, 120) if text else "Empty"
    items = list(content.get(section.fields[0]) or [])
    if section.key == "themes" and not items and content.get("themes_note"):
        return "No theme in common with earlier audits"
    if items == [NO_THEMES_YET]:  # a draft from before the sentence became a note of its own
        return "No earlier audit to compare with yet"
    count = len(items)
    if not count:
        return "Empty"
    return f"{count} {section.noun}{'' if count == 1 else 's'}"
