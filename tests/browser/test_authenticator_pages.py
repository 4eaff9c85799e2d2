"""Replacing an authenticator app in a real browser (issue 16 item 1): the pages pass axe, need the
password and a current code, and sign out the owner's other browser. The demo runs without MFA, so
the crawls of every page never reach these."""

from __future__ import annotations

import re

import pyotp
from playwright.sync_api import expect

from tests.browser.conftest import DEMO_PASSWORD, SECRET_KEY, check_accessibility, new_context, screenshot
from tests.browser.probes import OVERFLOW, WIDTH
from tests.browser.site_map import crawl_app

EMAIL = "two-step@demo.example"


def _owner_with_authenticator(server) -> tuple[str, list[str]]:
    from audit_app.data import accounts
    from audit_app.data.users import create_user
    from audit_app.extensions import db

    app = crawl_app(server.database_url, SECRET_KEY)
    with app.app_context():
        user = create_user(EMAIL, "Two Step", DEMO_PASSWORD, ["editor"])
        user.mfa_secret = secret = accounts.new_mfa_secret()
        codes = accounts.regenerate_recovery_codes(user)
        db.session.commit()
        db.engine.dispose()
    return secret, codes


def _sign_in_with_code(page, base_url: str, code: str) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_label("E-mail address", exact=True).fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_label("Code", exact=True).fill(code)
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Sign out").wait_for()


def _reflows(page) -> bool:
    """Usable 320 CSS pixels wide without scrolling sideways (WCAG 1.4.10), as the crawl checks other pages."""
    width = page.viewport_size
    page.set_viewport_size({"width": WIDTH, "height": 640})
    result = page.evaluate(OVERFLOW, WIDTH)
    page.set_viewport_size(width)
    assert result["scrollWidth"] <= WIDTH, result["wide"]
    return True


def test_replacing_an_authenticator_in_the_browser(browser, own_server):
    secret, codes = _owner_with_authenticator(own_server)
    elsewhere_context, context = new_context(browser), new_context(browser)
    try:
        elsewhere = elsewhere_context.new_page()
        _sign_in_with_code(elsewhere, own_server, codes[0])
        page = context.new_page()
        _sign_in_with_code(page, own_server, pyotp.TOTP(secret).now())
        page.goto(f"{own_server}/account")
        check_accessibility(page, "account page with an authenticator")
        assert _reflows(page)
        page.get_by_role("link", name="Replace your authenticator app").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Replace your authenticator app")
        check_accessibility(page, "replace authenticator")
        assert _reflows(page)
        new_secret = page.locator(".app-secret").inner_text()
        page.get_by_label("Code from the new app").fill(pyotp.TOTP(new_secret).now())
        page.get_by_role("button", name="Replace authenticator app").click()
        expect(page.locator(".govuk-error-summary, .govuk-error-message").first).to_contain_text("Enter your password")
        check_accessibility(page, "replace authenticator, with errors")
        page.get_by_label("Your password").fill(DEMO_PASSWORD)
        page.get_by_label("Code from your current authenticator app").fill(codes[1])
        page.get_by_label("Code from the new app").fill(pyotp.TOTP(new_secret).now())
        page.get_by_role("button", name="Replace authenticator app").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Save your recovery codes")
        screenshot(page, "authenticator-replaced")
        elsewhere.goto(f"{own_server}/account")
        expect(elsewhere).to_have_url(re.compile(r"/login\?next="))  # the other browser was signed out
        page.goto(f"{own_server}/account")
        expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    finally:
        elsewhere_context.close()
        context.close()
