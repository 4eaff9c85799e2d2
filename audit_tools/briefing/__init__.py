"""The learning briefing: its content, the draft written from an analysis, its sections and the disclosure check before it is published."""

from __future__ import annotations

from audit_tools.briefing.checking import Finding, check_content, content_texts, unresolved
from audit_tools.briefing.content import (
    BriefingContent, Chart, KeyFigure, Recommendation, Resource, content_from_dict, content_to_dict,
)
from audit_tools.briefing.drafting import (
    BriefingSettings, INDEPENDENT, Learning, NO_THEMES_YET, ORDINAL, OTHER_ANSWERS, PARTITION, compliance_chart,
    draft_briefing, privacy_note, protect_chart,
)
from audit_tools.briefing.sections import (
    BY_KEY, LABEL_LENGTH, MAX_ITEMS, Part, REFRESH_ALSO, SECTIONS, SETTINGS_RESOURCES, Section, is_blank, items_of,
    move, section_summary, stored,
)

__all__ = [
    "BY_KEY", "BriefingContent", "BriefingSettings", "Chart", "Finding", "INDEPENDENT", "KeyFigure", "LABEL_LENGTH",
    "Learning", "MAX_ITEMS", "NO_THEMES_YET", "ORDINAL", "OTHER_ANSWERS", "PARTITION", "Part", "REFRESH_ALSO",
    "Recommendation", "Resource", "SECTIONS", "SETTINGS_RESOURCES", "Section", "check_content", "compliance_chart",
    "content_from_dict", "content_texts", "content_to_dict", "draft_briefing", "is_blank", "items_of", "move",
    "privacy_note", "protect_chart", "section_summary", "stored", "unresolved",
]
