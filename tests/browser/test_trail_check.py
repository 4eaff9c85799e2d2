"""An administrator checks the audit trail's seals, keeps the checkpoint it offers and checks against it; every
state of the page passes axe (issue 16, item 9)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot, sign_in

ADMIN = "admin@demo.example"


def test_an_admin_checks_the_seals_with_and_without_a_checkpoint(page: Page, live_server, axe_report):
    sign_in(page, live_server, ADMIN)
    page.goto(f"{live_server}/admin/events")
    page.get_by_role("button", name="Check the seals").click()
    check = page.locator("#seal-check")
    expect(check).to_contain_text("No checkpoint given: deletion of the newest events cannot be ruled out.")
    expect(check).to_contain_text("Every seal and link holds")
    axe_report.check(page, "seals checked without a checkpoint")
    screenshot(page, "trail-01-checked")
    checkpoint = page.locator("code.app-checkpoint").inner_text()
    assert checkpoint.startswith('{"kind":"audit-trail-checkpoint"')

    page.get_by_label("Checkpoint to check against (optional)").fill(checkpoint)
    page.get_by_role("button", name="Check the seals").click()
    expect(page.locator("#seal-check")).to_contain_text("they are all still here, ending with the same seal")

    page.get_by_label("Checkpoint to check against (optional)").fill(checkpoint.replace('"events":', '"events":1'))
    page.get_by_role("button", name="Check the seals").click()
    expect(page.locator("#seal-check")).to_contain_text("not made with this installation's key")
    expect(page.get_by_role("heading", name="The audit trail has been tampered with")).to_be_visible()
    axe_report.check(page, "seals checked against an edited checkpoint")

    page.get_by_label("Checkpoint to check against (optional)").fill("yesterday's")
    page.get_by_role("button", name="Check the seals").click()
    expect(page.get_by_role("alert")).to_contain_text("That is not an audit trail checkpoint")
    axe_report.check(page, "checkpoint that is not one")
    screenshot(page, "trail-02-not-a-checkpoint")
