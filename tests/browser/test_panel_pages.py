"""A panel member reads the demo audit's cases and one case side by side; both pages pass axe."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot, sign_in

PANEL = "panel@demo.example"


def _completed_audit_id(page: Page, live_server: str) -> str:
    """The demo's audit in analysis, found from the home page's link to its analysis."""
    page.goto(live_server)
    href = page.get_by_role("link", name=re.compile(r"^Analysis of ")).first.get_attribute("href")
    return re.search(r"/audits/(\d+)/analysis", href).group(1)


def test_panel_member_reads_the_cases_and_a_case_side_by_side(page: Page, live_server, axe_report):
    sign_in(page, live_server, PANEL)
    page.goto(f"{live_server}/audits/{_completed_audit_id(page, live_server)}/panel")
    expect(page.get_by_role("heading", level=1)).to_have_text("Multi-agency panel")
    cases = page.get_by_role("table", name=re.compile("Cases"))
    expect(cases.get_by_role("row")).to_have_count(7)  # a header and six cases
    expect(cases.get_by_role("row", name=re.compile("NA26-02"))).to_contain_text("Inadequate")
    axe_report.check(page, "panel: cases")
    screenshot(page, "panel-01-cases")

    page.get_by_role("link", name="NA26-01").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Case NA26-01")
    expect(page.get_by_text("The audit has moved on to analysis")).to_be_visible()
    expect(page.get_by_text("Early help judged its own practice good")).to_be_visible()
    expect(page.get_by_role("button", name="Save the panel's record")).to_have_count(0)
    first_table = page.get_by_role("table").first
    expect(first_table.get_by_role("columnheader")).to_have_count(4)  # the question and three agencies
    axe_report.check(page, "panel: case side by side")
    screenshot(page, "panel-02-case")

    page.get_by_role("link", name="Show only questions where agencies differ").click()
    expect(page.get_by_text("Showing only the questions where agencies differ")).to_be_visible()
    rows = page.get_by_role("row").filter(has=page.get_by_role("rowheader"))
    expect(rows.first).to_contain_text("Agencies differ")
    assert rows.count() == page.get_by_role("rowheader").filter(has_text="Agencies differ").count()
    axe_report.check(page, "panel: only differences")
    screenshot(page, "panel-03-case-differences")

    page.set_viewport_size({"width": 375, "height": 800})
    screenshot(page, "panel-04-case-narrow")
    axe_report.assert_clean()
