"""Text that prints: what Word and Outlook paste is normalised, and what the font lacks is marked visibly."""

import io

from pypdf import PdfReader

from audit_tools.briefing import BriefingContent
from audit_tools.text import printable_text
from reports.briefing_pdf import build_briefing_pdf
from reports.pdf_text import MISSING_MARK, clean, unprintable


def test_invisible_formatting_is_removed_and_text_composed():
    pasted = "\ufeffzero\u200bwidth\u200c\u200d soft\u00adhyphen \u200eleft\u200f \u202aembedded\u202c \u2066iso\u2069"
    assert printable_text(pasted) == "zerowidth softhyphen left embedded iso"
    assert printable_text("cafe\u0301") == "café"  # one composed character, as the font draws it
    assert printable_text("line\u2028next\u2029para") == "line\nnext\npara"


def test_characters_the_font_lacks_are_replaced_visibly_and_listed():
    text = "Thumbs up 👍 for Łukasz and Nguyễn"
    assert clean(text) == f"Thumbs up {MISSING_MARK} for Łukasz and Nguyễn"
    assert unprintable([text, "no problem here", "👍 again 🫠"]) == ["👍", "🫠"]
    assert unprintable(["zero\u200bwidth\u00ad"]) == []  # normalised away, so nothing to warn of


def test_the_pdf_text_has_no_invisible_characters_and_shows_the_mark():
    content = BriefingContent(
        "Partnership", "Eyes On", "Neglect", "1 May 2026", "1", "", ("Plans\u200b were\u00adclear 👍",)
    )
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(build_briefing_pdf(content))).pages)
    assert "Plans wereclear" in text and MISSING_MARK in text
    assert not any(ch in text for ch in "\u200b\u00ad\ufeff👍")
