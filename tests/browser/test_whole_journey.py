"""The whole cycle in one real browser, each person in their own session, every step checked with axe-core.

A coordinator sets up an audit and draws its sample; auditors of four agencies submit their returns; the
panel agrees a judgement on each case; an editor codes themes, writes a learning point, composes and
checks the briefing, and publishes it once a coordinator has approved it; a viewer reads it in the
library. A screenshot of each step is kept in artifacts/journey/ (a CI artefact). Runs on a demo app of its
own, so nothing it makes shows up in other tests.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import PUBLISHING_TIMEOUT_MS, REPO_ROOT, new_context, screenshot, sign_in

JOURNEY = REPO_ROOT / "artifacts" / "journey"
TITLE = "Whole-journey neglect audit"
AUDITORS = {
    "CSC": "auditor@demo.example",
    "EH": "auditor.eh@demo.example",
    "School": "auditor.school@demo.example",
    "CAMHS": "auditor.camhs@demo.example",
}
FRAME = "reference,age_years,locality,plan_type,agencies\n" + "".join(
    f"WJ-{n:02d},{1 + n % 8},{('Northfield', 'Riverside')[n % 2]},CP plan - neglect,CSC;EH;School;CAMHS\n"
    for n in range(1, 13)
)
CASES = 2
ANSWER = "Seen in this agency's records for the audit period."
LEARNING = "Check at every core group that each child's own experience is written into the plan."

# Answer every question the form shows (the first option of each, a sentence in each box), clicking as a person
# would so that questions shown only for some answers appear; returns how many were answered this time.
ANSWER_ALL = """(sentence) => {
  const shown = (e) => !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length);
  const groups = {};
  for (const input of document.querySelectorAll('input[type=radio][name^="q_"], input[type=checkbox][name^="q_"]')) {
    (groups[input.name] = groups[input.name] || []).push(input);
  }
  let answered = 0;
  for (const inputs of Object.values(groups)) {
    const visible = inputs.filter((i) => shown(i.parentElement));
    if (visible.length && !inputs.some((i) => i.checked)) { visible[0].click(); answered++; }
  }
  for (const box of document.querySelectorAll('textarea[name^="q_"], input[type=text][name^="q_"]')) {
    if (shown(box) && !box.value) {
      box.value = box.inputMode === 'decimal' ? '3' : sentence;
      box.dispatchEvent(new Event('input', {bubbles: true}));
      answered++;
    }
  }
  return answered;
}"""


class Journey:
    """The people of the journey, each signed in in a browser context of their own, and the steps' record."""

    def __init__(self, browser, base_url: str, axe_report):
        self.browser, self.base_url, self.axe_report = browser, base_url, axe_report
        self.steps = 0
        for old in JOURNEY.glob("*.png"):
            old.unlink()

    def person(self, email: str) -> Page:
        page = new_context(self.browser).new_page()
        sign_in(page, self.base_url, email)
        return page

    def step(self, page: Page, name: str) -> None:
        """Check the page with axe-core and keep its screenshot as the next step of the journey."""
        self.steps += 1
        self.axe_report.check(page, f"journey step {self.steps}: {name}")
        screenshot(page, f"{self.steps:02d}-{name}", JOURNEY)


def success(page: Page):
    return page.get_by_role("alert", name="Success")


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def set_up_and_draw_the_sample(journey: Journey, tmp_path) -> str:
    page = journey.person("coordinator@demo.example")
    page.goto(f"{journey.base_url}/audits/")
    page.get_by_role("button", name="Create an audit").click()
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Topic").fill("Neglect")
    page.get_by_label("Audit year").fill("2027")
    page.get_by_role("button", name="Create audit").click()
    expect(heading(page)).to_have_text(TITLE)
    audit_url = page.url
    page.get_by_role("button", name="Draw a sample from a sample frame").click()
    frame = tmp_path / "frame.csv"
    frame.write_text(FRAME, encoding="utf-8")
    page.get_by_label(re.compile("Sample frame")).set_input_files(str(frame))
    page.get_by_role("button", name="Import the sample frame").click()
    page.get_by_label("At random from the whole frame").check()
    page.get_by_label("Number of cases").fill(str(CASES))
    journey.step(page, "coordinator-draws-the-sample")
    page.get_by_role("button", name="Draw the sample").click()
    expect(success(page)).to_contain_text(f"{CASES} cases were drawn at random from 12 children")
    journey.step(page, "coordinator-audit-with-its-sample")
    _advance(page, "Open the audit for returns", "auditors can now see")
    journey.step(page, "coordinator-audit-open-for-returns")
    page.context.close()
    return audit_url


def _advance(page: Page, action: str, said: str) -> None:
    """Move the audit on: the audit page's button, then the same button on the page that says what will happen."""
    page.get_by_role("button", name=action).click()
    page.get_by_role("button", name=action).click()
    expect(success(page)).to_contain_text(said)


def auditors_submit(journey: Journey) -> None:
    for agency, email in AUDITORS.items():
        page = journey.person(email)
        page.goto(f"{journey.base_url}/returns/")
        mine = page.get_by_role("table", name=re.compile(f"^{TITLE}"))
        expect(mine.get_by_role("link")).to_have_count(CASES)
        for number in range(CASES):
            mine.get_by_role("link").nth(number).click()
            expect(heading(page)).to_contain_text("Return for case")
            while page.evaluate(ANSWER_ALL, ANSWER):
                pass  # a second round answers questions that appeared because of the first
            if number == 0:
                journey.step(page, f"auditor-{agency.lower()}-return-answered")
            page.get_by_role("button", name="Submit return").click()
            # what was done is in an alert: its own, or after a concern's instruction when the answers raise one
            expect(page.get_by_role("alert").filter(has_text="submitted")).to_be_visible()
        expect(mine.get_by_text("Submitted", exact=True)).to_have_count(CASES)
        page.context.close()


def panel_agrees(journey: Journey, audit_url: str) -> None:
    coordinator = journey.person("coordinator@demo.example")
    coordinator.goto(audit_url)
    _advance(coordinator, "Close returns and reveal them to the panel", "revealed to the panel")
    page = journey.person("panel@demo.example")
    page.goto(audit_url.replace("/audits/", "/audits/", 1) + "/panel")
    expect(heading(page)).to_have_text("Multi-agency panel")
    for number in range(CASES):
        page.get_by_role("table", name=re.compile("Cases")).get_by_role("link").nth(number).click()
        page.get_by_label("Good", exact=True).check()
        page.get_by_label("Why the panel agreed this judgement").fill(
            "All four agencies saw the child and shared what they knew at each core group."
        )
        if number == 0:
            journey.step(page, "panel-agrees-a-judgement")
        page.get_by_role("button", name="Save the panel's record").click()
        expect(success(page)).to_contain_text("has been saved")
        page.goto(audit_url + "/panel")
    journey.step(page, "panel-every-case-agreed")
    page.context.close()
    _advance(coordinator, "Move to analysis", "moved to analysis")
    coordinator.context.close()


def editor_codes_and_writes(journey: Journey, audit_url: str) -> Page:
    page = journey.person("editor@demo.example")
    page.goto(audit_url + "/coding")
    page.get_by_role("button", name="Suggest themes").click()
    expect(success(page)).to_contain_text("to review")
    page.get_by_role("button", name=re.compile("^Confirm")).first.click()
    expect(success(page)).to_contain_text(re.compile(r"confirmed for (this excerpt|the excerpt from case )"))
    journey.step(page, "editor-codes-themes")
    page.goto(audit_url + "/learning")
    page.get_by_role("button", name="Add a learning point").click()
    page.get_by_label("Managers", exact=True).check()
    page.get_by_label("Learning point", exact=True).fill(LEARNING)
    page.get_by_role("checkbox").first.check()  # the learning comes from a confirmed theme
    journey.step(page, "editor-writes-a-learning-point")
    page.get_by_role("button", name="Save learning point").click()
    expect(success(page)).to_contain_text("Learning point saved")
    page.goto(audit_url + "/briefings")
    page.get_by_role("button", name="Start a draft").click()
    expect(success(page)).to_contain_text("Version 1 started")
    journey.step(page, "editor-composes-the-briefing")
    page.get_by_role("link", name="Run the disclosure check").click()
    expect(heading(page)).to_have_text("Disclosure check")
    while page.get_by_role("button", name=re.compile("^Let it stay")).count():
        page.get_by_label(re.compile("Or let it stay")).first.fill("Fictional test data, checked by the editor.")
        page.get_by_role("button", name=re.compile("^Let it stay")).first.click()
        expect(success(page)).to_contain_text("Your reason is recorded")
    journey.step(page, "editor-disclosure-check")
    return page


def approve_and_publish(journey: Journey, editor: Page, audit_url: str) -> None:
    coordinator = journey.person("coordinator@demo.example")
    coordinator.goto(audit_url + "/briefings")
    coordinator.get_by_role("button", name="Approve version 1").click()
    expect(success(coordinator)).to_contain_text("Version 1 is approved")
    coordinator.context.close()
    editor.goto(audit_url + "/briefings")
    editor.get_by_role("button", name="Publish version 1").click()
    expect(editor.get_by_role("heading", level=1)).to_have_text("Publish version 1 of the learning briefing?")
    editor.get_by_role("button", name="Publish version 1").click(timeout=PUBLISHING_TIMEOUT_MS)
    expect(success(editor)).to_contain_text("Version 1 is published", timeout=PUBLISHING_TIMEOUT_MS)
    journey.step(editor, "editor-publishes-the-briefing")
    editor.context.close()


def viewer_reads(journey: Journey) -> None:
    page = journey.person("viewer@demo.example")
    page.goto(f"{journey.base_url}/briefings")
    journey.step(page, "viewer-library")
    page.get_by_role("link", name=re.compile(f"^Web page of {TITLE}")).click()
    expect(heading(page)).to_have_text("Learning from the audit: Neglect")
    expect(page.get_by_text(LEARNING)).to_be_visible()
    journey.step(page, "viewer-reads-the-briefing")
    page.context.close()


def test_the_whole_cycle_from_set_up_to_a_published_briefing(browser, own_server, axe_report, tmp_path):
    journey = Journey(browser, own_server, axe_report)
    audit_url = set_up_and_draw_the_sample(journey, tmp_path)
    auditors_submit(journey)
    panel_agrees(journey, audit_url)
    editor = editor_codes_and_writes(journey, audit_url)
    approve_and_publish(journey, editor, audit_url)
    viewer_reads(journey)
    assert len(list(JOURNEY.glob("*.png"))) == journey.steps >= 14
    axe_report.assert_clean()
