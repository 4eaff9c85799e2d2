"""A panel member reads the demo audit's analysis, filters it by locality and opens a question; the charts
load as images under the app's real Content-Security-Policy; every page passes axe."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot, sign_in

PANEL = "panel@demo.example"
COORDINATOR = "coordinator@demo.example"
AUDIT = "Multi-agency neglect audit 2026"


def open_analysis(page: Page, live_server: str, email: str) -> None:
    """From the home page, as anyone who reads results would."""
    sign_in(page, live_server, email)
    page.goto(f"{live_server}/")
    page.get_by_role("link", name=re.compile(f"^analysis of {AUDIT}$", re.I)).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Analysis of submitted returns")


def test_panel_member_filters_the_analysis_and_compares_agencies(page: Page, live_server, axe_report):
    open_analysis(page, live_server, PANEL)
    expect(page.get_by_text("Showing: All cases.")).to_be_visible()
    axe_report.check(page, "analysis")
    screenshot(page, "analysis-01-all-cases")

    page.get_by_label("Locality").select_option("Northfield")
    page.get_by_role("button", name="Show these cases").click()
    expect(page.get_by_text("Showing: Cases in Northfield.")).to_be_visible()
    expect(page.locator(".app-figures__item").first).to_contain_text("2 cases")
    assert "locality=Northfield" in page.url
    axe_report.check(page, "analysis filtered by locality")
    screenshot(page, "analysis-02-northfield")

    page.get_by_role("link", name=re.compile(r"^4\.1 ")).click()
    expect(page.get_by_role("table", name=re.compile("agency by agency"))).to_be_visible()
    axe_report.check(page, "a question agency by agency")
    screenshot(page, "analysis-03-question")
    page.get_by_role("link", name="Back to the analysis").click()
    expect(page.get_by_text("Showing: Cases in Northfield.")).to_be_visible()
    axe_report.assert_clean()


def test_charts_load_under_the_content_security_policy(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})  # no CSP bypass here
    try:
        page = context.new_page()
        problems: list[str] = []
        page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
        open_analysis(page, live_server, COORDINATOR)
        page.wait_for_load_state("load")  # every image has loaded or failed
        charts = page.locator("img.app-chart")
        expect(charts).to_have_count(4)  # judgements, compliance, kinds of neglect, contributory factors
        for index in range(charts.count()):
            chart = charts.nth(index)
            chart.scroll_into_view_if_needed()
            assert chart.evaluate("img => img.complete && img.naturalWidth > 0"), chart.get_attribute("src")
            assert chart.get_attribute("alt").startswith("Bar chart of ")
        screenshot(page, "analysis-04-coordinator-charts")
        assert problems == [], "Console errors or CSP violations:\n" + "\n".join(problems)
    finally:
        context.close()
