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


def test_the_save_status_is_in_view_wherever_the_auditor_is_on_the_form(page: Page, live_server):
    """On a tablet or larger the status and buttons stay at the foot of the window, so "Draft saved" shows
    beside the first question of a long form, and a focused field is scrolled clear of them."""
    page.set_viewport_size({"width": 1100, "height": 800})
    sign_in(page, live_server, SCHOOL_AUDITOR)
    page.goto(f"{live_server}/returns/")
    page.get_by_role("table", name=re.compile("follow-up sample$")).get_by_role("link").first.click()
    page.wait_for_load_state("load")
    first_note = page.get_by_label(re.compile("^Evidence from your records for 1.1"))
    first_note.fill("Case notes, home visit of March")
    status = page.get_by_role("status")
    expect(status).to_contain_text("Draft saved at", timeout=15_000)
    expect(status).to_be_in_viewport()
    expect(page.get_by_role("button", name="Submit return")).to_be_in_viewport()
    bar = page.locator(".app-form-actions").bounding_box()
    second_note = page.get_by_label(re.compile("^Evidence from your records for 1.2"))
    second_note.focus()
    field = second_note.bounding_box()
    assert field["y"] + field["height"] <= bar["y"] + 1, "the focused field is hidden behind the bar"


def test_submitting_while_an_autosave_is_on_its_way_waits_for_it(page: Page, live_server):
    """The autosave changes the return's version. A submit sent before the autosave came back would carry
    the old version and be refused as someone else's save; the page sends it once the autosave is back."""
    sign_in(page, live_server, SCHOOL_AUDITOR)
    page.goto(f"{live_server}/returns/")
    page.get_by_role("table", name=re.compile("follow-up sample$")).get_by_role("link").first.click()
    page.wait_for_load_state("load")
    held = []
    # The autosave reaches the server, which saves the draft; its answer waits until the test lets it go.
    page.route("**/autosave", lambda route: held.append((route, route.fetch())))
    page.get_by_label(re.compile("Why did you reach this judgement")).fill(TEXT)
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(100)
    assert held, "the autosave never started"
    page.get_by_role("button", name="Submit return").click()  # while the autosave is on its way
    page.wait_for_timeout(300)
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^Return for case"))
    route, answer = held[0]
    route.fulfill(response=answer)
    expect(page.get_by_text("There is a problem")).to_be_visible()  # the form's own check: not answered yet
    expect(page.get_by_text("Someone else saved this return")).to_have_count(0)
    page.unroute("**/autosave")
    expect(page.get_by_label(re.compile("Why did you reach this judgement"))).to_have_value(TEXT)
