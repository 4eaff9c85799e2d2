"""An editor writes learning, records progress on an action and reads the plan and the year-on-year view; every
page passes axe."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot, sign_in

EDITOR = "editor@demo.example"
DEMO_AUDIT = "Multi-agency neglect audit 2026"  # its title names its year: no "(2026)" after it


def test_editor_writes_learning_and_follows_the_action_plan(page: Page, live_server, axe_report):
    sign_in(page, live_server, EDITOR)
    page.goto(f"{live_server}/actions")
    expect(page.get_by_role("heading", level=1)).to_have_text("Action plan")
    axe_report.check(page, "action plan")
    screenshot(page, "learning-01-action-plan")
    audit_id = page.locator("#audit option", has_text=re.compile(f"^{DEMO_AUDIT}$")).get_attribute("value")

    page.goto(f"{live_server}/audits/{audit_id}/learning")
    expect(page.get_by_role("heading", level=2, name="Learning points for managers")).to_be_visible()
    axe_report.check(page, "learning points")
    screenshot(page, "learning-02-learning-points")

    page.get_by_role("button", name="Add a learning point").click()
    page.get_by_role("button", name="Save learning point").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose who this learning is for")
    axe_report.check(page, "learning point form with errors")
    page.get_by_label("Practitioners").check()
    page.get_by_label("Learning point", exact=True).fill("Write down what the child says, in their words.")
    page.get_by_role("group", name="Themes this learning comes from").get_by_role("checkbox").first.check()
    screenshot(page, "learning-03-learning-point-form")
    page.get_by_role("button", name="Save learning point").click()
    expect(page.get_by_role("alert", name="Success")).to_contain_text("Learning point saved.")
    new_point = page.locator(".govuk-summary-card", has_text="Write down what the child says, in their words.")
    expect(new_point).to_contain_text(re.compile(r"Seen in \d+ of 6 cases"))  # the demo audit's six children

    page.goto(f"{live_server}/audits/{audit_id}/recommendations")
    expect(page.get_by_role("heading", level=1)).to_have_text("Recommendations")
    axe_report.check(page, "recommendations")
    screenshot(page, "learning-04-recommendations")

    page.get_by_role("link", name="Progress on recommendation 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Progress on a recommendation")
    page.get_by_label("Progress update").fill(
        "The checklist briefing was given to 40 staff; two localities are still to come."
    )
    page.get_by_label("Red – off track").check()
    page.get_by_role("button", name="Add progress update").click()
    expect(page.get_by_role("alert", name="Success")).to_contain_text("The status is now Red – off track")
    expect(page.get_by_role("table")).to_contain_text("The checklist briefing was given to 40 staff")
    axe_report.check(page, "recommendation with progress")
    screenshot(page, "learning-05-recommendation")

    page.goto(f"{live_server}/actions")
    page.get_by_label("Status").select_option(label="Red – off track")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("heading", level=2, name=re.compile("match these filters"))).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(page.locator("tbody tr", has_text="Red – off track").count())
    axe_report.check(page, "action plan filtered")
    screenshot(page, "learning-06-action-plan-filtered")

    page.goto(f"{live_server}/trends")
    expect(page.get_by_role("heading", level=1)).to_have_text("Year on year")
    expect(page.get_by_role("table", name=re.compile("Compliance by section"))).to_contain_text("All sections")
    axe_report.check(page, "year on year")
    screenshot(page, "learning-07-trends")

    page.goto(f"{live_server}/categories")
    expect(page.get_by_role("table")).to_contain_text("Workforce development")
    axe_report.check(page, "recommendation categories")
    screenshot(page, "learning-08-categories")
    axe_report.assert_clean()
