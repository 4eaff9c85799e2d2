"""The learning briefing from first draft to the library, in a real browser; every page passes axe.

An editor drafts the demo audit's briefing, rearranges a list without JavaScript doing the work,
previews it and runs the disclosure check; a coordinator approves and publishes it (the author
may not approve their own by default); a viewer finds it in the library and reads the web page.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PUBLISHING_TIMEOUT_MS, new_context, screenshot, sign_in

# The date is one the disclosure check must stop: it could be a date of birth, so someone says why it may stay.
POINT = "From 1 April 2027, ask for the neglect checklist at every core group."
EDITOR, COORDINATOR, VIEWER = "editor@demo.example", "coordinator@demo.example", "viewer@demo.example"


def _as(browser, live_server, email: str) -> Page:
    page = new_context(browser).new_page()
    sign_in(page, live_server, email)
    return page


def _demo_audit_id(page: Page, live_server: str) -> int:
    page.goto(live_server)
    href = page.get_by_role("link", name=re.compile("^Learning briefing")).first.get_attribute("href")
    return int(re.search(r"/audits/(\d+)/", href).group(1))


def _images_loaded(page: Page) -> None:
    """Every chart (and logo) image has arrived and decoded: a broken image never becomes complete with a width."""
    page.wait_for_function("() => Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)")


def _draft_and_edit(page: Page, live_server: str, axe_report) -> int:
    audit_id = _demo_audit_id(page, live_server)
    page.goto(f"{live_server}/audits/{audit_id}/briefings")
    axe_report.check(page, "composer before a draft")
    page.get_by_role("button", name="Start a draft").click()
    expect(page.get_by_role("alert", name="Success")).to_contain_text("Version 1 started")
    axe_report.check(page, "composer with a draft")
    screenshot(page, "briefing-01-composer")

    page.get_by_role("link", name="Change learning points for managers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Learning points for managers")
    page.get_by_label("Add a learning point").fill(POINT)
    page.get_by_role("button", name="Add another learning point").click()
    boxes = page.locator("textarea")
    last = boxes.nth(boxes.count() - 2)  # the point just added; the last box is for another
    expect(last).to_have_value(POINT)
    number = boxes.count() - 1
    page.get_by_role("button", name=f"Move up learning point {number}").click()
    expect(boxes.nth(number - 2)).to_have_value(POINT)
    axe_report.check(page, "list section editor")
    screenshot(page, "briefing-02-section-editor")
    page.get_by_role("button", name="Save learning points for managers").last.click()
    expect(page.get_by_role("alert", name="Success")).to_contain_text("Learning points for managers saved")
    page.get_by_role("link", name="Change recommendations and action plan").click()
    axe_report.check(page, "record list section editor")
    screenshot(page, "briefing-02b-recommendations")
    page.get_by_label("Lead").first.press("Enter")  # Enter in a one-line box saves; it moves nothing
    expect(page.get_by_role("alert", name="Success")).to_contain_text("Recommendations and action plan saved")
    page.get_by_role("link", name="Change charts").click()
    axe_report.check(page, "charts section editor")
    screenshot(page, "briefing-02c-charts")
    page.get_by_role("link", name="Back to the briefing").click()
    return audit_id


def _preview_and_check(page: Page, axe_report) -> None:
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Learning from the audit")
    expect(page.get_by_text(POINT)).to_be_visible()
    charts = page.locator("img.app-briefing-chart__image").count()
    assert charts >= 4 and page.locator("figure.app-briefing-chart table").count() == charts  # each with its numbers
    _images_loaded(page)
    axe_report.check(page, "preview")
    screenshot(page, "briefing-03-preview")
    page.get_by_role("link", name="Back to the briefing").click()

    page.get_by_role("link", name="Run the disclosure check").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Disclosure check")
    expect(page.locator("mark", has_text="1 April 2027")).to_be_visible()
    axe_report.check(page, "disclosure check")
    screenshot(page, "briefing-04-check")
    while page.get_by_role("button", name=re.compile("^Let it stay")).count():
        reason = page.get_by_label(re.compile("Or let it stay")).first
        reason.fill("The date the new practice starts, not anyone's birthday.")
        page.get_by_role("button", name=re.compile("^Let it stay")).first.click()
        expect(page.get_by_role("alert", name="Success")).to_contain_text("Your reason is recorded")
    expect(page.get_by_text("The possible identifier is resolved", exact=False)).to_be_visible()
    expect(page.get_by_text("You started this version, so someone else in the business unit must")).to_be_visible()
    screenshot(page, "briefing-05-check-resolved")


@pytest.fixture
def live_server(own_server):
    """Publishing changes the demo audit's state: this module works on a demo app of its own."""
    return own_server


def test_a_briefing_goes_from_draft_to_the_library(browser, live_server, axe_report):
    editor = _as(browser, live_server, EDITOR)
    audit_id = _draft_and_edit(editor, live_server, axe_report)
    _preview_and_check(editor, axe_report)
    editor.goto(f"{live_server}/settings/briefing")
    axe_report.check(editor, "briefing settings")
    screenshot(editor, "briefing-06-settings")
    editor.get_by_role("button", name="Upload a logo").click()
    axe_report.check(editor, "upload a logo")
    editor.context.close()

    coordinator = _as(browser, live_server, COORDINATOR)
    coordinator.goto(f"{live_server}/audits/{audit_id}/briefings")
    coordinator.get_by_role("button", name="Approve version 1").click()
    expect(coordinator.get_by_role("alert", name="Success")).to_contain_text("Version 1 is approved")
    axe_report.check(coordinator, "composer of an approved version")
    screenshot(coordinator, "briefing-06b-approved")
    coordinator.get_by_role("button", name="Publish version 1").click()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text("Publish version 1 of the learning briefing?")
    axe_report.check(coordinator, "confirm publishing a briefing")
    coordinator.get_by_role("button", name="Publish version 1").click(timeout=PUBLISHING_TIMEOUT_MS)
    expect(coordinator.get_by_role("alert", name="Success")).to_contain_text(
        "Version 1 is published", timeout=PUBLISHING_TIMEOUT_MS
    )
    coordinator.context.close()

    viewer = _as(browser, live_server, VIEWER)
    viewer.goto(f"{live_server}/briefings")
    expect(viewer.get_by_role("heading", level=1)).to_have_text("Learning briefings")
    axe_report.check(viewer, "library")
    screenshot(viewer, "briefing-07-library")
    viewer.get_by_role("link", name=re.compile("^Web page")).first.click()
    expect(viewer.get_by_role("heading", level=1)).to_contain_text("Learning from the audit")
    expect(viewer.get_by_text("Version 1", exact=False).first).to_be_visible()
    assert viewer.get_by_role("heading", level=2).count() >= 10
    _images_loaded(viewer)
    axe_report.check(viewer, "published web page")
    screenshot(viewer, "briefing-08-web-page")
    viewer.context.close()
    axe_report.assert_clean()
