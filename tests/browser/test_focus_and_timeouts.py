"""Issue 23: focus goes to the most important message, and a time-out never takes work.

The time-outs are shortened through configuration (SESSION_IDLE_SECONDS and friends): the warning shows
5 seconds after the last activity with 65 seconds left, and the absolute limit is 100 seconds after
signing in, so its warning shows 35 seconds after signing in. Each test signs in afresh (its own clocks).
"""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import demo_server, new_context, screenshot, sign_in

COORDINATOR = "coordinator@demo.example"
AUDITOR = "auditor.school@demo.example"
SHORT = {"SESSION_IDLE_SECONDS": "70", "IDLE_WARNING_SECONDS": "65", "SESSION_LIFETIME_SECONDS": "100"}
CONCERN = re.compile(r"raise a safeguarding concern about the child that needs action now\?")
ACTION = re.compile(r"What action have you taken about the current concern\?")

# Counts the changes of the warning's live region (a screen reader announces each one).
COUNT_CHANGES = """() => { window.announced = [];
  new MutationObserver(() => window.announced.push(document.querySelector('.app-timeout-left').textContent))
    .observe(document.querySelector('.app-timeout-left'), {childList: true, characterData: true, subtree: true}); }"""


@pytest.fixture(scope="module")
def short_server(chromium_path, demo_database):
    with demo_server(demo_database, SHORT) as server:
        yield server


@pytest.fixture
def fresh(browser):
    context = new_context(browser)
    yield context.new_page()
    context.close()


def _new_audit_page(page: Page, server: str) -> None:
    sign_in(page, server, COORDINATOR)
    page.goto(f"{server}/audits/new")  # a form with no autosave: only typing keeps the session alive


def _type_for(page: Page, field, seconds: float) -> None:
    field.click()
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        field.press_sequentially("ab", delay=150)
        page.wait_for_timeout(500)


def test_typing_on_a_form_without_autosave_keeps_the_session_and_the_warning_never_takes_the_field(
    fresh: Page, short_server
):
    _new_audit_page(fresh, short_server)
    warning = fresh.locator(".app-timeout-warning")
    title = fresh.get_by_label("Title", exact=True)
    _type_for(fresh, title, 9)  # longer than the 5 seconds before the warning would show
    expect(warning).to_be_hidden()
    expect(title).to_be_focused()
    fresh.wait_for_timeout(400)
    expect(warning).to_be_visible(timeout=8000)  # the person stopped typing: now it shows
    expect(title).to_be_focused()  # but the focus stays in the field they were typing in
    expect(warning.locator(".app-timeout-left")).to_have_text("You will be signed out in 2 minutes.")
    screenshot(fresh, "timeout-01-warning-while-in-a-field")


def test_the_warning_counts_down_in_minutes_politely_and_stay_signed_in_returns_the_focus(fresh: Page, short_server):
    _new_audit_page(fresh, short_server)
    link = fresh.get_by_role("link", name="Back", exact=False).first
    link.focus()
    fresh.evaluate(COUNT_CHANGES)
    warning = fresh.locator(".app-timeout-warning")
    expect(warning).to_be_visible(timeout=9000)
    left = warning.locator(".app-timeout-left")
    expect(left).to_have_attribute("aria-live", "polite")
    expect(left).to_have_text("You will be signed out in 2 minutes.")
    stay = warning.get_by_role("button", name="Stay signed in")
    expect(stay).to_be_focused()  # nobody was typing: the warning takes the focus
    expect(left).to_have_text("You will be signed out in 1 minute.", timeout=9000)
    assert fresh.evaluate("window.announced") == [
        "You will be signed out in 2 minutes.",
        "You will be signed out in 1 minute.",
    ]  # two announcements in about 7 seconds, not one a second
    stay.press("Enter")
    expect(warning).to_be_hidden()
    expect(link).to_be_focused()  # back where the person was, not the page body


def test_the_absolute_limit_is_warned_of_too_and_cannot_be_put_off(fresh: Page, short_server):
    _new_audit_page(fresh, short_server)
    warning = fresh.locator(".app-timeout-warning")
    title = fresh.get_by_label("Title", exact=True)
    # Typing keeps the idle clock at bay, not the absolute one. Typing for 45 of the 100 seconds moves the idle
    # end (70 s after the last keep-alive, sent every 2.5 s while typing) past the absolute end, whatever the
    # throttle's phase; 30 seconds left the two ends within a keep-alive of each other, and the test to chance.
    _type_for(fresh, title, 45)
    expect(warning).to_be_visible(timeout=12000)
    expect(warning).to_contain_text("nobody stays signed in for more than 100 seconds")
    expect(warning.get_by_role("button", name="Stay signed in")).to_be_hidden()
    expect(warning.locator(".app-timeout-left")).to_have_text(re.compile(r"You will be signed out in [12] minutes?\."))
    expect(title).to_be_focused()
    screenshot(fresh, "timeout-02-absolute-limit")


def test_a_concern_instruction_is_the_one_alert_and_has_the_focus(fresh: Page, short_server):
    sign_in(fresh, short_server, AUDITOR)
    fresh.goto(f"{short_server}/returns/")
    fresh.get_by_role("table", name=re.compile("follow-up sample$")).get_by_role("link").first.click()
    fresh.get_by_role("group", name=CONCERN).get_by_label("Yes", exact=True).check()
    fresh.get_by_label(ACTION).fill("Rang our designated safeguarding lead.")
    fresh.get_by_role("button", name="Save and come back later").click()
    alert = fresh.get_by_role("alert")
    expect(alert).to_have_count(1)
    expect(alert).to_contain_text("Act on a current concern now")
    expect(alert).to_contain_text("Draft saved")
    expect(alert).to_be_focused()
    assert alert.inner_text().index("Act on a current concern now") < alert.inner_text().index("Draft saved")
    screenshot(fresh, "focus-01-concern-alert")
