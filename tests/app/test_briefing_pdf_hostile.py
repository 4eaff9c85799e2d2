"""Every string of the Big List of Naughty Strings (tests/data/blns.json, 515 strings), put into every
section of the briefing, still builds a PDF, and its text comes back out (pypdf extraction).

Ten builds: in build k, string i goes to section (i + k) mod 10, so each build holds all 515 strings
once and, over the ten builds, every string has been in every section.

The text is compared after this normalisation, which is all the PDF can honestly promise:

1. ``pdf_text.clean``: control characters, bidirectional overrides and lone surrogates are dropped
   before rendering, on purpose (they could make printed text read differently from what was typed).
2. Whitespace is removed on both sides (lines wrap, long words break), and so are invisible format
   characters (Unicode category Cf: zero-width spaces and joiners, soft hyphens, byte-order marks).
3. A character DejaVu Sans has no glyph for (Chinese, Japanese, Korean, emoji, mathematical letters…)
   prints as the visible replacement mark U+FFFD (``pdf_text.MISSING_MARK``); the expected text has it too.
   The list sections are built full width here (``columns=False``): pypdf's layout mode reads two
   columns side by side, line by line.
4. Right-to-left text (Hebrew, Arabic) is laid out without a bidirectional algorithm (in the order
   typed, left to right), and pypdf's plain extraction reorders or even drops such runs (and runs of
   digits and symbols next to them, e.g. "⅛⅜⅝⅞"). So a string with a right-to-left character, or with
   no left-to-right letter at all, is looked for in pypdf's layout-mode text instead, as a multiset of
   characters within its section (layout mode sets side-by-side table cells line by line).
5. Key figures, chart titles and notes, leads and time frames are cut to fit their boxes, as the
   renderer does (``pdf_text.shorten``). Chart bar labels are drawn inside the chart image, so they
   must not break the build but cannot be read back (twelve of each build's at-a-glance strings).

A string that is empty after normalisation (only whitespace or control characters) is only checked
to build. The title block (partnership, series, topic, date, version) is checked with a sample of
the strings in small builds of its own, because those fields also name the footer and a heading.
"""

from __future__ import annotations

import io
import json
import re
import unicodedata
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.pdfbase import pdfmetrics

from audit_tools.briefing import BriefingContent, Chart, KeyFigure, Recommendation, Resource
from audit_tools.briefing import content as b
from reports.briefing_pdf import build_briefing_pdf
from reports.fonts import register_fonts
from reports.pdf_text import MISSING_MARK, clean, shorten

STRINGS: list[str] = json.loads((Path(__file__).parents[1] / "data" / "blns.json").read_text(encoding="utf-8"))
SECTIONS = (
    "definition",
    "summary",
    "at_a_glance",
    "findings",
    "themes",
    "managers",
    "practitioners",
    "messages",
    "recommendations",
    "resources",
)
HEADINGS = (
    "What we mean by neglect",
    b.SECTION_SUMMARY,
    b.SECTION_AT_A_GLANCE,
    b.SECTION_FINDINGS,
    b.SECTION_THEMES,
    b.SECTION_MANAGERS,
    b.SECTION_PRACTITIONERS,
    b.SECTION_INTER_AGENCY,
    b.SECTION_RECOMMENDATIONS,
    b.SECTION_RESOURCES,
)
BLANK = "¤"  # fills the other cells of a recommendation row: not in the list, and removed before comparing
FOOTER = re.compile(r"^.* · Page \d+ of \d+$", re.MULTILINE)
TABLE_HEADER = "RecommendationLeadTimeframe"
# matplotlib warns for each chart label glyph DejaVu Sans lacks; the box it draws instead is expected here.
pytestmark = pytest.mark.filterwarnings("ignore:Glyph .* missing from font:UserWarning")
CHART_BARS = 12  # a few bars per chart keep the builds quick; the labels cannot be read back anyway


def test_the_list_is_all_there():
    assert len(STRINGS) == 515 and len(SECTIONS) == len(HEADINGS) == 10


@cache
def glyphs() -> frozenset[int]:
    return frozenset(pdfmetrics.getFont(register_fonts().regular).face.charToGlyph)


def strip(text: str) -> str:
    """Whitespace and invisible format characters removed."""
    return "".join(ch for ch in "".join(text.split()) if unicodedata.category(ch) != "Cf")


def expected(text: str, limit: int | None = None) -> str:
    """What the PDF can give back of ``text`` (see the module docstring)."""
    text = "".join((shorten(text, limit) if limit else clean(text)).split())
    # A format character the font has is drawn as nothing; one it lacks prints as a box, like any other.
    return "".join(
        MISSING_MARK if ord(ch) not in glyphs() else "" if unicodedata.category(ch) == "Cf" else ch for ch in text
    )


def without_order(text: str) -> bool:
    """True for text whose order pypdf may reverse: any right-to-left character, or no left-to-right letter."""
    directions = {unicodedata.bidirectional(ch) for ch in text}
    return bool(directions & {"R", "AL", "AN"}) or "L" not in directions


def placement(build: int) -> dict[str, list[str]]:
    places: dict[str, list[str]] = {section: [] for section in SECTIONS}
    for index, string in enumerate(STRINGS):
        places[SECTIONS[(index + build) % len(SECTIONS)]].append(string)
    return places


def recommendation_rows(strings: list[str]) -> tuple[Recommendation, ...]:
    """Each string in one column (text, lead or time frame, in turn); the other cells hold a blank mark."""
    rows = []
    for index, string in enumerate(strings):
        cells = [BLANK, BLANK, BLANK]
        cells[index % 3] = string
        rows.append(Recommendation(*cells))
    return tuple(rows)


def content_for(places: dict[str, list[str]]) -> BriefingContent:
    glance = places["at_a_glance"]
    chart = Chart(glance[0], tuple(glance[:CHART_BARS]), tuple(range(CHART_BARS)), note=glance[1])
    return BriefingContent(
        partnership_name="Partnership",
        series_title="Series",
        topic="Neglect",
        date="1 May 2026",
        version="1",
        definition="\n".join(places["definition"]),
        summary=tuple(places["summary"]),
        key_figures=tuple(KeyFigure(s, s) for s in glance),
        charts=(chart,),
        findings=tuple(places["findings"]),
        themes_in_common=tuple(places["themes"]),
        learning_points_managers=tuple(places["managers"]),
        action_points_practitioners=tuple(places["practitioners"]),
        key_messages=tuple(places["messages"]),
        recommendations=recommendation_rows(places["recommendations"]),
        resources=tuple(Resource(s, "https://example.org/?q=" + s) for s in places["resources"]),
    )


def expected_in_order(section: str, strings: list[str]) -> list[str]:
    """The texts a section shows, in reading order, each as ``expected`` gives it."""
    if section == "at_a_glance":
        figures = [expected(text, limit) for s in strings for text, limit in ((s, 60), (s, 200))]
        return figures + [expected(strings[0], 200), expected(strings[1], 400)]
    if section == "recommendations":
        return [expected(s, None if index % 3 == 0 else 300) for index, s in enumerate(strings)]
    if section == "resources":
        return [text for s in strings for text in (expected(s), expected("https://example.org/?q=" + s))]
    return [expected(s) for s in strings]


def section_texts(pdf: bytes, mode: str = "plain") -> list[str]:
    """The text of each section, footers and repeated table headers removed, normalised like ``expected``."""
    pages = [FOOTER.sub("", page.extract_text(extraction_mode=mode)) for page in PdfReader(io.BytesIO(pdf)).pages]
    text = strip("\n".join(pages)).replace(TABLE_HEADER, "").replace(BLANK, "")
    starts, position = [], 0
    for heading in HEADINGS:
        position = text.index(strip(heading), position)
        starts.append(position)
    return [
        text[start + len(strip(heading)) : end]
        for start, heading, end in zip(starts, HEADINGS, starts[1:] + [len(text)], strict=False)
    ]


def missing_from(section_text: str, texts: list[str], layout_text: str = "") -> list[str]:
    """The texts not found in order in ``section_text``; those ``without_order`` not found as a multiset of
    characters in ``layout_text``."""
    missing, position, available = [], 0, Counter(layout_text or section_text)
    for text in filter(None, texts):
        if without_order(text):
            if Counter(text) - available:
                missing.append(text)
            continue
        found = section_text.find(text, position)
        if found < 0:
            missing.append(text)
        else:
            position = found + len(text)
    return missing


@pytest.mark.parametrize("build", range(len(SECTIONS)))
def test_every_string_in_every_section_builds_and_reads_back(build):
    places = placement(build)

    pdf = build_briefing_pdf(content_for(places), columns=False)  # layout-mode text reads one column

    for section, text, layout in zip(SECTIONS, section_texts(pdf), section_texts(pdf, "layout"), strict=False):
        missing = missing_from(text, expected_in_order(section, places[section]), layout)
        assert not missing, (section, [m[:40] for m in missing])


TITLE_SAMPLE = STRINGS[::9]  # 58 strings, five to a build


@pytest.mark.parametrize("start", range(0, len(TITLE_SAMPLE), 5))
def test_strings_in_the_title_block_build_and_read_back(start):
    fields = (TITLE_SAMPLE[start : start + 5] + ["Five"] * 5)[:5]
    content = BriefingContent(*fields[:3], fields[3], fields[4], "", ())

    page = PdfReader(io.BytesIO(build_briefing_pdf(content))).pages[0]

    shown = [expected(fields[0], 160), expected(fields[1], 160), expected(content.title, 240), expected(fields[3], 60)]
    layout = strip(page.extract_text(extraction_mode="layout"))
    assert not missing_from(strip(page.extract_text()), shown + [expected(fields[4], 40)], layout)
