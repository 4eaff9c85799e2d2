"""The disclosure check over every text of a briefing, and which hits people have let through.

A hit is resolved by editing it away or by an override that names its kind, its exact text
and its section, with a reason: the same words elsewhere in the briefing are checked again.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from audit_tools.briefing.sections import BY_KEY, Section, items_of
from audit_tools.learning import RAG_WORDS
from audit_tools.privacy import Hit, check_text

CONTEXT = 60  # characters shown either side of a hit
STATUS_WORDS = frozenset(RAG_WORDS.values())


@dataclass(frozen=True)
class Text:
    """One string of the briefing and where it is: ``item`` counts from 1, None for a single box."""

    section: Section
    item: int | None
    part: str
    text: str

    @property
    def place(self) -> str:
        where = f"{self.section.noun.capitalize()} {self.item}" if self.item else self.section.heading
        return where if self.part in ("", self.section.noun.capitalize()) else f"{where}, {self.part.lower()}"


@dataclass(frozen=True)
class Finding:
    """A hit in one text, with the override that lets it through (None while unresolved)."""

    where: Text
    hit: Hit
    override: dict[str, Any] | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        return override_key(self.hit.kind, self.hit.text, self.where.section.key)

    @property
    def before(self) -> str:
        text = self.where.text[max(0, self.hit.start - CONTEXT) : self.hit.start]
        return ("…" if self.hit.start > CONTEXT else "") + " ".join(text.split()) + (" " if text[-1:].isspace() else "")

    @property
    def after(self) -> str:
        text = self.where.text[self.hit.end : self.hit.end + CONTEXT]
        more = "…" if self.hit.end + CONTEXT < len(self.where.text) else ""
        return (" " if text[:1].isspace() else "") + " ".join(text.split()) + more


def override_key(kind: str, text: str, section: str) -> tuple[str, str, str]:
    return kind, text, section


def content_texts(content: dict[str, Any]) -> list[Text]:
    """Every string a reader of the briefing sees, except the date and version the workbench writes."""
    return list(_title_texts(content)) + [
        t for section in list(BY_KEY.values())[1:] for t in _section_texts(section, content)
    ]


def _title_texts(content: dict[str, Any]) -> Iterator[Text]:
    title = BY_KEY["title"]
    yield Text(title, None, "Partnership name", content.get("partnership_name") or "")
    for part in title.parts:
        yield Text(title, None, part.label, content.get(part.name) or "")


def _section_texts(section: Section, content: dict[str, Any]) -> Iterator[Text]:
    if section.kind == "fields":
        for part in section.parts:
            yield Text(section, None, part.label, content.get(part.name) or "")
    elif section.kind == "charts":
        for number, chart in enumerate(content.get("charts") or [], start=1):
            yield Text(section, number, "Title", chart.get("title", ""))
            yield Text(section, number, "Axis label", chart.get("value_label", ""))
            for label in chart.get("labels", []):
                yield Text(section, number, "Bar label", label)
            yield Text(section, number, "Note", chart.get("note", ""))
        yield Text(section, None, "Note on small numbers", content.get("privacy_note") or "")
    else:
        for number, item in enumerate(items_of(section, content.get(section.fields[0]) or []), start=1):
            for part in section.parts:
                if part.name == "status" and item.get(part.name, "") in STATUS_WORDS:
                    continue  # the workbench's own words for a status ("Amber – at risk"), not a person's
                label = section.noun.capitalize() if section.plain else part.label
                yield Text(section, number, label, item.get(part.name, ""))
        if section.key == "themes":
            yield Text(section, None, "Note", content.get("themes_note") or "")


def check_content(
    content: dict[str, Any],
    *,
    case_references: Iterable[str],
    names: Iterable[str],
    overrides: Iterable[dict[str, Any]] = (),
) -> list[Finding]:
    """Every possible identifier in the briefing, in reading order, each with its override if it has one."""
    allowed = {override_key(o["kind"], o["text"], o["section"]): o for o in overrides}
    references, names = sorted(set(case_references)), sorted(set(names))
    findings = []
    for text in content_texts(content):
        for hit in check_text(text.text, case_references=references, names=names) if text.text else ():
            findings.append(Finding(text, hit, allowed.get(override_key(hit.kind, hit.text, text.section.key))))
    return findings


def unresolved(findings: Iterable[Finding]) -> list[Finding]:
    return [finding for finding in findings if finding.override is None]
