"""Two browsers on one return, and two on one panel case: pressing the conflict page's button never
throws away a save the other person was told had been made (issue 16, item 4)."""

from __future__ import annotations

import re
import sqlite3

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import new_context, screenshot, sign_in

AUDITOR = "auditor@demo.example"
RATIONALE = re.compile("Why did you reach this judgement")
FIRST_NOTE = re.compile(r"^Evidence from your records for 1\.1")
CONFLICT = "Someone else saved this return while you were working on it"


@pytest.fixture
def two_pages(browser):
    """Two browsers of their own (own cookies, own tabs), closed afterwards."""
    contexts = [new_context(browser) for _ in range(2)]
    yield [context.new_page() for context in contexts]
    for context in contexts:
        context.close()


def _open_a_draft_return(page: Page, server: str, nth: int) -> str:
    sign_in(page, server, AUDITOR)
    page.goto(f"{server}/returns/")
    page.get_by_role("table", name=re.compile("follow-up sample$")).get_by_role("link").nth(nth).click()
    page.wait_for_load_state("load")  # the autosave script is running
    return page.url


def _save(page: Page) -> None:
    page.get_by_role("button", name="Save and come back later").click()


def test_a_save_of_another_field_survives_the_conflict_pages_button(two_pages, own_server, axe_report):
    first, second = two_pages
    url = _open_a_draft_return(first, own_server, 0)
    sign_in(second, own_server, AUDITOR)
    second.goto(url)  # B opens the return before A saves
    second.wait_for_load_state("load")

    first.get_by_label(RATIONALE).fill("A's reasons, saved and acknowledged.")
    _save(first)
    expect(first.get_by_text("Draft saved. You can come back to it at any time.")).to_be_visible()

    second.get_by_label(FIRST_NOTE).fill("B's evidence: strategy minutes")
    _save(second)
    expect(second.get_by_role("heading", name=CONFLICT)).to_be_visible()
    expect(second.locator("input[type=radio]:checked")).to_have_count(0)
    axe_report.check(second, "return conflict: combined without asking")
    screenshot(second, "conflict-01-return-merged")
    second.get_by_role("button", name="Save these answers").click()  # the page's only, default button
    expect(second.get_by_text("Draft saved. You can come back to it at any time.")).to_be_visible()

    first.goto(url)
    expect(first.get_by_label(RATIONALE)).to_have_value("A's reasons, saved and acknowledged.")
    expect(first.get_by_label(FIRST_NOTE)).to_have_value("B's evidence: strategy minutes")
    axe_report.assert_clean()


def test_when_both_changed_one_answer_the_button_does_not_discard_the_saved_one(two_pages, own_server, axe_report):
    first, second = two_pages
    url = _open_a_draft_return(first, own_server, 1)
    sign_in(second, own_server, AUDITOR)
    second.goto(url)
    second.wait_for_load_state("load")

    first.get_by_label(RATIONALE).fill("A's judgement reasons.")
    _save(first)
    expect(first.get_by_text("Draft saved. You can come back to it at any time.")).to_be_visible()

    second.get_by_label(RATIONALE).fill("B's judgement reasons.")
    _save(second)
    expect(second.get_by_role("heading", name=CONFLICT)).to_be_visible()
    second.get_by_role("button", name="Save these answers").click()
    summary = second.locator(".govuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    expect(summary.get_by_role("link", name=re.compile("^Choose which answer to keep for"))).to_be_visible()
    axe_report.check(second, "return conflict: a choice is needed")
    screenshot(second, "conflict-02-return-choose")

    first.goto(url)
    expect(first.get_by_label(RATIONALE)).to_have_value("A's judgement reasons.")  # nothing was saved

    summary.get_by_role("link", name=re.compile("^Choose which answer to keep for")).click()
    expect(second.get_by_label("Keep mine").first).to_be_focused()
    second.get_by_label("Combine them (edit below)").check()
    second.get_by_role("button", name="Save these answers").click()
    expect(second.get_by_text("Draft saved. You can come back to it at any time.")).to_be_visible()
    expect(second.get_by_label(RATIONALE)).to_have_value("A's judgement reasons.\n\nB's judgement reasons.")
    axe_report.assert_clean()


# ------------------------------------------------------------------------------------------- the panel


def _panel_case_url(server, nth: int) -> str:
    """A case of the demo audit waiting for the panel, read from the app's own database."""
    with sqlite3.connect(server.db_path) as db:
        audit_id, case_id = db.execute(
            "SELECT audits.id, cases.id FROM cases JOIN audits ON audits.id = cases.audit_id "
            "WHERE audits.state = 'panel' AND cases.included ORDER BY cases.reference"
        ).fetchall()[nth]
    return f"{server}/audits/{audit_id}/panel/{case_id}"


def test_on_one_panel_case_a_save_of_another_field_survives_the_default_button(two_pages, own_server):
    first, second = two_pages
    url = _panel_case_url(own_server, 1)
    sign_in(first, own_server, "panel@demo.example")
    sign_in(second, own_server, "coordinator@demo.example")
    first.goto(url)
    second.goto(url)

    first.get_by_label("Learning for the partnership (optional)").fill("A: share the chronology early.")
    first.get_by_role("button", name="Save the panel's record").click()
    expect(first.get_by_text("has been saved")).to_be_visible()

    second.get_by_label("Did any agency disagree? (optional)").fill("B: school judged it good.")
    second.get_by_role("button", name="Save the panel's record").click()
    expect(second.locator(".govuk-error-summary")).to_contain_text("Someone else saved the panel's record")
    second.get_by_role("button", name="Save the panel's record").click()
    expect(second.get_by_text("has been saved")).to_be_visible()
    expect(second.get_by_label("Learning for the partnership (optional)")).to_have_value(
        "A: share the chronology early."
    )
    expect(second.get_by_label("Did any agency disagree? (optional)")).to_have_value("B: school judged it good.")


def test_two_on_one_panel_case_keep_each_others_saves(two_pages, own_server, axe_report):
    first, second = two_pages
    url = _panel_case_url(own_server, 0)
    sign_in(first, own_server, "panel@demo.example")
    sign_in(second, own_server, "coordinator@demo.example")
    first.goto(url)
    second.goto(url)  # both open the case before either saves

    first.get_by_label("Learning for the partnership (optional)").fill("A: ask about fathers from the start.")
    first.get_by_role("button", name="Save the panel's record").click()
    expect(first.get_by_text("has been saved")).to_be_visible()

    second.get_by_label("Did any agency disagree? (optional)").fill("B: early help judged it good.")
    second.get_by_label("Learning for the partnership (optional)").fill("B: chronologies.")
    second.get_by_role("button", name="Save the panel's record").click()
    expect(second.locator(".govuk-error-summary")).to_contain_text("Someone else saved the panel's record")
    expect(second.locator("input[type=radio]:checked")).to_have_count(0)
    screenshot(second, "conflict-03-panel")
    second.get_by_role("button", name="Save the panel's record").click()  # the default button
    expect(second.locator(".govuk-error-summary")).to_contain_text("There is a problem")
    axe_report.check(second, "panel conflict: a choice is needed")

    first.goto(url)
    expect(first.get_by_label("Learning for the partnership (optional)")).to_have_value(
        "A: ask about fathers from the start."
    )  # not discarded
    expect(first.get_by_label("Did any agency disagree? (optional)")).to_have_value("")

    second.get_by_label("Keep the saved one").check()
    second.get_by_role("button", name="Save the panel's record").click()
    expect(second.get_by_text("has been saved")).to_be_visible()
    expect(second.get_by_label("Learning for the partnership (optional)")).to_have_value(
        "A: ask about fathers from the start."
    )
    expect(second.get_by_label("Did any agency disagree? (optional)")).to_have_value("B: early help judged it good.")
    axe_report.assert_clean()


def test_an_autosave_moves_the_forms_base_with_its_version(page: Page, own_server):
    """After an autosave the form starts from the autosaved draft: its version and its base both move."""
    _open_a_draft_return(page, own_server, 2)
    base, version = (page.locator(f"input[name={name}]").input_value() for name in ("base", "version"))
    page.get_by_label(RATIONALE).fill("Typed, then saved by itself.")
    expect(page.get_by_role("status")).to_contain_text("Draft saved at", timeout=15_000)
    assert page.locator("input[name=version]").input_value() != version
    assert page.locator("input[name=base]").input_value() not in ("", base)
