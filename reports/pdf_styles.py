"""Page geometry, colours and paragraph styles for the briefing PDF."""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm

from reports.colours import TEXT_DARK, mix, parse_hex, readable_on_white, text_on
from reports.fonts import register_fonts

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 20 * mm
FOOTER_HEIGHT = 14 * mm
FRAME_WIDTH = PAGE_WIDTH - 2 * MARGIN
MUTED = "#505a5f"
RULE = "#b1b4b6"


@dataclass(frozen=True)
class Palette:
    """The colours derived from the partnership's accent colour."""

    accent: str  # as set, used for large areas (the header band, bars)
    accent_text: str  # accent darkened if needed to be readable as text on white
    on_accent: str  # text colour on the band
    tint: str  # a pale wash of the accent for boxes

    @classmethod
    def from_accent(cls, accent_colour: str) -> Palette:
        """Build a palette from a person-chosen colour, falling back to the default."""
        accent = parse_hex(accent_colour)
        return cls(accent, readable_on_white(accent), text_on(accent), mix(accent, "#ffffff", 0.9))


def make_styles(palette: Palette) -> dict[str, ParagraphStyle]:
    """The named paragraph styles used throughout the briefing."""
    fonts = register_fonts()
    body = ParagraphStyle(
        "Body",
        fontName=fonts.regular,
        fontSize=9.5,
        leading=12.5,
        textColor=HexColor(TEXT_DARK),
        spaceAfter=5,
        splitLongWords=1,
        wordWrap=None,
        allowWidows=0,
        allowOrphans=0,
    )
    return {
        "body": body,
        "lead": ParagraphStyle("Lead", body, fontSize=10.5, leading=15.5),
        "heading": ParagraphStyle(
            "Heading",
            body,
            fontName=fonts.bold,
            fontSize=14,
            leading=18,
            spaceBefore=8,
            spaceAfter=4,
            textColor=HexColor(palette.accent_text),
        ),
        "column_heading": ParagraphStyle(
            "ColumnHeading",
            body,
            fontName=fonts.bold,
            fontSize=13,
            leading=17,
            spaceBefore=8,
            spaceAfter=4,
            textColor=HexColor(palette.accent_text),
            keepWithNext=1,
        ),
        "subheading": ParagraphStyle(
            "Subheading",
            body,
            fontName=fonts.bold,
            fontSize=11,
            leading=15,
            spaceBefore=6,
            spaceAfter=3,
            textColor=HexColor(TEXT_DARK),
            keepWithNext=1,
        ),
        "bullet": ParagraphStyle(
            "Bullet",
            body,
            leftIndent=16,
            bulletIndent=3,
            spaceAfter=2.5,
            bulletFontName=fonts.bold,
            bulletColor=HexColor(TEXT_DARK),
        ),
        "empty": ParagraphStyle("Empty", body, fontName=fonts.italic, textColor=HexColor(MUTED)),
        "callout": ParagraphStyle(
            # reportlab takes a padding per side (top, right, bottom, left); types-reportlab allows only a float
            "Callout",
            body,
            fontSize=10,
            leading=14.5,
            backColor=HexColor(palette.tint),
            borderPadding=(8, 10, 8, 10),  # type: ignore[arg-type]
            leftIndent=10,
            rightIndent=10,
            spaceBefore=10,
            spaceAfter=10,
        ),
        "small": ParagraphStyle("Small", body, fontSize=8.5, leading=11.5, textColor=HexColor(MUTED), spaceAfter=0),
        "note": ParagraphStyle("Note", body, fontSize=9.5, leading=13, spaceBefore=12),
        "figure": ParagraphStyle(
            "Figure",
            body,
            fontName=fonts.bold,
            fontSize=20,
            leading=24,
            textColor=HexColor(palette.accent_text),
            spaceAfter=2,
        ),
        "figure_words": ParagraphStyle(
            "FigureWords",
            body,
            fontName=fonts.bold,
            fontSize=15,
            leading=18,
            textColor=HexColor(palette.accent_text),
            spaceAfter=4,
        ),
        "caption": ParagraphStyle("Caption", body, fontSize=9, leading=12, spaceAfter=0),
        "chart_title": ParagraphStyle("ChartTitle", body, fontName=fonts.bold, fontSize=9.5, leading=13, spaceAfter=2),
        "cell": ParagraphStyle("Cell", body, fontSize=9, leading=12, spaceAfter=0),
        "cell_head": ParagraphStyle("CellHead", body, fontName=fonts.bold, fontSize=9, leading=12, spaceAfter=0),
        **_band_styles(palette, fonts.regular, fonts.bold),
    }


def _band_styles(palette: Palette, regular: str, bold: str) -> dict[str, ParagraphStyle]:
    colour = HexColor(palette.on_accent)
    return {
        "band_org": ParagraphStyle(
            "BandOrg", fontName=bold, fontSize=10, leading=13, textColor=colour, splitLongWords=1, spaceAfter=2
        ),
        "band_series": ParagraphStyle(
            "BandSeries", fontName=regular, fontSize=12, leading=16, textColor=colour, splitLongWords=1, spaceAfter=14
        ),
        "band_title": ParagraphStyle(
            "BandTitle", fontName=bold, fontSize=22, leading=27, textColor=colour, splitLongWords=1, spaceAfter=8
        ),
        "band_meta": ParagraphStyle(
            "BandMeta", fontName=regular, fontSize=9.5, leading=13, textColor=colour, splitLongWords=1
        ),
    }
