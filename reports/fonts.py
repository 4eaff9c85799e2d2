"""The briefing's TrueType font: DejaVu Sans, which ships inside matplotlib.

reportlab's built-in Helvetica only covers Latin-1, so names such as "Łukasz" or
"Nguyễn" would print as boxes; DejaVu Sans covers most scripts seen in practice.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import matplotlib
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FAMILY = "BriefingSans"
_FILES = {
    "": "DejaVuSans.ttf",
    "-Bold": "DejaVuSans-Bold.ttf",
    "-Italic": "DejaVuSans-Oblique.ttf",
    "-BoldItalic": "DejaVuSans-BoldOblique.ttf",
}


@dataclass(frozen=True)
class FontNames:
    """reportlab font names for each face of the family."""

    regular: str
    bold: str
    italic: str
    bold_italic: str


@cache
def register_fonts() -> FontNames:
    """Register the DejaVu Sans faces once and map ``<b>``/``<i>`` to them."""
    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    for suffix, filename in _FILES.items():
        name = FAMILY + suffix
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(folder / filename)))
    names = FontNames(FAMILY, FAMILY + "-Bold", FAMILY + "-Italic", FAMILY + "-BoldItalic")
    for bold, italic, face in ((0, 0, names.regular), (1, 0, names.bold), (0, 1, names.italic), (1, 1, names.bold_italic)):
        addMapping(FAMILY, bold, italic, face)
    return names
