"""A coordinator's journey through the tool library and designer, in a real browser, checked with axe-core."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot, sign_in

COORDINATOR = "coordinator@demo.example"
TOOL_NAME = "Multi-agency neglect case audit"
NEW_KEY = "bedroom_seen"
NEW_TEXT = "Was the child's bedroom seen during a home visit?"


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def test_coordinator_reviews_versions_and_designs_a_new_one(page: Page, live_server, axe_report):
    sign_in(page, live_server, COORDINATOR)

    # The tool library.
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Audit tools").click()
    expect(heading(page)).to_have_text("Audit tools")
    expect(page.get_by_role("heading", level=2, name=TOOL_NAME)).to_be_visible()
    axe_report.check(page, "Tool library")
    screenshot(page, "tools-01-library")

    # A published version.
    page.get_by_role("link", name=f"Version 1 of {TOOL_NAME}", exact=True).click()
    expect(heading(page)).to_have_text(TOOL_NAME)
    expect(page.get_by_text("This version is published and can never change")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"^Edit section"))).to_have_count(0)
    version_1_url = page.url
    assert re.search(r"/tools/\d+/v1$", version_1_url), version_1_url
    axe_report.check(page, "Published version")
    screenshot(page, "tools-02-published-version")

    # Its preview: the return form as auditors see it.
    page.get_by_role("button", name="Preview as an auditor sees it").click()
    expect(heading(page)).to_have_text(TOOL_NAME)
    expect(page.get_by_text("This is exactly the form an agency auditor sees")).to_be_visible()
    expect(page.locator("[name=q_agency_role]").first).to_be_attached()
    expect(page.locator("[name=q_overall_judgement]").first).to_be_attached()
    axe_report.check(page, "Preview")
    screenshot(page, "tools-03-preview")

    # A new draft version.
    page.goto(version_1_url)
    page.get_by_role("button", name="Create a new draft version").click()
    expect(page.get_by_role("alert", name="Success")).to_contain_text("A new draft version has been created")
    assert re.search(r"/tools/\d+/v2$", page.url), page.url
    version_2_url = page.url
    expect(page.get_by_role("button", name="Publish this version")).to_be_visible()
    axe_report.check(page, "Draft version (designer)")
    screenshot(page, "tools-04-draft-version")

    # The designer's question form: a mistake first, then a good question.
    first_section = page.locator("h2[id^=section-]").first.inner_text().split(". ", 1)[1]
    page.get_by_role("link", name=f"Add a question to {first_section}", exact=True).click()
    expect(heading(page)).to_have_text("Add a question")
    axe_report.check(page, "Add a question")
    screenshot(page, "tools-05-add-question")

    page.get_by_label("Question key").fill("agency_role")  # already used in this tool
    page.get_by_label("Question", exact=True).fill(NEW_TEXT)
    page.get_by_label("Choose one option").check()
    page.get_by_label("Options (for 'choose one' and 'choose any')").fill("yes | Yes | 2\nno | No | 0")
    page.get_by_role("button", name="Save question").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text('questions "agency_role": the key is used more than once')
    expect(page.get_by_label("Question", exact=True)).to_have_value(NEW_TEXT)
    axe_report.check(page, "Add a question, with a problem")
    screenshot(page, "tools-06-add-question-problem")

    page.get_by_label("Question key").fill(NEW_KEY)
    page.get_by_role("button", name="Save question").click()
    expect(page.get_by_role("alert", name="Success")).to_contain_text(f"Question {NEW_KEY} saved.")
    assert page.url.startswith(version_2_url), page.url
    expect(page.locator(f"#question-{NEW_KEY}")).to_contain_text(NEW_TEXT)

    # Compare version 2 with version 1.
    page.get_by_role("button", name="Compare with another version").click()
    expect(heading(page)).to_have_text("Changes in version 2 since version 1")
    added = page.get_by_role("row").filter(has_text=f"question {NEW_KEY}")
    expect(added).to_contain_text("Question added")
    expect(added).to_contain_text(NEW_TEXT)
    axe_report.check(page, "Compare versions")
    screenshot(page, "tools-07-compare")

    axe_report.assert_clean()
