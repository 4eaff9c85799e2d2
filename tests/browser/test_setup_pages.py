"""A coordinator sets up an audit and draws its sample in a real browser; every set-up page passes axe."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot, sign_in

COORDINATOR = "coordinator@demo.example"
FRAME = "reference,age_years,locality,plan_type,agencies\n" + "".join(
    f"BR-{n:03d},{1 + n % 8},{('Northfield', 'Riverside')[n % 2]},CP plan - neglect,CSC;EH\n" for n in range(1, 31)
)


def test_coordinator_sets_up_an_audit_and_draws_a_sample(page: Page, live_server, axe_report, tmp_path):
    sign_in(page, live_server, COORDINATOR)
    page.goto(f"{live_server}/audits/")
    axe_report.check(page, "audits list")
    page.get_by_role("button", name="Create an audit").click()
    axe_report.check(page, "create an audit")
    page.get_by_label("Title").fill("Browser-test neglect audit")
    page.get_by_label("Topic").fill("Neglect")
    page.get_by_label("Audit year").fill("2027")
    page.get_by_role("button", name="Create audit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Browser-test neglect audit")
    axe_report.check(page, "new audit")

    page.get_by_role("button", name="Draw a sample from a sample frame").click()
    axe_report.check(page, "import a sample frame")
    frame = tmp_path / "frame.csv"
    frame.write_text(FRAME, encoding="utf-8")
    page.get_by_label(re.compile("Sample frame")).set_input_files(str(frame))
    page.get_by_role("button", name="Import the sample frame").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Draw the sample")
    axe_report.check(page, "draw the sample")
    screenshot(page, "setup-01-draw-the-sample")
    page.get_by_label("At random within groups (stratified)").check()
    page.get_by_label("Number of cases").fill("6")
    page.get_by_label("Locality").check()
    page.get_by_role("button", name="Draw the sample").click()
    expect(page.get_by_role("alert", name="Success")).to_contain_text("6 cases were drawn at random from 30 children")
    axe_report.check(page, "audit with its sample")
    screenshot(page, "setup-02-audit-with-sample")

    page.get_by_role("link", name=re.compile(r"^Exclude")).first.click()
    axe_report.check(page, "exclude a case")
    page.get_by_label("Why is this case being excluded?").fill("The family moved away before the audit period.")
    page.get_by_role("button", name="Exclude and draw a replacement").click()
    expect(page.get_by_role("alert", name="Success")).to_contain_text("was drawn to replace it")
    page.get_by_role("link", name="Choose who does each agency's returns").click()
    axe_report.check(page, "auditors per agency")
    page.get_by_role("button", name="Save auditors").click()
    page.get_by_role("button", name="Open the audit for returns").click()
    axe_report.check(page, "confirm opening the audit")
    screenshot(page, "setup-03-confirm-open")
    page.get_by_role("button", name="Open the audit for returns").click()
    expect(page.get_by_role("alert", name="Success")).to_contain_text("auditors can now see")
    axe_report.check(page, "open audit with progress")
    screenshot(page, "setup-04-open-audit")
    axe_report.assert_clean()
