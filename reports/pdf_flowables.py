"""The building blocks of the briefing PDF: header band, headings, lists, panels, tables.

Each function takes already-chosen styles and plain strings; every string goes
through ``pdf_text.markup`` (or ``link_markup``) before it reaches a ``Paragraph``.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from reportlab.lib.colors import HexColor, white
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Flowable, Image, Paragraph, Table, TableStyle

from audit_tools.briefing import KeyFigure, Recommendation, Resource
from reports.pdf_styles import FRAME_WIDTH, MUTED, RULE, Palette
from reports.pdf_text import clean, link_markup, markup, safe_href, shorten

NONE_RECORDED = "None recorded for this audit."
BULLET = "•"
TICK = "✓"
_GUTTER = 8


class HeaderBand(Flowable):
    """A full-bleed band in the accent colour holding the briefing's title block."""

    def __init__(self, paragraphs: Sequence[Paragraph], colour: str, bleed: float, padding: float = 26):
        super().__init__()
        self.paragraphs, self.colour, self.bleed, self.padding = list(paragraphs), colour, bleed, padding

    def wrap(self, available_width, available_height):
        self.width = available_width
        heights = [p.wrap(available_width, available_height)[1] + _space_after(p) for p in self.paragraphs]
        self.height = 1.25 * self.padding + sum(heights) - _space_after(self.paragraphs[-1]) + self.padding
        return self.width, self.height

    def draw(self):
        self.canv.setFillColor(HexColor(self.colour))
        self.canv.rect(-self.bleed, 0, self.width + 2 * self.bleed, self.height, stroke=0, fill=1)
        y = self.height - 1.25 * self.padding
        for paragraph in self.paragraphs:
            y -= paragraph.height
            paragraph.drawOn(self.canv, 0, y)
            y -= _space_after(paragraph)


def _space_after(paragraph: Paragraph) -> float:
    return paragraph.style.spaceAfter or 0


def section_heading(text: str, style: ParagraphStyle) -> Paragraph:
    """A section heading that the document template turns into an outline entry."""
    heading = Paragraph(markup(text), style)
    heading.outline_title = clean(text)  # read by BriefingDocTemplate.afterFlowable
    return heading


def paragraphs(texts: Sequence[str], style: ParagraphStyle, empty: ParagraphStyle) -> list[Flowable]:
    """One paragraph per text, or a short 'none recorded' note."""
    if not texts:
        return [Paragraph(NONE_RECORDED, empty)]
    return [Paragraph(markup(text), style) for text in texts]


def bullets(items: Sequence[str], style: ParagraphStyle, empty: ParagraphStyle, mark: str = BULLET) -> list[Flowable]:
    """A bulleted (or ticked) list; each item may run across pages."""
    if not items:
        return [Paragraph(NONE_RECORDED, empty)]
    return [Paragraph(markup(item), style, bulletText=mark) for item in items]


def resource_list(resources: Sequence[Resource], styles: dict, palette: Palette) -> list[Flowable]:
    """Resources as bullets: live links for http(s)/mailto, plain text otherwise."""
    if not resources:
        return [Paragraph(NONE_RECORDED, styles["empty"])]
    return [Paragraph(_resource_markup(r, palette.accent_text), styles["bullet"], bulletText=BULLET) for r in resources]


def _resource_markup(resource: Resource, colour: str) -> str:
    title = resource.title or resource.url
    text = link_markup(title, resource.url, colour)
    shown_url = clean(resource.url).strip()
    if shown_url and shown_url != clean(title).strip():
        address = shown_url.removeprefix("mailto:") if safe_href(shown_url) else shown_url
        text += f' <font color="{MUTED}" size="8.5">– {markup(address)}</font>'
    return text


def key_figure_panel(figures: Sequence[KeyFigure], styles: dict, palette: Palette) -> Table:
    """Key figures as a grid of tinted boxes, each a big number over its caption."""
    columns = 3 if len(figures) in (5, 6, 9) else min(len(figures), 4)
    cells = [[Paragraph(markup(f.value), styles["figure"]), Paragraph(markup(f.label), styles["caption"])] for f in figures]
    cells += [""] * (-len(cells) % columns)
    rows = [cells[i : i + columns] for i in range(0, len(cells), columns)]
    table = Table(rows, colWidths=[FRAME_WIDTH / columns] * columns, splitInRow=1, hAlign="LEFT")
    table.setStyle(TableStyle(_figure_box_style(len(figures), columns, palette)))
    return table


def _figure_box_style(count: int, columns: int, palette: Palette) -> list[tuple]:
    commands: list[tuple] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 12),
        ("RIGHTPADDING", (0, 0), (-1, -1), 12),
        ("TOPPADDING", (0, 0), (-1, -1), 10),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 12),
    ]
    for index in range(count):
        cell = (index % columns, index // columns)
        commands.append(("BACKGROUND", cell, cell, HexColor(palette.tint)))
        commands.append(("LINEABOVE", cell, cell, 3, HexColor(palette.accent)))
    commands.append(("LINEAFTER", (0, 0), (-2, -1), _GUTTER, white))  # gutters between boxes
    commands.append(("LINEBELOW", (0, 0), (-1, -2), _GUTTER, white))
    return commands


def chart_grid(charts: Sequence[tuple[str, bytes]], styles: dict, column_width: float) -> Table:
    """Chart images with their titles, two to a row."""
    cells = [[Paragraph(markup(shorten(title, 200)), styles["chart_title"]), _image(png, column_width)] for title, png in charts]
    cells += [""] * (len(cells) % 2)
    rows = [cells[i : i + 2] for i in range(0, len(cells), 2)]
    table = Table(rows, colWidths=[FRAME_WIDTH / 2] * 2, hAlign="LEFT")  # a title stays with its chart
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 10),
    ]))
    return table


def _image(png: bytes, width: float, max_height: float = 430) -> Image:
    pixels_wide, pixels_high = ImageReader(io.BytesIO(png)).getSize()
    height = width * pixels_high / pixels_wide
    if height > max_height:  # a chart with very many bars: shrink rather than overflow
        width, height = width * max_height / height, max_height
    return Image(io.BytesIO(png), width=width, height=height, hAlign="LEFT")


def recommendation_table(recommendations: Sequence[Recommendation], styles: dict, palette: Palette) -> Flowable:
    """The action plan as a table whose header row repeats on each page."""
    if not recommendations:
        return Paragraph(NONE_RECORDED, styles["empty"])
    head = [Paragraph(text, styles["cell_head"]) for text in ("Recommendation", "Lead", "Time frame")]
    rows = [head] + [_recommendation_row(number, r, styles["cell"]) for number, r in enumerate(recommendations, 1)]
    widths = [FRAME_WIDTH * share for share in (0.6, 0.22, 0.18)]
    table = Table(rows, colWidths=widths, repeatRows=1, splitInRow=1, hAlign="LEFT")
    table.setStyle(TableStyle(_recommendation_style(palette)))
    return table


def _recommendation_row(number: int, recommendation: Recommendation, style: ParagraphStyle) -> list[Paragraph]:
    text = f"<b>{number}.</b> {markup(recommendation.text)}"
    return [Paragraph(text, style)] + [Paragraph(markup(v) or "–", style) for v in (recommendation.lead, recommendation.timeframe)]


def _recommendation_style(palette: Palette) -> list[tuple]:
    return [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), HexColor(palette.tint)),
        ("LINEBELOW", (0, 0), (-1, 0), 1.5, HexColor(palette.accent)),
        ("LINEBELOW", (0, 1), (-1, -1), 0.5, HexColor(RULE)),
        ("TOPPADDING", (0, 0), (-1, -1), 6),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 7),
        ("LEFTPADDING", (0, 0), (-1, -1), 6),
        ("RIGHTPADDING", (0, 0), (-1, -1), 6),
    ]
