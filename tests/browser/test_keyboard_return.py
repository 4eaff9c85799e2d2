"""An auditor completes a return with the keyboard alone: Tab, Space, typing and Enter — no mouse."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot, sign_in
from tests.browser.probes import FOCUS as FOCUS_SHOWN

CAMHS_AUDITOR = "auditor.camhs@demo.example"
SENTENCE = "Seen in the mental health records for this period."

FOCUSED = """() => {
  const e = document.activeElement;
  const group = e.name ? [...document.querySelectorAll(`[name="${e.name}"]`)] : [];
  return {tag: e.tagName, type: e.type || '', name: e.name || '', value: e.value || '', text: e.textContent.trim(),
          inputmode: e.inputMode || '', answered: group.some((x) => x.checked)};
}"""
# Both in one call: a return takes some 300 presses of Tab, and each call to the page waits its turn on a busy machine.
SHOWN_AND_FOCUSED = f"() => [({FOCUS_SHOWN})(), ({FOCUSED})()]"


def tab_until(page: Page, button: str, limit: int = 600) -> int:
    """Tab through the form answering each question as the focus reaches it; stop on ``button``."""
    answered = 0
    for _ in range(limit):
        page.keyboard.press("Tab")
        shown, focus = page.evaluate(SHOWN_AND_FOCUSED)
        assert shown["visible"], f"the focus cannot be seen on {shown['html']}"  # WCAG 2.4.7
        if focus["tag"] == "BUTTON" and focus["text"] == button:
            return answered
        if focus["type"] in ("radio", "checkbox") and not focus["answered"]:
            page.keyboard.press("Space")
            answered += 1
        elif focus["tag"] == "TEXTAREA" and not focus["value"]:
            page.keyboard.type(SENTENCE)
            answered += 1
        elif (
            focus["tag"] == "INPUT"
            and focus["type"] == "text"
            and not focus["value"]
            and focus["name"].startswith("q_")
        ):
            page.keyboard.type("2" if focus["inputmode"] == "decimal" else SENTENCE)
            answered += 1
    raise AssertionError(f"never reached the {button!r} button")


def test_a_return_filled_saved_reloaded_and_submitted_with_the_keyboard(page: Page, live_server, axe_report):
    sign_in(page, live_server, CAMHS_AUDITOR)
    page.goto(f"{live_server}/returns/")
    link = page.get_by_role("table", name=re.compile("follow-up sample$")).get_by_role("link").first
    reference = link.inner_text().removeprefix("Case ")
    link.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Return for case {reference}")

    assert tab_until(page, "Save and come back later") > 20
    page.keyboard.press("Enter")
    expect(
        page.get_by_role("alert").filter(has_text="Draft saved")
    ).to_be_visible()  # its own, or after a concern's instruction
    page.reload()
    expect(page.get_by_label(re.compile("Why did you reach this judgement"))).to_have_value(SENTENCE)
    axe_report.check(page, "return saved with the keyboard")
    screenshot(page, "keyboard-01-saved-and-reloaded")

    tab_until(page, "Submit return")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert").filter(has_text=f"Return for case {reference} submitted")).to_be_visible()
    axe_report.check(page, "my returns after a keyboard submission")
    axe_report.assert_clean()
