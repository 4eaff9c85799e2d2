"""The briefing PDF is tagged for PDF/UA-1: page-validation finds it compliant, even full of hostile strings,
and its structure tree holds the headings, lists, tables and figures in reading order."""

import io
import json
from pathlib import Path

import page
import pikepdf
import pytest

from audit_tools.briefing import Chart, KeyFigure, Recommendation, Resource
from audit_tools.briefing import content as b
from reports.briefing_pdf import build_briefing_pdf
from tests.unit.pdf_layout import full_content

BLNS = Path(__file__).parents[1] / "data" / "blns.json"


def compliance_failures(pdf: bytes) -> list[str]:
    report = page.validate_pdf_bytes(pdf, profile="ua1")
    return [] if report.is_compliant else [f"{f.rule_id}: {f.message}" for f in report.failures]


def tree_walk(pdf: bytes) -> list[tuple[str, int, str]]:
    """Every structure element in reading order: (role, depth, its text alternative or "")."""
    found: list[tuple[str, int, str]] = []
    with pikepdf.open(io.BytesIO(pdf)) as document:

        def walk(element: pikepdf.Object, depth: int) -> None:
            if not isinstance(element, pikepdf.Dictionary) or element.get("/Type") != pikepdf.Name.StructElem:
                return
            found.append((str(element.S)[1:], depth, str(element.get("/Alt", ""))))
            for kid in element.K:
                walk(kid, depth + 1)

        for kid in (
            document.Root.StructTreeRoot.K
            if isinstance(document.Root.StructTreeRoot.K, pikepdf.Array)
            else [document.Root.StructTreeRoot.K]
        ):
            walk(kid, 0)
    return found


def test_a_full_briefing_and_its_draft_are_compliant_with_pdf_ua_1():
    assert compliance_failures(build_briefing_pdf(full_content())) == []
    assert compliance_failures(build_briefing_pdf(full_content(), draft=True)) == []


def test_a_briefing_full_of_the_515_hostile_strings_is_compliant():
    strings = json.loads(BLNS.read_text(encoding="utf-8"))
    assert len(strings) >= 515
    share = [tuple(strings[i::9]) for i in range(9)]  # every string lands in some field
    content = full_content(
        partnership_name=strings[100],
        series_title=strings[200],
        topic=strings[300],
        date=strings[400],
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
        author=strings[11],
    )
    assert compliance_failures(build_briefing_pdf(content)) == []


def test_the_structure_tree_holds_headings_lists_tables_and_figures_in_reading_order():
    content = full_content()
    walk = tree_walk(build_briefing_pdf(content))
    roles = [role for role, _, _ in walk]
    assert roles[0] == "Document" and roles.count("H1") == 1
    headings = [role for role in roles if role in ("H1", "H2", "H3")]
    assert headings[0] == "H1" and headings.count("H2") == 10 and headings.count("H3") == 2
    # Headings never skip a level: H1, then H2s, each H3 under an H2.
    assert all(int(b[1]) - int(a[1]) <= 1 for a, b in zip(headings, headings[1:], strict=False))
    # Lists: each item has its label (the bullet) and its body.
    items = [i for i, role in enumerate(roles) if role == "LI"]
    assert len(items) == 8 and all(roles[i + 1 : i + 3] == ["Lbl", "LBody"] for i in items)
    # The action plan is a table with a header row of three TH cells, then rows of TD cells.
    table = roles.index("Table")
    assert roles[table + 1 : table + 6] == ["TR", "TH", "TH", "TH", "TR"]
    # Figures carry their text alternatives, in the order the charts are drawn.
    figures = [alt for role, _, alt in walk if role == "Figure"]
    assert figures == [chart.description for chart in content.charts]
    # Reading order: figures after the summary, the list sections after them, the table after the lists.
    assert roles.index("Figure") < items[0] < table
    assert roles[-5:] == ["L", "LI", "Lbl", "LBody", "Link"]  # the resource's link, inside the item's body


def test_a_paragraph_split_across_pages_stays_one_element():
    long = " ".join(["The plan was reviewed and the family's circumstances were discussed again."] * 120)
    walk = tree_walk(build_briefing_pdf(full_content(summary=(long,))))
    with pikepdf.open(io.BytesIO(build_briefing_pdf(full_content(summary=(long,))))) as document:
        pages = set()

        def mcr_pages(element):
            for kid in element.K:
                if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == pikepdf.Name.MCR:
                    pages.add(kid.Pg.objgen)

        summary_p = [
            e
            for e in document.Root.StructTreeRoot.K[0].K
            if e.S == pikepdf.Name.P and sum(1 for k in e.K if k.get("/Type") == pikepdf.Name.MCR) > 1
        ]
        assert summary_p, "the long summary paragraph should be one P with content on two pages"
        mcr_pages(summary_p[0])
        assert len(pages) >= 2  # one P, its content on each page it runs over
    assert walk.count(("P", 1, "")) >= 1


@pytest.mark.parametrize("draft", [False, True])
def test_tagging_keeps_the_pdf_byte_identical_when_rebuilt(draft):
    content = full_content()
    assert build_briefing_pdf(content, draft=draft) == build_briefing_pdf(content, draft=draft)


def test_catalog_has_language_title_metadata_and_mark_info():
    with pikepdf.open(io.BytesIO(build_briefing_pdf(full_content()))) as document:
        assert str(document.Root.Lang) == "en-GB" and bool(document.Root.MarkInfo.Marked)
        xmp = document.Root.Metadata.read_bytes().decode("utf-8")
        assert "<pdfuaid:part>1</pdfuaid:part>" in xmp and "Learning from the audit: Neglect" in xmp
    assert b.SECTION_FINDINGS
