"""The app's own scripts run under its Content-Security-Policy.

The other browser tests use ``bypass_csp`` (so axe-core can be injected); this one does not,
so a script the CSP would block (a missing nonce, an inline handler) shows up here.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import sign_in


def test_pages_run_their_scripts_without_csp_violations(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        problems: list[str] = []
        page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(str(error)))

        sign_in(page, live_server, "auditor@demo.example")
        response = page.goto(f"{live_server}/returns/")
        assert "script-src 'self' 'nonce-" in (response.headers.get("content-security-policy") or "")
        open_audit = page.get_by_role("table", name=re.compile(r"follow-up sample$"))
        open_audit.get_by_role("row").filter(has_text="Draft").first.get_by_role("link").click()
        expect(page.locator("body")).to_have_class("govuk-template__body js-enabled govuk-frontend-supported")
        # GOV.UK Frontend initialised its components, which it can only do if app.js ran.
        expect(page.locator("[data-module=govuk-character-count]").first).to_have_attribute(
            "data-govuk-character-count-init", ""
        )
        assert problems == [], "Console errors or CSP violations:\n" + "\n".join(problems)
    finally:
        context.close()
