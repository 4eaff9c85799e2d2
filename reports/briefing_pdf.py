"""Render a ``BriefingContent`` as an A4 "learning from the audit" PDF.

The document is built once. Each page's footer ("… · Page N of M") is a form
XObject that the page uses at once but that is only drawn when the canvas is
saved, when M is known. (Building twice to count the pages doubled the time; a
canvas that holds pages back points every outline bookmark at page one.)
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import partial
from typing import IO, Any

from reportlab import rl_config
from reportlab.lib.colors import HexColor
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Spacer,
    Table,
)
from reportlab.platypus.flowables import BalancedColumns

from audit_tools.briefing import content as b
from reports.charts import bar_chart_png
from reports.fonts import register_fonts
from reports.pdf_flowables import (
    TICK,
    HeaderBand,
    Logo,
    bullets,
    chart_grid,
    key_figure_panel,
    paragraphs,
    progress_table,
    recommendation_table,
    resource_list,
    section_heading,
    with_first_item,
)
from reports.pdf_styles import (
    FOOTER_HEIGHT,
    FRAME_WIDTH,
    MARGIN,
    MUTED,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    RULE,
    Palette,
    make_styles,
)
from reports.pdf_tagging import DocumentFacts, Tag, Tagger, add_structure
from reports.pdf_tagging import TaggedParagraph as Paragraph
from reports.pdf_text import link_markup, markup, shorten

# Images as binary streams: ASCII85 text made them a quarter larger and slower. reportlab has this
# setting only process-wide (no per-document option), so it is set once, when the renderer is imported.
rl_config.useA85 = 0

LANGUAGE = "en-GB"
CREATOR = "Multi-agency case audit workbench"
_CHART_COLUMNS = 2
_CHART_COLUMN = FRAME_WIDTH / _CHART_COLUMNS - 10
_BOTTOM = MARGIN + FOOTER_HEIGHT - 6
_FOOTER_SIZE = 8
# The list sections are set in two balanced columns, like a printed leaflet.
_IN_COLUMNS = frozenset(
    {
        b.SECTION_FINDINGS,
        b.SECTION_THEMES,
        b.SECTION_MANAGERS,
        b.SECTION_PRACTITIONERS,
        b.SECTION_INTER_AGENCY,
        b.SECTION_RESOURCES,
    }
)
_COLUMN_GAP = 18
DRAFT = "DRAFT"
DRAFT_NOTE = "DRAFT – not for publication"
DRAFT_TEXT = "#b10e1e"  # red, readable at the foot (AA on white)
DRAFT_ALPHA = 0.1  # across the page: faint enough that the text under it stays readable
_HEADING_ROOM = 40  # points: a heading's own height, with the space around it
_KEEP_WITH_HEADING = 200  # points of its first item a heading is kept with (a longer item may split)


def build_briefing_pdf(
    content: b.BriefingContent,
    *,
    logo: bytes | None = None,
    draft: bool = False,
    created: datetime | None = None,
    columns: bool = True,
) -> bytes:
    """Render ``content`` as PDF bytes: same content, logo, draft flag and date in, byte-identical PDF out.

    ``logo`` is the partnership's PNG or JPEG, drawn in the header band; bytes that
    are not a readable image are left out rather than stopping the briefing. ``draft``
    puts a DRAFT mark on every page; ``columns=False`` sets the list sections full width, one after
    another. ``created`` is the version's own date, written as
    the PDF's creation and modification date (without it, reportlab's fixed 1 January 2000).
    """
    palette = Palette.from_accent(content.accent_colour)
    charts = [
        (chart, bar_chart_png(chart, colour=palette.accent, width_in=_CHART_COLUMN / 72, optimize=False, compact=True))
        for chart in content.charts
    ]
    buffer = io.BytesIO()
    doc = BriefingDocTemplate(buffer, content, palette, draft=draft, created=created)
    tagger = Tagger()
    doc.build(
        _story(content, palette, charts, Logo.from_bytes(logo), columns=columns),
        canvasmaker=partial(FooterCanvas, footer=partial(_draw_footer, content), tagger=tagger),
    )
    facts = DocumentFacts(str(doc.title or ""), str(doc.author or ""), str(doc.subject or ""), LANGUAGE, created)
    return add_structure(buffer.getvalue(), tagger.leaves, facts)


class FooterCanvas(Canvas):
    """A canvas whose pages show a footer form per page, drawn on saving, once the page count is known."""

    def __init__(
        self, *args: Any, footer: Callable[[Canvas, int, int], None], tagger: Tagger | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self._draw_footer = footer
        self.tagger = tagger  # read by the tagged flowables (reports.pdf_tagging)

    def showPage(self) -> None:  # noqa: N802  # reportlab's name
        if self.tagger is not None:
            self.tagger.end_page(self)
        super().showPage()

    def save(self) -> None:
        total = self.getPageNumber() - 1  # the last page has been shown, so the count has moved past it
        for page in range(1, total + 1):
            self.beginForm(_footer_form(page))
            self.addLiteral("/Artifact BMC")  # page furniture
            self._draw_footer(self, page, total)
            self.addLiteral("EMC")
            self.endForm()
        super().save()


class BriefingDocTemplate(BaseDocTemplate):
    """A4 pages with the band on page one, a footer on all, and section bookmarks."""

    def __init__(
        self,
        buffer: IO[bytes],
        content: b.BriefingContent,
        palette: Palette,
        *,
        draft: bool = False,
        created: datetime | None = None,
    ) -> None:
        super().__init__(
            buffer,
            pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN,
            bottomMargin=_BOTTOM,
            title=shorten(content.title, 500),
            author=shorten(content.author or content.partnership_name, 300),
            subject=shorten(content.title, 500),
            creator=CREATOR,
            lang=LANGUAGE,
            invariant=True,  # invariant: fixed dates, so identical bytes
            initialFontName=register_fonts().regular,  # no Helvetica (Latin-1 only) anywhere in the file
        )
        self.content, self.palette = content, palette
        self.draft, self.created = draft, created
        self.addPageTemplates([_first_page(self), _later_page(self)])

    def handle_documentBegin(self) -> None:
        super().handle_documentBegin()
        if self.created is not None:
            self.canv._doc._timeStamp = VersionTime(self.created)  # type: ignore[attr-defined]  # reportlab's own
        self.canv.showOutline()
        self.canv.setViewerPreference("DisplayDocTitle", "true")


def _first_page(doc: BriefingDocTemplate) -> PageTemplate:
    # The frame reaches the top edge so the header band can bleed off the page.
    frame = Frame(MARGIN, _BOTTOM, FRAME_WIDTH, PAGE_HEIGHT - _BOTTOM, 0, 0, 0, 0, id="first")
    return PageTemplate(
        "first",
        [frame],
        onPage=lambda canv, _: _footer(canv, doc),
        onPageEnd=lambda canv, _: _draft_mark(canv, doc),
        autoNextPageTemplate="later",
    )


def _later_page(doc: BriefingDocTemplate) -> PageTemplate:
    frame = Frame(MARGIN, _BOTTOM, FRAME_WIDTH, PAGE_HEIGHT - MARGIN - _BOTTOM, 0, 0, 0, 0, id="later")
    return PageTemplate(
        "later",
        [frame],
        onPage=lambda canv, _: _later_page_decor(canv, doc),
        onPageEnd=lambda canv, _: _draft_mark(canv, doc),
    )


def _later_page_decor(canv: Canvas, doc: BriefingDocTemplate) -> None:
    _footer(canv, doc)
    canv.saveState()
    canv.setFillColor(HexColor(doc.palette.accent))
    canv.rect(0, PAGE_HEIGHT - 6, PAGE_WIDTH, 6, stroke=0, fill=1)
    canv.restoreState()


def _draft_mark(canv: Canvas, doc: BriefingDocTemplate) -> None:
    """On a draft, a see-through "DRAFT" across the page, over everything (charts included), and
    "DRAFT – not for publication" at the foot."""
    if not doc.draft:
        return
    fonts = register_fonts()
    canv.saveState()
    canv.setFillColor(HexColor(DRAFT_TEXT))
    canv.setFillAlpha(DRAFT_ALPHA)
    canv.setFont(fonts.bold, 110)
    canv.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
    canv.rotate(50)
    canv.drawCentredString(0, -40, DRAFT)
    canv.restoreState()
    canv.saveState()
    canv.setFont(fonts.bold, _FOOTER_SIZE)
    canv.setFillColor(HexColor(DRAFT_TEXT))
    canv.drawRightString(PAGE_WIDTH - MARGIN, MARGIN - 20, DRAFT_NOTE)
    canv.restoreState()


class VersionTime:
    """reportlab's time stamp (``reportlab.lib.utils.TimeStamp``) for a chosen moment, in UTC."""

    def __init__(self, moment: datetime) -> None:
        moment = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
        self.t = moment.timestamp()
        self.lt = moment.timetuple()
        self.YMDhms = tuple(self.lt)[:6]
        self.dhh = self.dmm = 0
        self.tzname = "UTC"


def _footer(canv: Canvas, doc: BriefingDocTemplate) -> None:
    tagger = getattr(canv, "tagger", None)
    if tagger is not None:
        tagger.begin_page(canv)  # the page starts as an artifact; each tagged flowable marks its own content
    canv.doForm(_footer_form(canv.getPageNumber()))


def _footer_form(page: int) -> str:
    return f"footer-{page}"


def _draw_footer(content: b.BriefingContent, canv: Canvas, page: int, total: int) -> None:
    canv.saveState()
    canv.setStrokeColor(HexColor(RULE))
    canv.setLineWidth(0.5)
    canv.line(MARGIN, MARGIN + 4, PAGE_WIDTH - MARGIN, MARGIN + 4)
    canv.setFont(register_fonts().regular, _FOOTER_SIZE)
    canv.setFillColor(HexColor(MUTED))
    canv.drawString(MARGIN, MARGIN - 8, footer_text(content, page, total))
    canv.restoreState()


def footer_text(content: b.BriefingContent, page: int, total: int) -> str:
    """ "<partnership> · <series> · <date> · Page N of M", names shortened to fit the line."""
    for limit in range(200, 5, -5):
        parts = [
            shorten(content.partnership_name, limit),
            shorten(content.series_title, limit),
            shorten(content.date, 30),
        ]
        text = " · ".join([part for part in parts if part] + [f"Page {page} of {total}"])
        if stringWidth(text, register_fonts().regular, _FOOTER_SIZE) <= FRAME_WIDTH:
            break
    return text


def _story(
    content: b.BriefingContent,
    palette: Palette,
    charts: Sequence[tuple[b.Chart, bytes]],
    logo: Logo | None,
    *,
    columns: bool = True,
) -> list[Flowable]:
    styles = make_styles(palette)
    story: list[Flowable] = [_header_band(content, palette, styles, logo), Spacer(1, 10)]
    if content.web_url:
        link = link_markup(content.web_url, content.web_url, palette.accent_text)
        story.append(Paragraph(f"An accessible web version of this briefing is at {link}", styles["small"]))
    sections = _sections(content, palette, styles, charts)
    columned: list[Flowable] = []
    for heading, body in sections:
        if columns and heading in _IN_COLUMNS:
            columned += with_first_item(section_heading(heading, styles["column_heading"]), body)
            continue
        if columned:  # the run of list sections, read down the first column and then the second
            story.append(BalancedColumns(columned, nCols=2, innerPadding=_COLUMN_GAP, spaceBefore=4, endSlack=0.2))
            columned = []
        # Not keepWithNext: that moves a heading *and* a long first item to a new page, leaving a gap.
        opening = _opening_height(body[0])
        if isinstance(body[0], Paragraph) and len(body) > 1 and isinstance(body[1], Table):
            opening += _opening_height(body[1])  # an introduction stays with the start of its table
        story += [CondPageBreak(_HEADING_ROOM + opening), section_heading(heading, styles["heading"])]
        story.extend(body)
    if columned:
        story.append(BalancedColumns(columned, nCols=2, innerPadding=_COLUMN_GAP, spaceBefore=4, endSlack=0.2))
    return story


def _opening_height(flowable: Flowable) -> float:
    """How much of a section's first item should follow its heading: all of it, or a table's first row
    (after the header), up to ``_KEEP_WITH_HEADING``."""
    _, height = flowable.wrap(FRAME_WIDTH, PAGE_HEIGHT)
    if isinstance(flowable, Table):
        height = sum(flowable._rowHeights[:2])  # type: ignore[attr-defined]  # set by wrap; private, not in the stubs
    return min(height, _KEEP_WITH_HEADING)


def _header_band(
    content: b.BriefingContent, palette: Palette, styles: dict[str, ParagraphStyle], logo: Logo | None
) -> HeaderBand:
    meta = " · ".join(p for p in (shorten(content.date, 60), _version(content.version)) if p)
    lines = [
        (shorten(content.partnership_name, 160), "band_org"),
        (shorten(content.series_title, 160), "band_series"),
        (shorten(content.title, 240), "band_title"),
        (meta, "band_meta"),
    ]
    band = [
        Paragraph(markup(text), styles[name], tag=Tag("H1" if name == "band_title" else "P"))
        for text, name in lines
        if text
    ]
    return HeaderBand(band, palette.accent, bleed=MARGIN, logo=logo)


def _version(version: str) -> str:
    version = shorten(version, 40)
    return f"Version {version}" if version and not version.lower().startswith("v") else version


def _sections(
    content: b.BriefingContent,
    palette: Palette,
    styles: dict[str, ParagraphStyle],
    charts: Sequence[tuple[b.Chart, bytes]],
) -> list[tuple[str, list[Flowable]]]:
    """Every section in reading order; a section with nothing in it still appears."""
    body, bullet, empty = styles["body"], styles["bullet"], styles["empty"]
    return [
        (
            shorten(content.definition_heading, 200),
            [Paragraph(markup(content.definition) or "Not yet written.", styles["callout"])],
        ),
        (b.SECTION_SUMMARY, paragraphs(content.summary, body, empty)),
        (b.SECTION_AT_A_GLANCE, _at_a_glance(content, palette, styles, charts)),
        (b.SECTION_FINDINGS, _findings(content, styles)),
        (b.SECTION_THEMES, _themes(content, styles)),
        (b.SECTION_MANAGERS, bullets(content.learning_points_managers, bullet, empty)),
        (b.SECTION_PRACTITIONERS, bullets(content.action_points_practitioners, bullet, empty, TICK)),
        (b.SECTION_INTER_AGENCY, bullets(content.key_messages, bullet, empty)),
        *_since_last(content, styles, palette),
        (b.SECTION_RECOMMENDATIONS, [recommendation_table(content.recommendations, styles, palette)]),
        (b.SECTION_RESOURCES, resource_list(content.resources, styles, palette)),
    ]


def _since_last(
    content: b.BriefingContent, styles: dict[str, ParagraphStyle], palette: Palette
) -> list[tuple[str, list[Flowable]]]:
    """What the last audit on the topic said would be done and what happened: only when there was one."""
    if not content.since_last:
        return []
    name = shorten(content.since_last_audit, 200) or "the last audit on this topic"
    intro = Paragraph(markup(f"What we said we would do after {name}, and what has happened since."), styles["body"])
    return [(b.SECTION_SINCE_LAST, [intro, progress_table(content.since_last, styles, palette)])]


def _findings(content: b.BriefingContent, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    """What the audit saw in the children's cases, then what worked well and what needs to change."""
    parts: list[Flowable] = bullets(content.findings, styles["bullet"], styles["empty"]) if content.findings else []
    for heading, items in ((b.SECTION_WORKED_WELL, content.worked_well), (b.SECTION_TO_CHANGE, content.to_change)):
        if items:
            parts += with_first_item(
                section_heading(heading, styles["subheading"], "H3"), bullets(items, styles["bullet"], styles["empty"])
            )
    return parts or paragraphs((), styles["body"], styles["empty"])


def _themes(content: b.BriefingContent, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    """Ticks only on themes really found before (after the note naming the audits they were found in, when it is
    one set for all); otherwise the note saying what was compared."""
    note: list[Flowable] = [Paragraph(markup(content.themes_note), styles["body"])] if content.themes_note else []
    if content.themes_in_common:  # the note leads in to the list ("… also found in …:")
        return note + bullets(content.themes_in_common, styles["bullet"], styles["empty"], TICK)
    if note and not content.themes_note.rstrip().endswith(":"):  # the note says why there is no list
        return note
    return bullets((), styles["bullet"], styles["empty"])


def _at_a_glance(
    content: b.BriefingContent,
    palette: Palette,
    styles: dict[str, ParagraphStyle],
    charts: Sequence[tuple[b.Chart, bytes]],
) -> list[Flowable]:
    parts: list[Flowable] = []
    if content.key_figures:
        parts.append(key_figure_panel(content.key_figures, styles, palette))
    if content.privacy_note:  # beside the figures it explains, and on one page
        parts.append(KeepTogether([Paragraph(markup(content.privacy_note), styles["note"])]))
    if charts:
        parts.append(chart_grid(charts, styles, _CHART_COLUMN, _CHART_COLUMNS))
    return parts or paragraphs((), styles["body"], styles["empty"])
