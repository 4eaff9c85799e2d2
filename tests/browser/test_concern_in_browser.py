"""Issue 17: an auditor who answers that there is a current concern sees what to do at once, before
submitting, and cannot save without saying what they have done; the coordinator then acknowledges it
from the home page."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import new_context, screenshot, sign_in

AUDITOR = "auditor.school@demo.example"
COORDINATOR = "coordinator@demo.example"
CONCERN = re.compile(r"raise a safeguarding concern about the child that needs action now\?")
ACTION = re.compile(r"What action have you taken about the current concern\?")


def test_a_concern_prompts_at_once_requires_what_was_done_and_reaches_the_coordinator(
    page: Page, browser, own_server, axe_report
):
    sign_in(page, own_server, AUDITOR)
    page.goto(f"{own_server}/returns/")
    page.get_by_role("table", name=re.compile("follow-up sample$")).get_by_role("link").first.click()
    prompt = page.locator(".app-concern-prompt")
    expect(prompt).to_be_hidden()

    page.get_by_role("group", name=CONCERN).get_by_label("Yes", exact=True).check()
    expect(prompt).to_be_visible()  # before anything is sent
    expect(prompt.get_by_role("heading", name="Act on a current concern now")).to_be_visible()
    expect(prompt).to_contain_text("safeguarding")
    screenshot(page, "concern-01-prompt")
    axe_report.check(page, "return form with the concern prompt shown")

    page.get_by_role("button", name="Submit return").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    link = summary.get_by_role("link", name="Say what you have done about the current safeguarding concern")
    expect(link).to_have_attribute("href", "#q_current_concern_action")
    expect(page.get_by_role("group", name=CONCERN).get_by_label("Yes", exact=True)).to_be_checked()  # kept
    expect(prompt).to_be_visible()
    axe_report.check(page, "return form refused without what was done")
    screenshot(page, "concern-02-what-was-done-required")

    link.click()
    expect(page.get_by_label(ACTION)).to_be_focused()
    page.get_by_label(ACTION).fill("Rang our designated safeguarding lead, who referred to the front door.")
    page.get_by_role("button", name="Save and come back later").click()
    expect(page.get_by_role("alert").filter(has_text="You recorded a current safeguarding concern")).to_be_visible()

    context = new_context(browser)
    try:
        coordinator = context.new_page()
        sign_in(coordinator, own_server, COORDINATOR)
        coordinator.goto(f"{own_server}/")  # the home page leads with concerns not yet acknowledged
        concerns = coordinator.locator("#concerns")
        expect(concerns).to_contain_text("School")
        concerns.get_by_role("listitem").filter(has_text="School").get_by_role(
            "link", name=re.compile("^Acknowledge")
        ).click()
        expect(coordinator.get_by_text("Rang our designated safeguarding lead")).to_be_visible()
        axe_report.check(coordinator, "a concern to acknowledge")
        coordinator.get_by_role("button", name="Acknowledge the concern").click()
        expect(coordinator.locator(".govuk-error-summary")).to_be_visible()  # the action taken is required
        coordinator.get_by_label("What action have you taken?").fill("Checked with the school's lead: referral made.")
        coordinator.get_by_role("button", name="Acknowledge the concern").click()
        row = coordinator.locator("#concerns").get_by_role("row").filter(has_text="School")
        expect(row).to_contain_text("Acknowledged")
        row.get_by_role("button", name=re.compile("^Close")).click()
        expect(coordinator.locator("#concerns").get_by_role("row").filter(has_text="School")).to_have_count(0)
    finally:
        context.close()
    axe_report.assert_clean()
