"""Moderation in the browser: the coordinator draws the sample on the audit waiting for the panel and names
a moderator; the moderator grades the case blind (the first return is refused them until theirs is in);
the coordinator reconciles the differences. Every page passes axe."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import new_context, screenshot, sign_in

COORDINATOR = "coordinator@demo.example"
MODERATOR = "auditor@demo.example"  # children's social care's auditor


def _panel_audit_id(page: Page, server: str) -> str:
    page.goto(f"{server}/audits")
    href = page.get_by_role("link", name=re.compile("second sample")).first.get_attribute("href")
    return re.search(r"/audits/(\d+)", href).group(1)


def test_coordinator_draws_moderator_grades_blind_coordinator_reconciles(page: Page, own_server, browser, axe_report):
    sign_in(page, own_server, COORDINATOR)
    audit_id = _panel_audit_id(page, own_server)
    page.goto(f"{own_server}/audits/{audit_id}")
    page.get_by_role("link", name=re.compile("^Moderation")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Moderation")
    axe_report.check(page, "moderation: draw the sample")
    page.get_by_label("Share of submitted returns to moderate (per cent)").fill("100")
    page.get_by_label("Random seed").fill("7")
    page.get_by_role("button", name="Draw the moderation sample").click()
    expect(page.get_by_text(re.compile(r"The moderation sample has been drawn: \d+ returns"))).to_be_visible()
    expect(page.get_by_text("with the random seed 7")).to_be_visible()
    axe_report.check(page, "moderation: the sample")
    screenshot(page, "moderation-01-sample")

    row = page.get_by_role("row").filter(has_text="Children's Social Care").first
    reference = row.get_by_role("rowheader").inner_text()
    row.get_by_role("combobox").select_option(label="Demo Auditor")
    row.get_by_role("button", name=re.compile("Name the moderator")).click()
    expect(page.get_by_text(f"Demo Auditor will moderate case {reference}.")).to_be_visible()

    context = new_context(browser)
    moderator = context.new_page()
    sign_in(moderator, own_server, MODERATOR)
    moderator.get_by_role("link", name="Moderation", exact=True).click()
    axe_report.check(moderator, "moderation: the moderator's list")
    moderator.get_by_role("link", name=f"Grade case {reference}").click()
    grade_url = moderator.url
    moderation_id = re.search(r"/moderation/(\d+)/grade", grade_url).group(1)
    expect(moderator.get_by_role("heading", level=1)).to_have_text(f"Grade case {reference}")
    assert moderator.locator("input[type=radio]:checked").count() == 0  # nothing of the first return shown
    axe_report.check(moderator, "moderation: blind grading")
    screenshot(moderator, "moderation-02-grade-blind")
    refused = moderator.goto(f"{own_server}/moderation/{moderation_id}/compare")
    assert refused.status == 403
    expect(moderator.get_by_role("heading", level=1)).to_have_text("Submit your grading first")
    axe_report.check(moderator, "moderation: refused before submitting")

    moderator.goto(grade_url)
    for group in moderator.locator("fieldset").all():
        group.get_by_role("radio").first.check()
    moderator.get_by_role("group", name=re.compile("overall", re.I)).last.get_by_label("Inadequate").check()
    moderator.get_by_role("button", name="Submit my grading").click()
    expect(moderator.get_by_role("heading", level=1)).to_have_text(f"Case {reference}: the two gradings")
    expect(moderator.get_by_role("cell", name="Different").first).to_be_visible()
    axe_report.check(moderator, "moderation: both gradings for the moderator")
    context.close()

    page.goto(f"{own_server}/moderation/audits/{audit_id}")
    page.get_by_role("link", name=f"Compare and reconcile case {reference}").click()
    expect(page.get_by_role("heading", name="Record the agreed grades")).to_be_visible()
    axe_report.check(page, "moderation: reconcile")
    screenshot(page, "moderation-03-reconcile")
    for group in page.locator("form fieldset").all():
        group.get_by_role("radio").first.check()
    for reason in page.locator("form textarea").all():
        reason.fill("Agreed with both auditors at the moderation meeting.")
    page.get_by_role("button", name="Record the agreed grades").click()
    expect(page.get_by_text("The agreed grades have been recorded and are now the counted answers.")).to_be_visible()
    expect(page.get_by_text(re.compile("Reconciled on .*: where they differed"))).to_be_visible()
    axe_report.check(page, "moderation: reconciled")
    screenshot(page, "moderation-04-reconciled")

    page.goto(f"{own_server}/audits")
    page.get_by_role("link", name="Multi-agency neglect audit 2026", exact=True).click()
    page.get_by_role("link", name=re.compile("^Calibration")).click()
    expect(page.get_by_text("3 auditors have graded the case")).to_be_visible()
    axe_report.check(page, "calibration: the spread")
    screenshot(page, "moderation-06-calibration")

    page.goto(f"{own_server}/audits/{audit_id}/analysis#reliability")
    expect(page.get_by_role("heading", name="How far the grades can be trusted")).to_be_visible()
    page.get_by_text("The figures for each graded question").click()
    expect(page.get_by_role("table", name=re.compile("Agreement between the first grading"))).to_be_visible()
    axe_report.check(page, "analysis: reliability")
    screenshot(page, "moderation-05-reliability")
    axe_report.assert_clean()


EDITOR = "editor@demo.example"


def test_coordinator_draws_excerpts_editor_codes_blind_coordinator_records_the_agreed_coding(
    page: Page, own_server, browser, axe_report
):
    sign_in(page, own_server, COORDINATOR)
    audit_id = _panel_audit_id(page, own_server)
    page.goto(f"{own_server}/audits/{audit_id}/coding")
    page.get_by_role("link", name=re.compile("coding reliability")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Coding reliability")
    axe_report.check(page, "coding reliability: draw the sample")
    page.get_by_label("Share of the excerpts to code again (per cent)").fill("50")
    page.get_by_label("Fewest excerpts to code again").fill("3")
    page.get_by_label("Random seed").fill("11")
    page.get_by_role("button", name="Draw the coding sample").click()
    expect(page.get_by_text(re.compile(r"The coding sample has been drawn: \d+ excerpts"))).to_be_visible()
    expect(page.get_by_text("with the random seed 11")).to_be_visible()
    page.get_by_label("Second coder").select_option(label="Demo Editor")
    page.get_by_role("button", name="Name the second coder").click()
    expect(page.get_by_text("Demo Editor will code the sampled excerpts again.")).to_be_visible()
    axe_report.check(page, "coding reliability: the sample")
    screenshot(page, "coding-reliability-01-sample")

    context = new_context(browser)
    editor = context.new_page()
    sign_in(editor, own_server, EDITOR)
    refused = editor.goto(f"{own_server}/audits/{audit_id}/coding")
    assert refused.status == 403  # the first coding is hidden from the second coder
    expect(editor.get_by_role("heading", level=1)).to_have_text("Submit your coding first")
    axe_report.check(editor, "coding reliability: refused before submitting")
    editor.get_by_role("link", name="Code the sampled excerpts").click()
    expect(editor.get_by_role("heading", level=1)).to_have_text("Code the sampled excerpts")
    assert editor.locator("input[type=checkbox]:checked").count() == 0
    axe_report.check(editor, "coding reliability: blind coding")
    screenshot(editor, "coding-reliability-02-blind")
    for group in editor.locator("fieldset").all():
        group.get_by_role("checkbox").first.check()
    editor.get_by_role("button", name="Submit my coding").click()
    expect(editor.get_by_text("Your coding has been submitted.")).to_be_visible()
    expect(editor.get_by_role("heading", name="How far the two coders agree")).to_be_visible()
    assert editor.goto(f"{own_server}/audits/{audit_id}/coding").status == 200
    context.close()

    page.goto(f"{own_server}/audits/{audit_id}/coding/reliability")
    page.get_by_role("link", name="Compare and record the agreed coding").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The two codings side by side")
    expect(page.get_by_role("cell", name="Different").first).to_be_visible()
    axe_report.check(page, "coding reliability: side by side")
    screenshot(page, "coding-reliability-03-compare")
    for group in page.locator("form fieldset").all():
        group.get_by_role("checkbox").first.check()
    page.get_by_role("button", name="Record the agreed coding").click()
    expect(page.get_by_text("The agreed coding has been recorded")).to_be_visible()
    expect(page.get_by_text(re.compile("Reconciled on .*: where they differed"))).to_be_visible()
    axe_report.check(page, "coding reliability: reconciled")

    page.goto(f"{own_server}/audits")
    page.get_by_role("link", name="Multi-agency neglect audit 2026", exact=True).click()
    completed = re.search(r"/audits/(\d+)", page.url).group(1)
    page.goto(f"{own_server}/audits/{completed}/coding/reliability")
    expect(
        page.get_by_role("table", name=re.compile("Agreement between the first and the second coding"))
    ).to_be_visible()
    axe_report.check(page, "coding reliability: the demo's figures")
    screenshot(page, "coding-reliability-04-figures")
    axe_report.assert_clean()
