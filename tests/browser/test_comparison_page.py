"""An editor compares last year's neglect audit with this year's, from the year-on-year page: three tables of
changes, counts of children in words; choosing one audit twice says why on the page. Every view passes axe."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot, sign_in

EDITOR = "editor@demo.example"
EARLIER = "Multi-agency neglect audit 2025"
LATER = "Multi-agency neglect audit 2026"


def test_editor_compares_last_years_audit_with_this_years(page: Page, live_server, axe_report):
    sign_in(page, live_server, EDITOR)
    page.goto(f"{live_server}/trends")
    page.get_by_role("link", name="Compare two audits").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Compare two audits")
    axe_report.check(page, "comparison: choosing")

    page.get_by_label("Audit", exact=True).select_option(label=LATER)
    page.get_by_label("Compare it with").select_option(label=EARLIER)
    page.get_by_role("button", name="Compare").click()
    expect(page.get_by_text("These audits used the same audit tool.")).to_be_visible()
    for name in ("Compliance by section", "overall judgements", "Themes confirmed"):
        expect(page.get_by_role("table", name=re.compile(name))).to_be_visible()
    header = page.get_by_role("table", name=re.compile("Compliance by section")).locator("thead th")
    expect(header).to_have_text(
        ["Section", "Multi-agency neglect audit 2025", "Multi-agency neglect audit 2026", "Change"]
    )
    axe_report.check(page, "comparison: 2025 and 2026")
    screenshot(page, "comparison-01-2025-and-2026")

    page.get_by_label("Compare it with").select_option(label=LATER)
    page.get_by_role("button", name="Compare").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Choose two different audits to compare.")
    summary.get_by_role("link", name="Choose two different audits to compare.").click()
    expect(page.locator("#second")).to_be_focused()
    axe_report.check(page, "comparison: one audit twice")
    screenshot(page, "comparison-02-same-audit")
    axe_report.assert_clean()
