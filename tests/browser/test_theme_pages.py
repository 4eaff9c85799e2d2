"""An editor keeps the theme codebook and codes the demo audit's excerpts in a real browser; every page passes axe."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot, sign_in

EDITOR = "editor@demo.example"
SLOW_NETWORK_LATENCY_MS = 1500  # each request's answer waits this long (Chromium's network emulation)
_LATENCY = {"offline": False, "downloadThroughput": -1, "uploadThroughput": -1}
CODEBOOK = (
    "name,description,keywords,category,slug\n"
    "Professional curiosity,Asking why and checking what families say,curious; checked; why,working together,\n"
    '"Drift, delay and ""start again""",Plans that roll on without change for the child,drift; delay; stuck,'
    "planning,drift_and_delay\n"
)


def _demo_audit_url(page: Page, base: str) -> str:
    page.goto(f"{base}/")
    href = page.get_by_role("link", name=re.compile(r"^Analysis of ")).first.get_attribute("href")
    return base + href.rsplit("/", 1)[0]


def test_editor_keeps_the_codebook(page: Page, live_server, axe_report, tmp_path):
    sign_in(page, live_server, EDITOR)
    page.goto(f"{live_server}/themes")
    expect(page.get_by_role("heading", level=1)).to_have_text("Theme codebook")
    expect(page.get_by_role("table", name="Planning")).to_contain_text('Drift, delay and "start again"')
    axe_report.check(page, "theme codebook")
    screenshot(page, "themes-01-codebook")

    page.get_by_role("button", name="Add a theme").click()
    page.get_by_label("Name").fill('drift, DELAY and "start again"')
    page.get_by_label("Keywords (optional)").fill("=cmd")
    page.get_by_role("button", name="Save theme").click()
    expect(page.get_by_role("alert")).to_contain_text("There is already a theme with this name")
    expect(page.get_by_label("Keywords (optional)")).to_have_value("=cmd")
    axe_report.check(page, "add a theme with errors")
    screenshot(page, "themes-02-add-theme-errors")
    page.get_by_label("Name").fill("Housing and home conditions <b>test</b>")
    page.get_by_label("Keywords (optional)").fill("housing\nhome conditions; damp")
    page.get_by_role("button", name="Save theme").click()
    expect(page.get_by_role("alert", name="Success")).to_contain_text(
        "Housing and home conditions <b>test</b> has been added"
    )

    page.get_by_role("link", name="Edit Housing and home conditions <b>test</b>").click()
    axe_report.check(page, "edit a theme")
    page.get_by_role("link", name=re.compile("^Delete Housing")).click()
    axe_report.check(page, "delete a theme")
    page.get_by_role("button", name="Delete theme").click()
    expect(page.get_by_role("alert", name="Success")).to_contain_text("has been deleted")

    page.get_by_role("button", name="Import from a CSV file").click()
    axe_report.check(page, "import a codebook")
    upload = tmp_path / "codebook.csv"
    upload.write_text(CODEBOOK, encoding="utf-8")
    page.get_by_label("Codebook file (CSV)").set_input_files(str(upload))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the codebook import")
    expect(page.get_by_role("table", name="Themes to add")).to_contain_text("Professional curiosity")
    expect(page.get_by_role("table", name="Themes to update")).to_contain_text("Plans that roll on without change")
    axe_report.check(page, "check the codebook import")
    screenshot(page, "themes-03-import-preview")
    page.get_by_role("button", name="Import these changes").click()
    expect(page.get_by_role("alert", name="Success")).to_contain_text("1 theme added, 1 theme updated")
    axe_report.assert_clean()


def test_editor_codes_the_demo_audit_and_reads_the_theme_counts(page: Page, live_server, axe_report):
    sign_in(page, live_server, EDITOR)
    audit_url = _demo_audit_url(page, live_server)
    page.goto(f"{audit_url}/coding")
    expect(page.get_by_role("heading", level=1)).to_have_text("Code the excerpts")
    page.get_by_role("button", name="Suggest themes").click()
    expect(page.get_by_role("alert", name="Success")).to_contain_text(re.compile(r"new suggestions? to review|no new"))
    expect(page.get_by_text("Suggested because it mentions:").first).to_be_visible()
    axe_report.check(page, "coding with suggestions")
    screenshot(page, "themes-04-coding")

    confirm = page.get_by_role("button", name=re.compile("^Confirm"))
    cards = page.locator(".govuk-summary-card").filter(has=confirm).all()
    card = next(card for card in cards if card.get_by_role("button", name=re.compile("^Confirm")).count() >= 2)
    card_id = card.get_attribute("id")
    row = card.locator(".govuk-summary-list__row").filter(has=confirm).first
    theme = row.locator("dt").inner_text()
    # The answer's stylesheet and script arrive late, as on CI's busy machine, where this test once read the
    # card's place before the browser had scrolled to it: the browser goes to the excerpt only once the page
    # has loaded, so that is what the test waits for.
    slow = page.context.new_cdp_session(page)
    slow.send("Network.enable")
    slow.send("Network.emulateNetworkConditions", _LATENCY | {"latency": SLOW_NETWORK_LATENCY_MS})
    row.get_by_role("button", name=re.compile("^Confirm")).click()
    expect(page.get_by_role("alert", name="Success")).to_contain_text(f"{theme} confirmed for this excerpt")
    assert re.search(r"#excerpt-", page.url), page.url
    assert page.url.endswith(f"#{card_id}"), page.url  # another suggestion waits, so the excerpt is still listed
    confirmed = page.locator(f"#{card_id} .govuk-summary-list__row").filter(has_text=theme)
    expect(confirmed.locator(".govuk-tag")).to_have_text("Confirmed")
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)  # let the page's script start: it must not scroll away from the excerpt
    top = page.evaluate(f"document.getElementById('{card_id}').getBoundingClientRect().top")
    assert 0 <= top < 900, f"the excerpt is {top}px from the top of the window, not in view"
    # and the message in the card has the focus, so that a screen reader says what was done
    expect(page.locator(f"#{card_id} .govuk-notification-banner")).to_be_focused()
    slow.send("Network.emulateNetworkConditions", _LATENCY | {"latency": 0})
    axe_report.check(page, "coding after a confirmation")
    screenshot(page, "themes-05-coding-after-confirm")

    page.get_by_label("Kind of text").select_option("panel")
    page.get_by_label("Show").select_option("all")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("heading", level=2, name=re.compile(r"excerpts?$"))).to_be_visible()
    assert "source=panel" in page.url and "show=all" in page.url
    axe_report.check(page, "coding filtered to panel learning")

    page.goto(f"{audit_url}/themes")
    expect(page.get_by_role("heading", level=1)).to_have_text("Themes found in this audit")
    expect(page.get_by_role("table", name="Cases by theme", exact=True)).to_contain_text(theme)
    expect(page.get_by_role("table", name=re.compile("^Cases by theme and agency"))).to_contain_text("Panel")
    axe_report.check(page, "theme counts")
    screenshot(page, "themes-06-counts")
    axe_report.assert_clean()
