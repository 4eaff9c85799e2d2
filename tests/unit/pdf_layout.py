"""A full sample briefing, and where its PDF's leaves were laid out (for tests of headings left alone at the end
of a column)."""

from __future__ import annotations

from unittest import mock

import reports.briefing_pdf
from audit_tools.briefing import BriefingContent, Chart, KeyFigure, Recommendation, Resource
from reports.pdf_tagging import Leaf

HEADINGS = ("H1", "H2", "H3")


def laid_out_leaves(content, **options) -> list[Leaf]:
    """Every tagged leaf (heading, paragraph, list item, cell, figure) in reading order, with its page and box."""
    found: list[Leaf] = []
    real = reports.briefing_pdf.add_structure

    def record(pdf, leaves, facts):
        found.extend(leaves)
        return real(pdf, leaves, facts)

    with mock.patch.object(reports.briefing_pdf, "add_structure", record):
        reports.briefing_pdf.build_briefing_pdf(content, **options)
    return found


def orphaned_headings(leaves: list[Leaf]) -> list[str]:
    """Headings whose next leaf is not just below them: on another page, or at the top of another column."""
    orphans = []
    for heading, after in zip(leaves, leaves[1:], strict=False):
        if heading.role not in HEADINGS or heading.role == "H1":
            continue
        follower = next((leaf for leaf in leaves[leaves.index(heading) + 1 :] if leaf.key != heading.key), after)
        below = follower.box[3] <= heading.box[1] + 1 and follower.box[1] < heading.box[1]
        same_column = abs(follower.box[0] - heading.box[0]) < 30
        if follower.page != heading.page or not below or not same_column:
            orphans.append(f"{heading.role} on page {heading.page} at {heading.box}")
    return orphans


def full_content(**changes) -> BriefingContent:
    values = dict(
        partnership_name="Westmere Safeguarding Children Partnership",
        series_title="Eyes On",
        topic="Neglect",
        date="1 May 2026",
        version="Version 1",
        definition="Neglect is the persistent failure to meet a child's basic needs.",
        summary=("We looked at the cases of six children.",),
        key_figures=(KeyFigure("6", "children's cases audited"),),
        charts=(
            Chart("Overall judgement of practice", ("Good", "Requires improvement"), (10, 12)),
            Chart("Kinds of neglect", ("Physical", "Emotional"), (15, 9)),
        ),
        findings=("Attendance at conferences came up in every one of the children's cases.",),
        worked_well=("In most returns, the child had been seen on their own.",),
        to_change=("In a few returns, a clear contingency plan was in place.",),
        themes_in_common=("Voice of the child — also found in Neglect (2025)",),
        learning_points_managers=("Make sure the checklist is completed.",),
        action_points_practitioners=("Assess every child in the household.",),
        key_messages=("Model good practice as agencies.",),
        recommendations=(Recommendation("Relaunch the checklist.", "Children's social care", "By March"),),
        resources=(Resource("Procedures", "https://procedures.example.org"),),
        web_url="https://workbench.example.org/briefings/1",
    )
    values.update(changes)
    return BriefingContent(**values)
