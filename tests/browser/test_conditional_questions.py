"""Follow-up questions appear only when the answer they depend on is given."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot, sign_in

EH_AUDITOR = "auditor.eh@demo.example"
FATHER = "Were the child's father and any other male carers"
FATHER_ENGAGED = re.compile(r"^5\.2 ")


def test_follow_up_questions_show_and_hide_with_their_answer(page: Page, live_server, axe_report):
    sign_in(page, live_server, EH_AUDITOR)
    page.goto(f"{live_server}/returns/")
    page.get_by_role("table", name=re.compile("follow-up sample$")).get_by_role("link").first.click()
    follow_up = page.get_by_role("group", name=FATHER_ENGAGED)
    expect(follow_up).to_be_hidden()
    father = page.get_by_role("group", name=re.compile(re.escape(FATHER)))
    father.get_by_label("Yes", exact=True).check()
    expect(follow_up).to_be_visible()
    screenshot(page, "conditional-01-follow-up-shown")
    axe_report.check(page, "return form with a follow-up question shown")
    father.get_by_label("No", exact=True).check()
    expect(follow_up).to_be_hidden()
    axe_report.assert_clean()
