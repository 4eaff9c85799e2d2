"""An agency auditor's journey through a return, in a real browser against the real app."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import new_context, screenshot, sign_in

AUDITOR = "auditor@demo.example"  # Children's Social Care
EH_AUDITOR = "auditor.eh@demo.example"  # Early Help: another agency
OPEN_AUDIT = re.compile(r"follow-up sample$")

ROLE_QUESTION = "What was your agency's main role with this child during the audit period?"
ROLE_ANSWER = "Member of the core group with tasks in the plan"
GOOD_PRACTICE_QUESTION = "What practice in this case would you want others to learn from?"
GOOD_PRACTICE_TEXT = "The health visitor's weekly home visits recorded what the child ate and wore."
FILLER_SENTENCE = "Answered from the agency's records for the browser test."


def open_audit_table(page: Page) -> Locator:
    return page.get_by_role("table", name=OPEN_AUDIT)


def return_form(page: Page) -> Locator:
    """The return form (not the sign-out form in the header)."""
    return page.locator("form").filter(has=page.get_by_role("button", name="Submit return"))


# Which boxes to answer, found in one call in the page (asking Playwright about each of a return's some 300 inputs,
# two or three questions each, took two minutes on a busy machine). An input counts as shown as Playwright
# judges it (a box on the page, not visibility: hidden) and must be enabled; the answers are then given through
# Playwright's own check() and fill(), as a person would.
UNANSWERED = """form => {
  const usable = (el) => !el.disabled && el.getClientRects().length > 0
    && getComputedStyle(el).visibility !== 'hidden';
  const firstOfEachGroup = (groupSelector, inputSelector) => [...form.querySelectorAll(groupSelector)]
    .map((group) => [...group.querySelectorAll(inputSelector)].filter(usable))
    .filter((inputs) => inputs.length && !inputs.some((input) => input.checked))
    .map((inputs) => inputs[0].id);
  const boxes = [...form.querySelectorAll('textarea, input[type=text], input[type=number], input:not([type])')]
    .filter((box) => usable(box) && !box.value.trim())
    .map((box) => ({id: box.id, numeric: box.type === 'number' || ['numeric', 'decimal'].includes(box.inputMode)
      || box.classList.contains('govuk-input--width-10')}));  // the app's number box
  return {choices: firstOfEachGroup('.govuk-radios', 'input[type=radio]')
            .concat(firstOfEachGroup('.govuk-checkboxes', 'input[type=checkbox]')), boxes};
}"""


def answer_everything(form: Locator) -> int:
    """Answer every unanswered visible question, again and again while answers reveal follow-up questions."""
    total = 0
    for _ in range(4):
        answered = _answer_visible(form)
        total += answered
        if not answered:
            break
    return total


def _answer_visible(form: Locator) -> int:
    """The first option of each radio group, the first box of each checkbox group, a number (2) in
    numeric boxes and a sentence in other text boxes — for visible questions only."""
    unanswered = form.evaluate(UNANSWERED)
    assert all(unanswered["choices"]) and all(box["id"] for box in unanswered["boxes"]), "an input with no id"
    for choice in unanswered["choices"]:
        form.locator(f"[id='{choice}']").check()
    for box in unanswered["boxes"]:
        form.locator(f"[id='{box['id']}']").fill("2" if box["numeric"] else FILLER_SENTENCE)
    return len(unanswered["choices"]) + len(unanswered["boxes"])


def test_auditor_saves_a_draft_and_submits_a_return(page: Page, live_server, axe_report):
    page.goto(f"{live_server}/login")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to the case audit workbench")
    axe_report.check(page, "Sign in")
    screenshot(page, "auditor-00-sign-in")
    sign_in(page, live_server, AUDITOR)
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="My returns").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My returns")
    axe_report.check(page, "My returns")
    screenshot(page, "auditor-01-my-returns")

    # A draft return in the open audit.
    table = open_audit_table(page)
    draft_row = table.get_by_role("row").filter(has_text="Draft").first
    case_link = draft_row.get_by_role("link", name=re.compile(r"^Case "))
    case_reference = case_link.inner_text().removeprefix("Case ").strip()
    case_link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Return for case {case_reference}")
    return_url = page.url
    axe_report.check(page, "Return form (draft)")
    screenshot(page, "auditor-02-return-form")

    # Answer two questions and save a draft.
    form = return_form(page)
    role_group = form.get_by_role("group", name=ROLE_QUESTION)
    role_group.get_by_label(ROLE_ANSWER).check()
    good_practice = form.get_by_label(GOOD_PRACTICE_QUESTION)
    good_practice.fill(GOOD_PRACTICE_TEXT)
    form.get_by_role("button", name="Save and come back later").click()
    expect(
        page.get_by_role("alert").filter(has_text="Draft saved")
    ).to_be_visible()  # its own, or after a concern's instruction
    screenshot(page, "auditor-03-draft-saved")
    page.reload()
    form = return_form(page)
    expect(form.get_by_role("group", name=ROLE_QUESTION).get_by_label(ROLE_ANSWER)).to_be_checked()
    expect(form.get_by_label(GOOD_PRACTICE_QUESTION)).to_have_value(GOOD_PRACTICE_TEXT)

    # Submitting with required answers missing: an error summary, and nothing typed is lost.
    extra_text = "Typed just before trying to submit."
    form.get_by_label("Why did you reach this judgement?").fill(extra_text)
    form.get_by_role("button", name="Submit return").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(summary).to_be_focused()  # GOV.UK Frontend moves focus to the summary
    expect(summary.get_by_role("link").first).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Error: "))
    form = return_form(page)
    expect(form.get_by_role("group", name=ROLE_QUESTION).get_by_label(ROLE_ANSWER)).to_be_checked()
    expect(form.get_by_label(GOOD_PRACTICE_QUESTION)).to_have_value(GOOD_PRACTICE_TEXT)
    expect(form.get_by_label("Why did you reach this judgement?")).to_have_value(extra_text)
    axe_report.check(page, "Return form with errors")
    screenshot(page, "auditor-04-submit-with-errors")

    # Answer everything and submit.
    assert answer_everything(form) > 10
    screenshot(page, "auditor-05-all-answered")
    form.get_by_role("button", name="Submit return").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My returns")
    expect(page.get_by_role("alert").filter(has_text=f"Return for case {case_reference} submitted")).to_be_visible()
    submitted_row = (
        open_audit_table(page)
        .get_by_role("row")
        .filter(has=page.get_by_role("link", name=f"Case {case_reference}", exact=True))
    )
    expect(submitted_row).to_contain_text("Submitted")
    axe_report.check(page, "My returns after submitting")
    screenshot(page, "auditor-06-submitted")

    # Opened again, the return is read-only.
    submitted_row.get_by_role("link", name=f"Case {case_reference}", exact=True).click()
    assert page.url == return_url
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Return for case {case_reference}")
    expect(page.get_by_text("This return has been submitted, so it can no longer be changed.")).to_be_visible()
    expect(page.get_by_role("button", name="Submit return")).to_have_count(0)
    expect(page.get_by_role("button", name="Save and come back later")).to_have_count(0)
    expect(page.get_by_text(ROLE_ANSWER)).to_be_visible()
    expect(page.get_by_text(GOOD_PRACTICE_TEXT)).to_be_visible()
    axe_report.check(page, "Submitted return (read-only)")
    screenshot(page, "auditor-07-read-only")

    axe_report.assert_clean()


def test_auditor_cannot_open_another_agencys_return(page: Page, browser, live_server, axe_report):
    # Find a return belonging to Early Help, signed in as its own auditor in a separate context.
    eh_context = new_context(browser)
    try:
        eh_page = eh_context.new_page()
        sign_in(eh_page, live_server, EH_AUDITOR)
        eh_page.goto(f"{live_server}/returns/")
        expect(eh_page.get_by_text("Returns for Early Help")).to_be_visible()
        href = eh_page.get_by_role("link", name=re.compile(r"^Case ")).first.get_attribute("href")
        assert href and re.fullmatch(r"/returns/\d+", href), href
        eh_response = eh_page.goto(f"{live_server}{href}")
        assert eh_response is not None and eh_response.status == 200  # its own auditor may open it
    finally:
        eh_context.close()

    sign_in(page, live_server, AUDITOR)
    response = page.goto(f"{live_server}{href}")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.get_by_role("link", name="Go to the home page")).to_be_visible()
    axe_report.check(page, "Page not found")
    screenshot(page, "auditor-08-other-agency-404")

    # The same answer as for a return that does not exist: nothing reveals that the id is real.
    missing = page.goto(f"{live_server}/returns/999999")
    assert missing is not None and missing.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    axe_report.assert_clean()
