"""With JavaScript, a draft saves itself while the auditor types; leaving with unsaved changes is warned."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in

SCHOOL_AUDITOR = "auditor.school@demo.example"
TEXT = "Attendance dropped to 82% in the spring term; the school recorded each absence."


def test_typing_saves_a_draft_without_pressing_save(page: Page, live_server):
    sign_in(page, live_server, SCHOOL_AUDITOR)
    page.goto(f"{live_server}/returns/")
    page.get_by_role("table", name=re.compile("follow-up sample$")).get_by_role("link").first.click()
    page.wait_for_load_state("load")  # the autosave script must be running before anything is typed
    rationale = page.get_by_label(re.compile("Why did you reach this judgement"))
    rationale.fill(TEXT)
    expect(page.get_by_role("status")).to_contain_text("Draft saved at", timeout=15_000)
    page.reload()
    expect(page.get_by_label(re.compile("Why did you reach this judgement"))).to_have_value(TEXT)


def test_leaving_with_unsaved_changes_asks_first(page: Page, live_server):
    sign_in(page, live_server, SCHOOL_AUDITOR)
    page.goto(f"{live_server}/returns/")
    page.get_by_role("table", name=re.compile("follow-up sample$")).get_by_role("link").first.click()
    page.wait_for_load_state("load")
    page.get_by_label(re.compile("Why did you reach this judgement")).fill("Still typing")
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    page.get_by_role("link", name="Back to my returns").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^Return for case"))
    assert dialogs == ["beforeunload"]
