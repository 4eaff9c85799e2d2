"""The published briefing PDF for people who use assistive technology: metadata, bookmarks, reading order, link.

The demo audit's briefing is drafted, approved and published through the app, as the business unit would.
Then the PDF must carry a title and a language, a bookmark for each section of the web version (in the same
order), and real text that poppler's ``pdftotext -raw`` reads in that order: each section's heading, then its own
words, before the next heading. Without pdftotext these tests are skipped locally but FAIL when CI=true.
"""

from __future__ import annotations

import html
import io
import os
import re
import shutil
import subprocess

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from audit_app.demo.loader import load_demo
from audit_app.extensions import db
from audit_app.models import Audit, Briefing
from audit_tools.briefing import content as b
from audit_tools.briefing import content_from_dict
from tests.app.conftest import PASSWORD
from tests.app.roles_briefings import reload, signed_in

HEADING = re.compile(r'<h2 class="govuk-heading-m app-briefing-heading">(.*?)</h2>', re.S)


@pytest.fixture
def pdftotext() -> str:
    path = shutil.which("pdftotext")
    if path:
        return path
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(
            "pdftotext (poppler-utils) is not installed. CI=true, so this is a failure, not a skip.", pytrace=False
        )
    pytest.skip("pdftotext (poppler-utils) is not installed: apt-get install -y poppler-utils")


@pytest.fixture
def published(app, ctx, login, post):
    """The demo audit's briefing, version 1: started by the editor, approved and published by the coordinator."""
    load_demo(PASSWORD)
    db.session.commit()
    audit = db.session.scalar(select(Audit).where(Audit.state == "analysis"))
    editor = signed_in(app, login, "editor@demo.example")
    post(editor, f"/audits/{audit.id}/briefings/new", {"lock_version": ""})
    briefing = db.session.scalars(select(Briefing)).one()
    coordinator = signed_in(app, login, "coordinator@demo.example")
    for action in ("approve", "publish"):
        response = post(
            coordinator,
            f"/briefings/{briefing.id}/{action}",
            {"lock_version": str(reload(briefing).lock_version)},
            follow_redirects=True,
        )
        assert response.status_code == 200
    briefing = reload(briefing)
    assert briefing.state == "published", "the demo briefing could not be published"
    page = coordinator.get(f"/briefings/{briefing.id}").get_data(as_text=True)
    return briefing, briefing.pdf, [html.unescape(h).strip() for h in HEADING.findall(page)]


def _text(pdftotext: str, pdf: bytes, tmp_path) -> str:
    path = tmp_path / "briefing.pdf"
    path.write_bytes(pdf)
    # -raw: the order the text is written in the file, which is the reading order; pdftotext's own guess at
    # columns can jump from one column to the other half-way down a page of the leaflet's two columns.
    command = [pdftotext, "-raw", "-enc", "UTF-8", str(path), "-"]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    return " ".join(result.stdout.split())


def _first_words(content: b.BriefingContent) -> dict[str, str]:
    """For each section with words of its own, the start of its first item, as the reader should meet it."""
    firsts = {
        content.definition_heading: content.definition,
        b.SECTION_SUMMARY: content.summary[:1],
        b.SECTION_FINDINGS: content.findings[:1],
        b.SECTION_THEMES: content.themes_in_common[:1] or content.themes_note,
        b.SECTION_MANAGERS: content.learning_points_managers[:1],
        b.SECTION_PRACTITIONERS: content.action_points_practitioners[:1],
        b.SECTION_INTER_AGENCY: content.key_messages[:1],
        b.SECTION_RECOMMENDATIONS: tuple(r.text for r in content.recommendations[:1]),
        b.SECTION_RESOURCES: tuple(r.title for r in content.resources[:1]),
    }
    words = {heading: item if isinstance(item, str) else (item[0] if item else "") for heading, item in firsts.items()}
    return {heading: " ".join(text.split()[:6]) for heading, text in words.items() if text}


def test_the_pdf_has_a_title_a_language_and_a_bookmark_for_each_section_of_the_web_version(published):
    briefing, pdf, web_headings = published
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.metadata.title == "Learning from the audit: Neglect"
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    assert len(web_headings) == 11, web_headings  # with "Since the last audit": the demo has an earlier audit
    assert [entry.title for entry in reader.outline] == web_headings


def test_pdftotext_reads_each_section_in_the_order_of_the_web_version(published, pdftotext, tmp_path):
    briefing, pdf, web_headings = published
    text = _text(pdftotext, pdf, tmp_path)
    assert text.startswith(briefing.content["partnership_name"])  # the title block comes first
    positions = [text.find(heading) for heading in web_headings]
    assert -1 not in positions, [h for h, p in zip(web_headings, positions, strict=False) if p == -1]
    assert positions == sorted(positions), "the PDF reads its sections in another order than the web version"
    ends = dict(zip(web_headings, positions[1:] + [len(text)], strict=False))
    firsts = _first_words(content_from_dict(briefing.content))
    assert len(firsts) == 9  # every section but "At a glance" (figures and charts) has words of its own
    for heading, words in firsts.items():
        start = text.find(heading)
        found = text.find(words, start)
        assert start < found < ends[heading], f"{words!r} is not read in the section {heading!r}"


def test_the_published_pdf_links_to_its_accessible_web_version(published):
    briefing, pdf, _ = published
    uris = [
        str(annotation.get_object()["/A"]["/URI"])
        for page in PdfReader(io.BytesIO(pdf)).pages
        for annotation in page.get("/Annots") or []
        if "/URI" in (annotation.get_object().get("/A") or {})
    ]
    assert any(uri.endswith(f"/briefings/{briefing.id}") for uri in uris), uris
