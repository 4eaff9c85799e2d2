"""The briefing PDF: structure, metadata, links, escaping and robustness."""

import io
import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from pypdf import PdfReader

from audit_tools.briefing import BriefingContent, Chart, KeyFigure, Recommendation, Resource
from audit_tools.briefing import content as b
from reports.briefing_pdf import build_briefing_pdf
from reports.pdf_text import markup, safe_href

BLNS = Path(__file__).parents[1] / "data" / "blns.json"  # Big List of Naughty Strings, MIT (blns.LICENSE)
NONE_RECORDED = "None recorded for this audit."


def sample_content(**changes) -> BriefingContent:
    content = BriefingContent(
        partnership_name="Northshire Safeguarding Children Partnership",
        series_title="Eyes on – improving our practice",
        topic="Neglect",
        date="March 2025",
        version="1.0",
        definition="Neglect is the persistent failure to meet a child's basic needs.",
        summary=("Six children's cases were audited by four agencies.", "Plans lacked measurable outcomes."),
        key_figures=(KeyFigure("6", "children's cases audited"), KeyFigure("4", "agencies took part")),
        charts=(Chart("Overall judgement", ("Good", "Requires improvement"), (3, 3)),),
        findings=(
            "Domestic abuse shaped family life in most cases.",
            "Schools' information rarely reached core groups.",
        ),
        themes_in_common=("Disguised compliance",),
        learning_points_managers=("Use supervision to test evidence.",),
        action_points_practitioners=("Assess each child in the family.",),
        key_messages=("Agree shared goals.",),
        recommendations=(Recommendation("Relaunch the GCP2.", "Children's social care", "By September 2025"),),
        resources=(Resource("Safeguarding procedures", "https://procedures.example.org/neglect"),),
        web_url="https://audit.example.org/briefings/neglect",
    )
    return replace(content, **changes)


def reader_for(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in reader_for(pdf).pages]


def link_uris(pdf: bytes) -> list[str]:
    uris = []
    for page in reader_for(pdf).pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A") or {}
            if "/URI" in action:
                uris.append(str(action["/URI"]))
    return uris


def expected_headings(content: BriefingContent) -> list[str]:
    return [
        content.definition_heading,
        b.SECTION_SUMMARY,
        b.SECTION_AT_A_GLANCE,
        b.SECTION_FINDINGS,
        b.SECTION_THEMES,
        b.SECTION_MANAGERS,
        b.SECTION_PRACTITIONERS,
        b.SECTION_INTER_AGENCY,
        b.SECTION_RECOMMENDATIONS,
        b.SECTION_RESOURCES,
    ]


@pytest.fixture(scope="module")
def sample_pdf() -> bytes:
    return build_briefing_pdf(sample_content())


def test_pdf_is_a4(sample_pdf):
    box = reader_for(sample_pdf).pages[0].mediabox

    assert sample_pdf.startswith(b"%PDF-")
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)


def test_headings_all_appear_in_reading_order(sample_pdf):
    content = sample_content()
    text = " ".join(" ".join(page.split()) for page in page_texts(sample_pdf))  # a heading may wrap in a column

    positions = [text.find(heading) for heading in expected_headings(content)]

    assert -1 not in positions and positions == sorted(positions)
    assert content.definition_heading == "What we mean by neglect"


def test_title_block_shows_partnership_series_title_date_and_version(sample_pdf):
    first_page = page_texts(sample_pdf)[0]

    for text in (
        "Northshire Safeguarding Children Partnership",
        "Eyes on – improving our practice",
        "Learning from the audit: Neglect",
        "March 2025 · Version 1.0",
    ):
        assert text in first_page


def test_every_heading_appears_when_the_lists_are_empty():
    content = BriefingContent("Partnership", "Series", "Neglect", "May 2025", "0.1", "", ())
    text = "\n".join(page_texts(build_briefing_pdf(content)))

    for heading in expected_headings(content):
        assert heading in " ".join(text.split())
    assert text.count(NONE_RECORDED) == 9  # summary, at a glance, five lists, recommendations, resources


def test_key_figures_chart_titles_and_recommendation_cells_appear(sample_pdf):
    text = "\n".join(page_texts(sample_pdf))

    for expected in ("children's cases audited", "Overall judgement", "Relaunch the GCP2.", "Lead", "Time frame"):
        assert expected in text


def test_metadata_title_author_subject(sample_pdf):
    metadata = reader_for(sample_pdf).metadata

    assert metadata.title == "Learning from the audit: Neglect"
    assert metadata.subject == "Learning from the audit: Neglect"
    assert metadata.author == "Northshire Safeguarding Children Partnership"


def test_metadata_author_uses_the_named_author_when_given():
    pdf = build_briefing_pdf(sample_content(author="Quality Assurance Subgroup"))

    assert reader_for(pdf).metadata.author == "Quality Assurance Subgroup"


def test_catalog_declares_british_english(sample_pdf):
    catalog = reader_for(sample_pdf).trailer["/Root"]

    assert catalog["/Lang"] == "en-GB"
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"]


def test_outline_has_one_entry_per_section_pointing_forwards():
    content = sample_content(findings=tuple(f"Finding number {i}" for i in range(120)))
    reader = reader_for(build_briefing_pdf(content))

    titles = [entry.title for entry in reader.outline]
    pages = [reader.get_destination_page_number(entry) for entry in reader.outline]

    assert titles == expected_headings(content)
    assert pages == sorted(pages)
    assert pages[0] == 0 and pages[-1] == len(reader.pages) - 1


def test_footer_on_every_page_counts_pages():
    pdf = build_briefing_pdf(sample_content(findings=tuple(f"Finding number {i}" for i in range(120))))
    texts = page_texts(pdf)

    assert len(texts) >= 3
    for number, text in enumerate(texts, start=1):
        expected = (
            "Northshire Safeguarding Children Partnership · Eyes on – improving our practice · March 2025 · "
            f"Page {number} of {len(texts)}"
        )
        assert expected in text


def test_https_and_mailto_resources_are_links_and_javascript_is_not():
    resources = (
        Resource("Procedures", "https://procedures.example.org/a?x=1&y=2"),
        Resource("Email the team", "mailto:team@example.org"),
        Resource("Trick", "javascript:alert(document.cookie)"),
        Resource("Sneaky", " JaVaScRiPt:alert(1)"),
        Resource("Sneakier", "javascript://example.org/%0Aalert(1)"),
    )
    pdf = build_briefing_pdf(sample_content(resources=resources, web_url=""))

    assert link_uris(pdf) == ["https://procedures.example.org/a?x=1&y=2", "mailto:team@example.org"]
    text = "\n".join(page_texts(pdf))
    assert "Trick – javascript:alert(document.cookie)" in text  # still shown, as plain text


def test_web_version_line_links_to_the_web_url(sample_pdf):
    assert "An accessible web version of this briefing is at" in page_texts(sample_pdf)[0]
    assert "https://audit.example.org/briefings/neglect" in link_uris(sample_pdf)


def test_typed_markup_is_printed_not_obeyed():
    findings = ("<b>not bold</b>", "Tom &amp; Jerry", "<link href='https://evil.example'>click</link>", "a < b > c & d")
    pdf = build_briefing_pdf(sample_content(findings=findings, resources=(), web_url=""))
    text = "\n".join(page_texts(pdf))

    for finding in findings:
        assert finding in " ".join(text.split())  # the findings are set in a column, where lines wrap sooner
    assert link_uris(pdf) == []


def test_hostile_strings_in_every_field_still_build():
    strings = json.loads(BLNS.read_text(encoding="utf-8")) + ["<b>not bold</b>", "&amp;", '" onmouseover="x'] * 3
    share = [tuple(strings[i::9]) for i in range(9)]  # every string lands in some field
    content = BriefingContent(
        partnership_name=strings[100],
        series_title=strings[200],
        topic=strings[300],
        date=strings[400],
        version=strings[50],
        definition=" ".join(strings[:40]),
        summary=share[0],
        findings=share[1],
        themes_in_common=share[2],
        learning_points_managers=share[3],
        action_points_practitioners=share[4],
        key_messages=share[5],
        key_figures=tuple(KeyFigure(s, s) for s in share[6][:24]),
        recommendations=tuple(Recommendation(s, s, s) for s in share[7]),
        resources=tuple(Resource(s, s) for s in share[8]),
        charts=(Chart(strings[5], tuple(strings[:12]), tuple(range(12))),),
        accent_colour=strings[7],
        web_url=strings[9],
        author=strings[11],
    )

    text = "\n".join(page_texts(build_briefing_pdf(content)))

    assert "<b>not bold</b>" in text
    assert "&amp;" in text
    assert "Page 1 of" in text


@pytest.mark.parametrize(
    "hostile",
    ["<b>not bold</b>", "&amp; </para><para>", "$\\frac{1}{0}$", "\x00\x1b[31m\u202eevil", "Zoë Łukasz Nguyễn 王"],
)
def test_hostile_strings_in_title_fields(hostile):
    content = sample_content(
        partnership_name=hostile,
        series_title=hostile,
        topic=hostile,
        date=hostile,
        version=hostile,
        author=hostile,
        accent_colour=hostile,
        web_url=hostile,
    )

    reader = reader_for(build_briefing_pdf(content))

    assert "Page 1 of" in reader.pages[0].extract_text()
    assert len(reader.outline) == 10


def test_accented_and_non_latin_names_are_kept_as_text():
    pdf = build_briefing_pdf(sample_content(findings=("Zoë, Łukasz and Nguyễn Văn An met in Åre.",)))

    assert "Zoë, Łukasz and Nguyễn Văn An met in Åre." in "\n".join(page_texts(pdf))


def test_long_text_flows_across_pages():
    long_finding = ("The plan was reviewed but not revised. " * 520)[:20_000]
    long_word = "x" * 5_000
    findings = (long_finding, long_word) + tuple(f"Finding number {i}" for i in range(300))
    long_recommendation = Recommendation(long_finding[:7_000], long_word, "Soon")
    content = sample_content(findings=findings, recommendations=(long_recommendation,))

    texts = page_texts(build_briefing_pdf(content))

    assert len(texts) > 10
    assert "Finding number 299" in "\n".join(texts)
    assert sum("Time frame" in text for text in texts) >= 2  # the header row repeats on the next page


def test_same_content_gives_identical_bytes(sample_pdf):
    assert build_briefing_pdf(sample_content()) == sample_pdf


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.org/x", "https://example.org/x"),
        ("  http://example.org ", "http://example.org"),
        ("mailto:team@example.org", "mailto:team@example.org"),
        ("javascript:alert(1)", None),
        ("data:text/html,hi", None),
        ("javascript://example.org/%0Aalert(1)", None),
        ("ftp://example.org/file.pdf", None),
        ("https://", None),
        ("/relative/path", None),
        ("https://exa mple.org", None),
        ("", None),
    ],
)
def test_safe_href_allows_only_web_and_mail_addresses(url, expected):
    assert safe_href(url) == expected


def test_markup_escapes_and_keeps_line_breaks():
    assert markup("a<b>&\nc") == "a&lt;b&gt;&amp;<br/>c"


# --- logo, notes, fonts and extremes (issue 7) -----------------------------------------------------------------------

PAGE_WIDTH, MARGIN = 595.28, 56.69


def logo_bytes(size=(600, 200), image_format="PNG") -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new(
        "RGBA" if image_format == "PNG" else "RGB", size, (255, 255, 255, 0) if image_format == "PNG" else "white"
    )
    ImageDraw.Draw(image).ellipse((0, 0, size[1] - 1, size[1] - 1), fill=(200, 30, 60))
    buffer = io.BytesIO()
    image.save(buffer, format=image_format)
    return buffer.getvalue()


def drawn_images(pdf: bytes, page: int = 0) -> list[tuple[tuple[int, int], list[float]]]:
    """(pixel size, [a, b, c, d, e, f] page matrix) of each image drawn on a page, following q/Q and cm."""
    from pypdf.generic import ContentStream

    reader = reader_for(pdf)
    page_object = reader.pages[page]
    objects = page_object["/Resources"]["/XObject"]
    placed, stack, ctm = [], [], [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
    for operands, operator in ContentStream(page_object.get_contents(), reader).operations:
        if operator == b"q":
            stack.append(ctm)
        elif operator == b"Q":
            ctm = stack.pop()
        elif operator == b"cm":
            ctm = _multiply([float(v) for v in operands], ctm)
        elif operator == b"Do":
            image = objects[operands[0]].get_object()
            if image.get("/Subtype") == "/Image":
                placed.append(((int(image["/Width"]), int(image["/Height"])), ctm))
    return placed


def _multiply(m, n):
    a, b, c, d, e, f = m
    return [
        a * n[0] + b * n[2],
        a * n[1] + b * n[3],
        c * n[0] + d * n[2],
        c * n[1] + d * n[3],
        e * n[0] + f * n[2] + n[4],
        e * n[1] + f * n[3] + n[5],
    ]


def logo_placements(pdf: bytes, size=(600, 200)) -> list[list[float]]:
    return [matrix for pixels, matrix in drawn_images(pdf) if pixels == size]


def test_logo_is_drawn_at_the_right_of_the_header_band_in_proportion():
    pdf = build_briefing_pdf(sample_content(), logo=logo_bytes())

    (matrix,) = logo_placements(pdf)
    width, height, x, y = matrix[0], matrix[3], matrix[4], matrix[5]
    assert width / height == pytest.approx(3.0)
    assert width <= 130 and height <= 58  # scaled to fit its box
    assert x + width == pytest.approx(PAGE_WIDTH - MARGIN - 6, abs=0.5)  # right-aligned inside its white plate
    assert y > 842 - 140  # in the band at the top of page one
    assert "Learning from the audit: Neglect" in " ".join(page_texts(pdf)[0].split())


def test_a_tall_jpeg_logo_is_kept_in_proportion():
    pdf = build_briefing_pdf(sample_content(), logo=logo_bytes((100, 400), "JPEG"))

    (matrix,) = logo_placements(pdf, (100, 400))
    assert matrix[0] / matrix[3] == pytest.approx(0.25) and matrix[3] <= 58


def test_logo_output_is_deterministic_and_an_unreadable_logo_is_left_out():
    with_logo = build_briefing_pdf(sample_content(), logo=logo_bytes())

    assert build_briefing_pdf(sample_content(), logo=logo_bytes()) == with_logo
    assert with_logo != build_briefing_pdf(sample_content())
    broken = build_briefing_pdf(sample_content(), logo=b"\x89PNG\r\n\x1a\nnot really")
    assert broken == build_briefing_pdf(sample_content(), logo=None)


def test_privacy_note_and_chart_notes_are_printed():
    chart = Chart(
        "Overall judgement", ("Outstanding or good", "Inadequate"), (10, 12), note="Neighbouring answers are combined."
    )
    pdf = build_briefing_pdf(
        sample_content(charts=(chart,), privacy_note="Some figures are not shown to protect privacy.")
    )
    text = " ".join(" ".join(t.split()) for t in page_texts(pdf))

    assert "Neighbouring answers are combined." in text
    assert "Some figures are not shown to protect privacy." in text


def test_ticked_lists_for_themes_and_practitioners():
    text = "\n".join(page_texts(build_briefing_pdf(sample_content())))

    assert "✓ Disguised compliance" in text.replace("✓\n", "✓ ")
    assert text.count("✓") == 2


def test_fonts_are_embedded_truetype_dejavu():
    reader = reader_for(build_briefing_pdf(sample_content()))
    fonts = [font.get_object() for page in reader.pages for font in page["/Resources"]["/Font"].values()]

    assert fonts and all(font["/Subtype"] == "/TrueType" for font in fonts)
    assert all("DejaVuSans" in font["/BaseFont"] for font in fonts)
    assert all("/FontFile2" in font["/FontDescriptor"] for font in fonts)  # embedded, not merely named


FOOTER_LINE = re.compile(r"^.* · Page \d+ of \d+$", re.MULTILINE)


def body_text(pdf: bytes) -> str:
    """All pages' text without the footers, so that text running over a page break reads on."""
    return "\n".join(FOOTER_LINE.sub("", text) for text in page_texts(pdf))


def text_runs(pdf: bytes):
    """(page, x, font size, font, text) of every piece of text drawn, as pypdf sees it."""
    runs = []
    for number, page in enumerate(reader_for(pdf).pages):

        def visit(text, cm, tm, font, size, number=number):
            if text.strip():
                x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
                runs.append((number, x, size * tm[0] * cm[0], str((font or {}).get("/BaseFont", "")), text))

        page.extract_text(visitor_text=visit)
    return runs


def assert_no_text_past_the_margins(pdf: bytes):
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from reports.fonts import register_fonts

    fonts = register_fonts()
    # The footer is a form drawn at the page's origin, where pypdf reports no position; footer_text fits it
    # to the line (test_footer_text_is_shortened_to_fit_the_line).
    for page, x, size, font, text in (run for run in text_runs(pdf) if not FOOTER_LINE.match(run[4].strip())):
        face = fonts.bold if "Bold" in font else fonts.italic if "Oblique" in font else fonts.regular
        right = x + stringWidth(text.rstrip("\n"), face, size)
        assert x >= MARGIN - 1 and right <= PAGE_WIDTH - MARGIN + 1, (page, x, right, text[:60])


def test_a_ten_thousand_character_word_in_every_field_wraps_inside_the_margins():
    word = "w" * 10_000
    content = sample_content(
        definition=word,
        summary=(word,),
        key_figures=(KeyFigure(word, word),),
        charts=(Chart(word, (word,), (7,), word, word),),
        findings=(word,),
        themes_in_common=(word,),
        learning_points_managers=(word,),
        action_points_practitioners=(word,),
        key_messages=(word,),
        recommendations=(Recommendation(word, "Lead", "Soon"), Recommendation("Then", word, word)),
        resources=(Resource(word, "https://example.org/" + word),),
        privacy_note=word,
    )

    pdf = build_briefing_pdf(content, logo=logo_bytes())

    # Table cells come out side by side: drop the repeated header row and the first row's short cells.
    text = "".join(body_text(pdf).split()).replace("RecommendationLeadTimeframe", "").replace("LeadSoon", "")
    assert text.count(word) == 11  # every paragraph and list field comes back whole once line breaks are removed
    # Cut to fit their boxes: key figure (60), its label and the chart title (200), the chart's note (400), and lead
    # and time frame (300; their lines come out interleaved, so only their ellipses are counted).
    assert text.count("…") == 6 and "w" * 399 + "…" in text
    assert_no_text_past_the_margins(pdf)


def test_a_list_of_three_thousand_items_flows_over_many_pages():
    items = tuple(f"Finding number {i}" for i in range(3_000))

    texts = page_texts(build_briefing_pdf(sample_content(findings=items, learning_points_managers=items[:50])))

    assert len(texts) > 30  # in two columns
    assert "Finding number 2999" in "\n".join(texts)
    assert f"Page {len(texts)} of {len(texts)}" in texts[-1]


def test_a_two_hundred_character_title_is_shown_whole_beside_the_logo():
    topic = ("Neglect and the lived experience of children in families under pressure " * 3)[
        : 200 - len("Learning from the audit: ")
    ]
    pdf = build_briefing_pdf(sample_content(topic=topic, partnership_name="P" * 150), logo=logo_bytes())

    first_page = " ".join(page_texts(pdf)[0].split())
    assert f"Learning from the audit: {topic.strip()}" in first_page
    assert_no_text_past_the_margins(pdf)
    (matrix,) = logo_placements(pdf)
    band_text_right = max(x for page, x, size, font, text in text_runs(pdf) if page == 0 and size >= 22)
    assert band_text_right < matrix[4]  # the title's lines start left of the logo


def test_sample_briefing_text_stays_inside_the_margins(sample_pdf):
    assert_no_text_past_the_margins(sample_pdf)


def test_footer_text_is_shortened_to_fit_the_line():
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from reports.briefing_pdf import footer_text
    from reports.fonts import register_fonts

    text = footer_text(sample_content(partnership_name="Partnership " * 40, series_title="Séries " * 40), 12, 340)

    assert text.endswith(" · March 2025 · Page 12 of 340") and "…" in text
    assert stringWidth(text, register_fonts().regular, 8) <= PAGE_WIDTH - 2 * MARGIN


def test_each_chart_is_drawn_as_an_image_under_its_title():
    charts = tuple(Chart(f"Chart number {n}", ("Good", "Requires improvement"), (n + 6, 7)) for n in range(3))
    pdf = build_briefing_pdf(sample_content(charts=charts))

    images = [image for page in range(len(reader_for(pdf).pages)) for image in drawn_images(pdf, page)]
    assert len(images) == 3
    text = " ".join(page_texts(pdf))
    assert all(f"Chart number {n}" in text for n in range(3))


def _reportlab_settings() -> dict:
    from reportlab import rl_config

    return {
        name: value
        for name, value in vars(rl_config).items()
        if not name.startswith("_") and isinstance(value, (bool, int, float, str, tuple, type(None)))
    }


def test_building_a_pdf_changes_no_process_wide_reportlab_setting(monkeypatch):
    """The renderer sets reportlab's process-wide useA85 once, on import, never per document."""
    from reportlab import rl_config

    monkeypatch.setattr(rl_config, "useA85", 1)  # as if someone else in the process wanted ASCII85
    before = _reportlab_settings()
    build_briefing_pdf(sample_content())
    assert _reportlab_settings() == before


def test_images_are_binary_streams_not_ascii85_text(sample_pdf):
    from reportlab import rl_config

    assert rl_config.useA85 == 0  # set when reports.briefing_pdf was imported
    assert b"/Subtype /Image" in sample_pdf and b"ASCII85Decode" not in sample_pdf


def test_draft_mark_on_every_page_only_when_asked_and_the_date_is_the_versions_own():
    from datetime import UTC, datetime

    content = sample_content()
    moment = datetime(2026, 3, 14, 9, 26, 53, tzinfo=UTC)
    draft = build_briefing_pdf(content, draft=True, created=moment)
    final = build_briefing_pdf(content, created=moment)
    assert all("DRAFT – not for publication" in text for text in page_texts(draft))
    assert not any("DRAFT" in text for text in page_texts(final))
    for pdf in (draft, final):
        metadata = reader_for(pdf).metadata
        assert metadata["/CreationDate"] == metadata["/ModDate"] == "D:20260314092653+00'00'"
    assert build_briefing_pdf(content, draft=True, created=moment) == draft  # byte-identical when rebuilt
