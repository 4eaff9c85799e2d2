"""The briefing's TrueType font: DejaVu Sans, which ships inside matplotlib.

reportlab's built-in Helvetica only covers Latin-1, so names such as "Łukasz" or
"Nguyễn" would print as boxes; DejaVu Sans covers most scripts seen in practice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

import matplotlib
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics, ttfonts
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
    _mend_to_unicode_maps()
    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    for suffix, filename in _FILES.items():
        name = FAMILY + suffix
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(folder / filename)))
    names = FontNames(FAMILY, FAMILY + "-Bold", FAMILY + "-Italic", FAMILY + "-BoldItalic")
    faces: tuple[tuple[Literal[0, 1], Literal[0, 1], str], ...] = (
        (0, 0, names.regular),
        (1, 0, names.bold),
        (0, 1, names.italic),
        (1, 1, names.bold_italic),
    )
    for bold, italic, face in faces:
        addMapping(FAMILY, bold, italic, face)
    return names


def _mend_to_unicode_maps() -> None:
    """Make reportlab write characters beyond U+FFFF (emoji, mathematical letters) as UTF-16 in its ToUnicode maps.

    reportlab 4.4 writes them as five hex digits ("<1F60D>"), which PDF readers reject, so
    copying, searching and screen readers lose them, and with them often the rest of the
    font's map. The fix replaces only those entries, with the surrogate pair ("<D83DDE0D>"), and leaves
    out the unused codes that reportlab maps to U+0000.
    """
    original = ttfonts.makeToUnicodeCMap
    if getattr(original, "mended", False):
        return

    def make_to_unicode_cmap(fontname: str, subset: Sequence[int]) -> str:
        cmap = original(fontname, subset)
        for code, value in enumerate(subset):
            if value > 0xFFFF:
                utf16 = chr(value).encode("utf-16-be").hex().upper()
                cmap = cmap.replace(f"<{code:02X}> <{value:04X}>\n", f"<{code:02X}> <{utf16}>\n", 1)
        # Unused codes of a subset are mapped to U+0000, which PDF/UA forbids (text must map to real
        # characters): leave them out of the map instead, and count the entries that stay.
        unused = [code for code, value in enumerate(subset) if value == 0]
        for code in unused:
            cmap = cmap.replace(f"\n<{code:02X}> <0000>", "", 1)
        return cmap.replace(f"{len(subset)} beginbfchar", f"{len(subset) - len(unused)} beginbfchar", 1)

    make_to_unicode_cmap.mended = True  # type: ignore[attr-defined]  # a marker read back by getattr above
    ttfonts.makeToUnicodeCMap = make_to_unicode_cmap


@cache
def _covered() -> frozenset[int]:
    """The code points every face of the family can draw (the regular face's, less any the others lack)."""
    names = register_fonts()
    faces = [pdfmetrics.getFont(name) for name in (names.regular, names.bold, names.italic, names.bold_italic)]
    maps = [set(face.face.charToGlyph) for face in faces]  # type: ignore[attr-defined]  # TTFont's face: untyped
    return frozenset(set.intersection(*maps))


def covers(character: str) -> bool:
    """Whether the briefing's font draws ``character`` (a space or a character it has a glyph for)."""
    return ord(character) in _covered()
