"""A briefing's content as a PDF, as the web page and as a standalone HTML document.

The web page and the standalone document share one Jinja fragment (briefings/_content.html);
only how they show charts and the logo differs: the web page links to images the app serves,
the standalone document carries them inside itself as data URIs, so it needs nothing else.
"""

from __future__ import annotations

import base64
from datetime import datetime

from flask import current_app

from audit_app.data.branding import current_logo
from audit_app.data.briefings import briefing_logo
from audit_app.models import Briefing
from audit_tools.briefing import BriefingContent, content_from_dict
from reports.briefing_pdf import build_briefing_pdf
from reports.charts import DRAWING, bar_chart_png
from reports.colours import parse_hex, readable_on_white

WEB_CHART_WIDTH_IN = 6.0


def content_of(briefing: Briefing) -> BriefingContent:
    return content_from_dict(briefing.content)


def chart_png(content: BriefingContent, position: int) -> bytes | None:
    """Chart number ``position`` (from 1) as a PNG for the web page, or None when there is no such chart."""
    if not 1 <= position <= len(content.charts):
        return None
    # reports.charts draws it under its one lock.
    return bar_chart_png(
        content.charts[position - 1], colour=parse_hex(content.accent_colour), width_in=WEB_CHART_WIDTH_IN
    )


def briefing_pdf(content: BriefingContent, *, draft: bool = False, created: datetime | None = None) -> bytes:
    """The PDF, with the partnership's logo: one at a time, under the charts' one lock (reportlab's
    fonts and settings are process-wide too; the lock is re-entrant, so its charts take it again).

    ``draft`` marks every page DRAFT; ``created`` is the version's own date (its last save, or when published).
    """
    with DRAWING:
        return build_briefing_pdf(content, logo=briefing_logo(), draft=draft, created=created)


def version_pdf(briefing: Briefing) -> bytes:
    """An unpublished version's PDF as it stands, marked DRAFT and dated with its last save."""
    return briefing_pdf(content_of(briefing), draft=True, created=briefing.updated_at)


def standalone_html(content: BriefingContent) -> str:
    """One HTML file with everything inside it: styles, logo and charts (as images and as tables)."""
    charts = chart_data_uris(content)
    # Straight from the Jinja environment: the page needs no request, so the CLI can make it too.
    template = current_app.jinja_env.get_template("briefings/standalone.html")
    return template.render(
        content=content,
        chart_sources=charts,
        accent=readable_on_white(content.accent_colour),
        logo_source=logo_data_uri(),
    )


def chart_data_uris(content: BriefingContent) -> list[str]:
    """Each chart as a PNG inside a data URI, so a page needs no other request (and no sign-in) to show it."""
    return [
        _data_uri("image/png", png)
        for n in range(1, len(content.charts) + 1)
        if (png := chart_png(content, n)) is not None
    ]


def logo_data_uri() -> str | None:
    logo = current_logo()
    return _data_uri(logo.mimetype, logo.data) if logo else None


def _data_uri(mimetype: str, data: bytes) -> str:
    return f"data:{mimetype};base64,{base64.b64encode(data).decode('ascii')}"
