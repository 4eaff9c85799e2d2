"""The building blocks of the briefing PDF: header band, headings, lists, panels, tables.

Each function takes already-chosen styles and plain strings; every string goes
through ``pdf_text.markup`` (or ``link_markup``) before it reaches a ``Paragraph``.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from reportlab.lib.colors import HexColor, white
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from audit_tools.briefing import Chart, KeyFigure, Progress, Recommendation, Resource
from reports.fonts import register_fonts
from reports.pdf_styles import FRAME_WIDTH, MUTED, PAGE_HEIGHT, RULE, Palette
from reports.pdf_tagging import Tag, TaggedImage, list_item, new_key
from reports.pdf_tagging import TaggedParagraph as Paragraph
from reports.pdf_text import clean, link_markup, markup, safe_href, shorten

NONE_RECORDED = "None recorded for this audit."
BULLET = "•"
TICK = "✓"
_GUTTER = 8
_LOGO_GAP = 16
# Tables name a font even when every cell is a Paragraph; without this it is Helvetica (Latin-1 only).
_TABLE_FONT = (("FONTNAME", (0, 0), (-1, -1), register_fonts().regular),)
# Key figures, leads and time frames are short by nature and sit in narrow boxes: longer text is cut
# (with "…") rather than run to many pages of a few letters a line.
_SHORT = 300
_FIGURE, _FIGURE_LABEL = 60, 200  # so that a row of key figures always fits on one page
_UNSPLIT_ROW = 200  # points: a table row up to this tall is never split across pages
_CHART_GAP = 10  # points above each chart's title
_MOST_CHART_COLUMN = 560  # points: charts run in two columns only when each fits on a page with room to spare
_LONG_FIGURE = 6  # characters: a longer key figure ("fewer than 6") is set smaller so it fits its box


class HeaderBand(Flowable):
    """A full-bleed band in the accent colour holding the briefing's title block, and the logo at its right."""

    def __init__(
        self, paragraphs: Sequence[Paragraph], colour: str, bleed: float, padding: float = 20, logo: Logo | None = None
    ) -> None:
        super().__init__()
        self.paragraphs, self.colour, self.bleed, self.padding = list(paragraphs), colour, bleed, padding
        self.logo = logo

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        text_width = available_width - (self.logo.width + _LOGO_GAP if self.logo else 0)
        heights = [p.wrap(text_width, available_height)[1] + _space_after(p) for p in self.paragraphs]
        text_height = sum(heights) - _space_after(self.paragraphs[-1])
        self.height = 1.25 * self.padding + max(text_height, self.logo.height if self.logo else 0) + self.padding
        return self.width, self.height

    def draw(self) -> None:
        self.canv.setFillColor(HexColor(self.colour))
        self.canv.rect(-self.bleed, 0, self.width + 2 * self.bleed, self.height, stroke=0, fill=1)
        top = self.height - 1.25 * self.padding
        if self.logo:
            self.logo.draw_on(self.canv, self.width - self.logo.width, top - self.logo.height)
        y = top
        for paragraph in self.paragraphs:
            y -= paragraph.height
            paragraph.drawOn(self.canv, 0, y)
            y -= _space_after(paragraph)


class Logo:
    """The partnership's logo on a white plate, scaled to fit a box and kept in proportion."""

    def __init__(self, image: ImageReader, max_width: float = 130, max_height: float = 58, plate: float = 6) -> None:
        pixels_wide, pixels_high = image.getSize()
        scale = min((max_width - 2 * plate) / pixels_wide, (max_height - 2 * plate) / pixels_high)
        self.image, self.plate = image, plate
        self.image_width, self.image_height = pixels_wide * scale, pixels_high * scale
        self.width, self.height = self.image_width + 2 * plate, self.image_height + 2 * plate

    @classmethod
    def from_bytes(cls, data: bytes | None) -> Logo | None:
        """The logo, or ``None`` when there is none or the bytes are not an image reportlab can read."""
        if not data:
            return None
        try:
            image = ImageReader(io.BytesIO(data))
            if min(image.getSize()) < 1:
                return None
        except Exception:  # noqa: BLE001 — a broken logo must not stop the briefing; it is left out
            return None
        return cls(image)

    def draw_on(self, canv: Canvas, x: float, y: float) -> None:
        canv.saveState()
        canv.setFillColor(white)
        canv.roundRect(x, y, self.width, self.height, 3, stroke=0, fill=1)
        canv.drawImage(self.image, x + self.plate, y + self.plate, self.image_width, self.image_height, mask="auto")
        canv.restoreState()


def _space_after(paragraph: Paragraph) -> float:
    return paragraph.style.spaceAfter or 0


class SectionHeading(Paragraph):
    """A section heading that puts itself in the PDF's outline where it is drawn, so it is found in a
    column as well as on the page."""

    def __init__(self, text: str, style: ParagraphStyle, role: str = "H2") -> None:
        super().__init__(markup(text), style, tag=Tag(role))
        self.outline_title = clean(text)

    def draw(self) -> None:
        super().draw()
        if self.tag.role != "H2":  # the outline lists the sections, as the web version's h2 headings do
            return
        number = getattr(self.canv, "_briefing_sections", 0) + 1
        self.canv._briefing_sections = number  # type: ignore[attr-defined]  # a counter kept on the canvas
        key = f"section-{number}"
        self.canv.bookmarkHorizontal(key, 0, self.height)
        self.canv.addOutlineEntry(self.outline_title, key, level=0)


def section_heading(text: str, style: ParagraphStyle, role: str = "H2") -> Paragraph:
    """A section heading (H2, or H3 within a section) that is also an outline entry."""
    return SectionHeading(text, style, role)


class WithFirstItem(Flowable):
    """A heading and the start of the item after it, laid out as one: never a heading alone at the foot of a
    column or a page.

    reportlab's ``BalancedColumns`` ignores ``keepWithNext`` and cannot hold a ``KeepTogether`` (it raises
    ``_FrameBreak``), so the heading and the first item are one flowable here. When both do not fit, the
    item is split (a long one keeps its first lines with the heading, the rest follows as usual); when not
    even its first lines fit, nothing is placed and the pair moves on to the next column or page.
    """

    def __init__(self, heading: Flowable, first: Flowable) -> None:
        super().__init__()
        self.heading, self.first = heading, first
        self._gap = max(heading.getSpaceAfter(), first.getSpaceBefore())

    def getSpaceBefore(self) -> float:  # noqa: N802  # reportlab's names
        return self.heading.getSpaceBefore()

    def getSpaceAfter(self) -> float:  # noqa: N802
        return self.first.getSpaceAfter()

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self._heading_height = self.heading.wrap(available_width, available_height)[1]
        self._first_height = self.first.wrap(available_width, available_height)[1]
        self.width, self.height = available_width, self._heading_height + self._gap + self._first_height
        return self.width, self.height

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        self.wrap(available_width, available_height)
        if self.height <= available_height:
            return [self]
        room = available_height - self._heading_height - self._gap
        parts = self.first.split(available_width, room) if room > 0 else []
        if len(parts) < 2:
            return []
        return [WithFirstItem(self.heading, parts[0]), *parts[1:]]

    def draw(self) -> None:
        self.heading.drawOn(self.canv, 0, self.height - self._heading_height)
        self.first.drawOn(self.canv, 0, 0)


def with_first_item(heading: Flowable, body: Sequence[Flowable]) -> list[Flowable]:
    """The heading kept with the start of its body's first item, then the rest of the body."""
    return [WithFirstItem(heading, body[0]), *body[1:]] if body else [heading]


def paragraphs(texts: Sequence[str], style: ParagraphStyle, empty: ParagraphStyle) -> list[Flowable]:
    """One paragraph per text, or a short 'none recorded' note."""
    if not texts:
        return [Paragraph(NONE_RECORDED, empty)]
    return [Paragraph(markup(text), style) for text in texts]


def bullets(items: Sequence[str], style: ParagraphStyle, empty: ParagraphStyle, mark: str = BULLET) -> list[Flowable]:
    """A bulleted (or ticked) list; each item may run across pages."""
    if not items:
        return [Paragraph(NONE_RECORDED, empty)]
    key = new_key("list")
    return [Paragraph(markup(item), style, bulletText=mark, tag=list_item(key)) for item in items]


def resource_list(resources: Sequence[Resource], styles: dict[str, ParagraphStyle], palette: Palette) -> list[Flowable]:
    """Resources as bullets: live links for http(s)/mailto, plain text otherwise."""
    if not resources:
        return [Paragraph(NONE_RECORDED, styles["empty"])]
    key = new_key("list")
    return [
        Paragraph(_resource_markup(r, palette.accent_text), styles["bullet"], bulletText=BULLET, tag=list_item(key))
        for r in resources
    ]


def _resource_markup(resource: Resource, colour: str) -> str:
    title = resource.title or resource.url
    text = link_markup(title, resource.url, colour)
    shown_url = clean(resource.url).strip()
    if shown_url and shown_url != clean(title).strip():
        address = shown_url.removeprefix("mailto:") if safe_href(shown_url) else shown_url
        text += f' <font color="{MUTED}" size="8.5">– {markup(address)}</font>'
    return text


def key_figure_panel(figures: Sequence[KeyFigure], styles: dict[str, ParagraphStyle], palette: Palette) -> Table:
    """Key figures as a grid of tinted boxes, each a big number over its caption."""
    columns = 3 if len(figures) in (5, 6, 9) else min(len(figures), 4)
    cells: list[list[Paragraph] | str]  # a row is filled up with empty cells
    cells = [
        [
            Paragraph(
                markup(shorten(f.value, _FIGURE)), styles["figure_words" if len(f.value) > _LONG_FIGURE else "figure"]
            ),
            Paragraph(markup(shorten(f.label, _FIGURE_LABEL)), styles["caption"]),
        ]
        for f in figures
    ]
    cells += [""] * (-len(cells) % columns)
    rows = [cells[i : i + columns] for i in range(0, len(cells), columns)]
    # Rows are never split: half a box at the foot of a page and its empty end on the next looks broken.
    table = Table(rows, colWidths=[FRAME_WIDTH / columns] * columns, hAlign="LEFT")
    table.setStyle(TableStyle(_figure_box_style(len(figures), columns, palette)))
    return table


def _figure_box_style(count: int, columns: int, palette: Palette) -> list[tuple[Any, ...]]:
    commands: list[tuple[Any, ...]] = [
        *_TABLE_FONT,
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 12),
        ("RIGHTPADDING", (0, 0), (-1, -1), 12),
        ("TOPPADDING", (0, 0), (-1, -1), 7),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
    ]
    for index in range(count):
        cell = (index % columns, index // columns)
        commands.append(("BACKGROUND", cell, cell, HexColor(palette.tint)))
        commands.append(("LINEABOVE", cell, cell, 3, HexColor(palette.accent)))
    commands.append(("LINEAFTER", (0, 0), (-2, -1), _GUTTER, white))  # gutters between boxes
    commands.append(("LINEBELOW", (0, 0), (-1, -2), _GUTTER, white))
    return commands


def chart_grid(
    charts: Sequence[tuple[Chart, bytes]], styles: dict[str, ParagraphStyle], column_width: float, columns: int = 3
) -> Table:
    """Chart images with their titles (and notes on what was left out), ``columns`` to a row.

    With two columns, the charts may instead run down the left column and then the right (the same
    reading order), split where the two columns come out most even, when that is shorter than rows:
    a row pairs a two-bar chart with an eight-bar one and leaves a hole under the short one.
    """
    cells: list[list[Flowable]] = [
        [Paragraph(markup(shorten(chart.title, 200)), styles["chart_title"]), _image(png, column_width, chart)]
        + ([Paragraph(markup(shorten(chart.note, 400)), styles["small"])] if chart.note else [])
        for chart, png in charts
    ]
    share = FRAME_WIDTH / columns
    heights = [_CHART_GAP + sum(part.wrap(column_width, PAGE_HEIGHT)[1] for part in cell) for cell in cells]
    rows: list[list[Any]] = [cells[i : i + columns] for i in range(0, len(cells), columns)]
    rows[-1] += [""] * (columns - len(rows[-1]))
    if columns == 2 and len(cells) > 2:
        in_rows = sum(max(heights[i : i + 2]) for i in range(0, len(heights), 2))
        split = min(range(1, len(cells)), key=lambda k: max(sum(heights[:k]), sum(heights[k:])))
        in_columns = max(sum(heights[:split]), sum(heights[split:]))
        if in_columns < in_rows and in_columns <= _MOST_CHART_COLUMN:  # one row is never split across pages
            rows = [[_stacked(cells[:split]), _stacked(cells[split:])]]
    table = Table(rows, colWidths=[share] * columns, hAlign="LEFT")  # a title stays with its chart
    table.setStyle(
        TableStyle(
            [
                *_TABLE_FONT,
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), share - column_width),  # a gutter between the columns
                ("TOPPADDING", (0, 0), (-1, -1), _CHART_GAP),
            ]
        )
    )
    return table


def _stacked(cells: Sequence[list[Flowable]]) -> list[Flowable]:
    """Several charts' cells one under another in one table cell, spaced as rows would be."""
    stacked: list[Flowable] = []
    for cell in cells:
        stacked += ([Spacer(1, _CHART_GAP)] if stacked else []) + cell
    return stacked


def _image(png: bytes, width: float, chart: Chart, max_height: float = 430) -> TaggedImage:
    pixels_wide, pixels_high = ImageReader(io.BytesIO(png)).getSize()
    height = width * pixels_high / pixels_wide
    if height > max_height:  # a chart with very many bars: shrink rather than overflow
        width, height = width * max_height / height, max_height
    return TaggedImage(io.BytesIO(png), width=width, height=height, hAlign="LEFT", alt=clean(chart.description))


def recommendation_table(
    recommendations: Sequence[Recommendation], styles: dict[str, ParagraphStyle], palette: Palette
) -> Flowable:
    """The action plan as a table whose header row repeats on each page."""
    if not recommendations:
        return Paragraph(NONE_RECORDED, styles["empty"])
    table_key = new_key("table")
    header = (("Table", table_key), ("TR", new_key("row")))
    head = [
        Paragraph(text, styles["cell_head"], tag=Tag("TH", parents=header))
        for text in ("Recommendation", "Lead", "Time frame")
    ]
    rows = [head] + [
        _recommendation_row(number, r, styles["cell"], table_key) for number, r in enumerate(recommendations, 1)
    ]
    widths = [FRAME_WIDTH * share for share in (0.6, 0.22, 0.18)]
    # A recommendation moves to the next page whole, unless some row is too tall for that to look right.
    split = any(_row_height(row, widths) > _UNSPLIT_ROW for row in rows)
    table = Table(rows, colWidths=widths, repeatRows=1, splitInRow=int(split), hAlign="LEFT")
    table.setStyle(TableStyle(_recommendation_style(palette)))
    return table


def _row_height(row: Sequence[Paragraph], widths: Sequence[float]) -> float:
    return (
        max(cell.wrap(width - 12, 10_000)[1] for cell, width in zip(row, widths, strict=False)) + 13
    )  # with the padding


def _recommendation_row(
    number: int, recommendation: Recommendation, style: ParagraphStyle, table_key: str
) -> list[Paragraph]:
    text = f"<b>{number}.</b> {markup(recommendation.text)}"
    narrow = (shorten(recommendation.lead, _SHORT), shorten(recommendation.timeframe, _SHORT))
    row = (("Table", table_key), ("TR", new_key("row")))
    return [Paragraph(text, style, tag=Tag("TD", parents=row))] + [
        Paragraph(markup(v) or "–", style, tag=Tag("TD", parents=row)) for v in narrow
    ]


def _recommendation_style(palette: Palette) -> list[tuple[Any, ...]]:
    return [
        *_TABLE_FONT,
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), HexColor(palette.tint)),
        ("LINEBELOW", (0, 0), (-1, 0), 1.5, HexColor(palette.accent)),
        ("LINEBELOW", (0, 1), (-1, -1), 0.5, HexColor(RULE)),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
        ("LEFTPADDING", (0, 0), (-1, -1), 6),
        ("RIGHTPADDING", (0, 0), (-1, -1), 6),
    ]


def progress_table(items: Sequence[Progress], styles: dict[str, ParagraphStyle], palette: Palette) -> Flowable:
    """The last audit's recommendations: what was said, its status in words, and what happened."""
    table_key = new_key("table")
    header = (("Table", table_key), ("TR", new_key("row")))
    head = [
        Paragraph(text, styles["cell_head"], tag=Tag("TH", parents=header))
        for text in ("What we said we would do", "Status", "What happened")
    ]
    rows = [head]
    for item in items:
        row = (("Table", table_key), ("TR", new_key("row")))
        cells = (item.text, shorten(item.status, _SHORT), item.progress)
        rows.append([Paragraph(markup(v) or "–", styles["cell"], tag=Tag("TD", parents=row)) for v in cells])
    widths = [FRAME_WIDTH * share for share in (0.44, 0.18, 0.38)]
    split = any(_row_height(row, widths) > _UNSPLIT_ROW for row in rows)
    table = Table(rows, colWidths=widths, repeatRows=1, splitInRow=int(split), hAlign="LEFT")
    table.setStyle(TableStyle(_recommendation_style(palette)))
    return table
