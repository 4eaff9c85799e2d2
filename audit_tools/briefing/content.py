"""The content of an "Eyes On"-style learning briefing, as plain data.

``reports`` renders a ``BriefingContent`` to PDF or HTML; nothing here knows about
either. Every string may have been typed by a person, so renderers must escape it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

# The briefing's sections, in reading order (DESIGN §5). Renderers and tests use
# these headings so the PDF, the web page and the checks never drift apart.
SECTION_DEFINITION = "What we mean by neglect"
SECTION_SUMMARY = "Summary"
SECTION_AT_A_GLANCE = "At a glance"
SECTION_FINDINGS = "Findings"
SECTION_WORKED_WELL = "What worked well"
SECTION_TO_CHANGE = "What needs to change"
SECTION_THEMES = "Themes in common with other audits"
SECTION_MANAGERS = "Learning points for managers"
SECTION_PRACTITIONERS = "Action points for practitioners"
SECTION_INTER_AGENCY = "Key messages for inter-agency learning"
SECTION_SINCE_LAST = "Since the last audit"
SECTION_RECOMMENDATIONS = "Recommendations and action plan"
SECTION_RESOURCES = "Resources and reminders"


@dataclass(frozen=True)
class KeyFigure:
    """A large number with its caption, e.g. ("6", "children's cases audited")."""

    value: str
    label: str


@dataclass(frozen=True)
class Chart:
    """A bar chart's data; renderers draw it and also give it as a table."""

    title: str
    labels: tuple[str, ...]
    values: tuple[int, ...]
    value_label: str = "Number of returns"
    note: str = ""  # printed under the chart, e.g. which small numbers were left out

    @property
    def description(self) -> str:
        """A text alternative that states every bar (and the note, when there is one)."""
        parts = [f"{label}: {value}" for label, value in zip(self.labels, self.values, strict=False)]
        if not parts or not any(self.values):
            return f"{self.title}. No data."
        note = f" {self.note}" if self.note else ""
        return f"{self.title}. " + "; ".join(parts) + "." + note


@dataclass(frozen=True)
class Recommendation:
    text: str
    lead: str = ""
    timeframe: str = ""


@dataclass(frozen=True)
class Progress:
    """What the last audit on the topic said would be done, its status in words, and what happened."""

    text: str
    status: str = ""
    progress: str = ""


@dataclass(frozen=True)
class Resource:
    title: str
    url: str = ""


@dataclass(frozen=True)
class BriefingContent:
    """Everything a briefing shows, already worded; lists are in display order."""

    partnership_name: str
    series_title: str
    topic: str
    date: str
    version: str
    definition: str
    summary: tuple[str, ...]
    key_figures: tuple[KeyFigure, ...] = ()
    charts: tuple[Chart, ...] = ()
    findings: tuple[str, ...] = ()  # what the audit saw in the children's cases
    themes_in_common: tuple[str, ...] = ()
    learning_points_managers: tuple[str, ...] = ()
    action_points_practitioners: tuple[str, ...] = ()
    key_messages: tuple[str, ...] = ()
    recommendations: tuple[Recommendation, ...] = ()
    resources: tuple[Resource, ...] = ()
    accent_colour: str = "#1d70b8"
    web_url: str = ""  # where the accessible HTML version lives, when known
    author: str = field(default="")
    privacy_note: str = ""  # says that small numbers were hidden, when any were
    worked_well: tuple[str, ...] = ()  # findings on practice: what worked well
    to_change: tuple[str, ...] = ()  # and what needs to change
    # said instead of themes when none was found in an earlier audit, or before them when each was found in the
    # same earlier audits ("These themes were also found in …:")
    themes_note: str = ""
    since_last: tuple[Progress, ...] = ()  # the last audit's recommendations and what happened
    since_last_audit: str = ""  # the name of that audit

    @property
    def title(self) -> str:
        return f"Learning from the audit: {self.topic}"

    @property
    def definition_heading(self) -> str:
        if not self.topic:
            return SECTION_DEFINITION
        return f"What we mean by {self.topic[0].lower()}{self.topic[1:]}"


_NESTED = {
    "key_figures": KeyFigure,
    "charts": Chart,
    "recommendations": Recommendation,
    "resources": Resource,
    "since_last": Progress,
}


def content_to_dict(content: BriefingContent) -> dict[str, Any]:
    """The content as plain JSON-ready data (lists for tuples), to keep a draft or a published version."""
    data = asdict(content)
    return {key: _lists(value) for key, value in data.items()}


def content_from_dict(data: dict[str, Any]) -> BriefingContent:
    """The content back from ``content_to_dict``; unknown keys are ignored, missing ones take defaults."""
    known = {f.name for f in fields(BriefingContent)}
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key not in known:
            continue
        if key in _NESTED:
            values[key] = tuple(_NESTED[key](**_tuples(item)) for item in value)
        elif isinstance(value, list):
            values[key] = tuple(value)
        else:
            values[key] = value
    return BriefingContent(**values)


def _lists(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [_lists(v) for v in value]
    if isinstance(value, dict):
        return {k: _lists(v) for k, v in value.items()}
    return value


def _tuples(item: dict[str, Any]) -> dict[str, Any]:
    return {k: tuple(v) if isinstance(v, list) else v for k, v in item.items()}
