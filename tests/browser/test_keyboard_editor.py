"""An editor composes, checks and publishes a learning briefing with the keyboard alone, always seeing the focus.

Tab, Enter and typing only — no mouse, no clicks. Each element the focus lands on must show it (GOV.UK's
yellow focus style, an outline or a ring), and the error summary's link must take the focus to the field
it names. A coordinator approves the version in between (an author may not approve their own), also by
keyboard. Runs on a demo app of its own: the demo audit's briefing is left published.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import DEMO_PASSWORD, PUBLISHING_TIMEOUT_MS, new_context, screenshot
from tests.browser.probes import FOCUS

EDITOR, COORDINATOR = "editor@demo.example", "coordinator@demo.example"
POINT = "From 1 April 2027, ask for the neglect checklist at every core group."
REASON = "The date the new practice starts, not anyone's birthday."
MISSING_REASON = "Enter why this may stay in the briefing"


def tab_to(page: Page, name: str | re.Pattern, limit: int = 400) -> dict:
    """Press Tab until the element called ``name`` has the focus; every element passed on the way must show it."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS)
        assert focus["visible"], f"the focus cannot be seen on {focus['html']}"
        if name.search(focus["name"]) if isinstance(name, re.Pattern) else focus["name"] == name:
            return focus
    raise AssertionError(f"Tab never reached {name!r} on {page.url}")


def press(page: Page, name: str | re.Pattern) -> None:
    tab_to(page, name)
    page.keyboard.press("Enter")


def type_into(page: Page, label: str | re.Pattern, text: str) -> None:
    tab_to(page, label)
    page.keyboard.type(text)


def keyboard_sign_in(page: Page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/login")
    type_into(page, "E-mail address", email)
    type_into(page, "Password", DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def success(page: Page):
    return page.get_by_role("alert", name="Success")


def _compose(page: Page, axe_report) -> None:
    press(page, re.compile(r"^Learning briefing: Multi-agency neglect audit 2026$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Learning briefing")
    press(page, "Start a draft")
    expect(success(page)).to_contain_text("Version 1 started")
    axe_report.check(page, "composer with a new draft (keyboard)")
    press(page, "Change learning points for managers")
    expect(page.get_by_role("heading", level=1)).to_have_text("Learning points for managers")
    type_into(page, "Add a learning point", POINT)
    screenshot(page, "keyboard-editor-01-learning-point-typed")
    press(page, "Save learning points for managers")
    expect(success(page)).to_contain_text("Learning points for managers saved")


def _check(page: Page, axe_report) -> None:
    press(page, "Run the disclosure check")
    expect(page.get_by_role("heading", level=1)).to_have_text("Disclosure check")
    expect(page.locator("mark", has_text="1 April 2027")).to_be_visible()
    press(page, re.compile(r"^Let it stay"))  # with no reason given: the error summary says what is missing
    expect(page.locator(".govuk-error-summary")).to_contain_text(MISSING_REASON)
    assert page.title().startswith("Error: ")
    axe_report.check(page, "disclosure check with a problem (keyboard)")
    screenshot(page, "keyboard-editor-02-error-summary")
    press(page, MISSING_REASON)
    focused = page.evaluate(FOCUS)
    assert focused["id"].startswith("reason-") and focused["visible"], focused  # the link took the focus to the box
    page.keyboard.type(REASON)
    press(page, re.compile(r"^Let it stay"))
    expect(success(page)).to_contain_text("Your reason is recorded")
    while page.get_by_role("button", name=re.compile("^Let it stay")).count():  # anything else the check found
        type_into(page, re.compile(r"^Or let it stay"), REASON)
        press(page, re.compile(r"^Let it stay"))
        expect(success(page)).to_contain_text("Your reason is recorded")
    expect(page.get_by_text("You started this version, so someone else in the business unit must")).to_be_visible()
    axe_report.check(page, "disclosure check resolved (keyboard)")
    screenshot(page, "keyboard-editor-03-check-resolved")


def _approve_as_coordinator(browser, base_url: str, composer_url: str) -> None:
    page = new_context(browser).new_page()
    try:
        keyboard_sign_in(page, base_url, COORDINATOR)
        page.goto(composer_url)  # an address typed into the browser
        press(page, "Approve version 1")
        expect(success(page)).to_contain_text("Version 1 is approved")
    finally:
        page.context.close()


def test_an_editor_composes_checks_and_publishes_with_the_keyboard(browser, own_server, axe_report):
    page = new_context(browser).new_page()
    keyboard_sign_in(page, own_server, EDITOR)
    _compose(page, axe_report)
    composer_url = page.url.split("#")[0]
    _check(page, axe_report)

    _approve_as_coordinator(browser, own_server, composer_url)
    page.goto(composer_url)
    press(page, "Publish version 1")
    expect(page.get_by_role("heading", level=1)).to_have_text("Publish version 1 of the learning briefing?")
    press(page, "Publish version 1")
    expect(success(page)).to_contain_text("Version 1 is published", timeout=PUBLISHING_TIMEOUT_MS)
    expect(page.get_by_role("heading", level=1)).to_have_text("Learning from the audit: Neglect")
    expect(page.get_by_text(POINT)).to_be_visible()
    axe_report.check(page, "published briefing (keyboard)")
    screenshot(page, "keyboard-editor-04-published")
    page.context.close()
    axe_report.assert_clean()
