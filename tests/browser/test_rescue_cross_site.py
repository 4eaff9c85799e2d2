"""A page on another site that auto-submits a form to a return changes nothing stored and plants nothing
(issue 16, item 3). The other site is a tiny server on another loopback name (``localhost`` beside the
app's ``127.0.0.1``), so Chromium treats it as cross-site: no session cookie goes with the post, and the
browser says ``Sec-Fetch-Site: cross-site`` and a foreign ``Origin``. The auditor's own page, whose
session ends while the form is open, still has what was typed kept and brought back."""

from __future__ import annotations

import html
import re
import sqlite3
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from playwright.sync_api import Page, expect

from tests.browser.conftest import DEMO_PASSWORD, sign_in

SCHOOL_AUDITOR = "auditor.school@demo.example"
PLANTED = "Planted by another site: the child is safe, no concerns"
RATIONALE = re.compile("Why did you reach this judgement")


@contextmanager
def other_site(action: str):
    """Another site whose page posts a return form to ``action`` as soon as it loads."""
    fields = {"q_overall_rationale": PLANTED, "version": "1", "save_draft": "y", "rescue": "forged"}
    inputs = "".join(
        f'<input type="hidden" name="{name}" value="{html.escape(value)}">' for name, value in fields.items()
    )
    body = (
        f'<!DOCTYPE html><title>Win a prize</title><form id="f" method="post" action="{html.escape(action)}">'
        f'{inputs}</form><script>document.getElementById("f").submit()</script>'
    ).encode()

    class Page(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the standard library's name)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_address[1]}/"  # localhost ≠ 127.0.0.1: another site
    finally:
        server.shutdown()
        server.server_close()


def open_a_return(page: Page, base: str) -> tuple[str, str]:
    """The first follow-up return of the school's auditor: its address and the saved rationale."""
    page.goto(f"{base}/returns/")
    page.get_by_role("table", name=re.compile("follow-up sample$")).get_by_role("link").first.click()
    page.wait_for_load_state("load")
    return page.url.split("?")[0], page.get_by_label(RATIONALE).input_value()


def sign_in_here(page: Page) -> None:
    page.get_by_label("E-mail address", exact=True).fill(SCHOOL_AUDITOR)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_role("button", name="Sign out").wait_for()


def planted_rows(db_path) -> int:
    with sqlite3.connect(db_path) as connection:
        drafts = connection.execute("SELECT count(*) FROM rescued_drafts WHERE form LIKE ?", (f"%{PLANTED[:20]}%",))
        answers = connection.execute("SELECT count(*) FROM answers WHERE value LIKE ?", (f"%{PLANTED[:20]}%",))
        return drafts.fetchone()[0] + answers.fetchone()[0]


def test_a_cross_site_post_while_signed_out_plants_nothing(page: Page, live_server):
    sign_in(page, live_server, SCHOOL_AUDITOR)
    address, saved = open_a_return(page, live_server)
    page.get_by_role("button", name="Sign out").click()
    with other_site(address) as attacker:
        page.goto(attacker)
        page.wait_for_url(re.compile(re.escape(f"{live_server}/login")))
    sign_in_here(page)  # the auditor signs in on the page the attack left them on
    expect(page.locator("body")).not_to_contain_text(PLANTED)
    expect(page.locator("body")).not_to_contain_text("what you typed was kept for you")
    page.goto(address)
    expect(page.get_by_label(RATIONALE)).to_have_value(saved)
    expect(page.locator("body")).not_to_contain_text(PLANTED)
    assert planted_rows(live_server.db_path) == 0


def test_a_cross_site_post_while_signed_in_neither_signs_out_nor_plants(page: Page, live_server):
    sign_in(page, live_server, SCHOOL_AUDITOR)
    address, saved = open_a_return(page, live_server)
    with other_site(address) as attacker:
        page.goto(attacker)
        page.wait_for_url(re.compile(re.escape(live_server)))
    page.goto(address)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()  # still signed in
    expect(page.get_by_label(RATIONALE)).to_have_value(saved)
    assert planted_rows(live_server.db_path) == 0


def test_the_auditors_own_page_still_has_its_text_kept_when_the_session_ends(page: Page, live_server):
    """The same journey from the app's own page, with the browser's real headers: the text comes back."""
    sign_in(page, live_server, SCHOOL_AUDITOR)
    address, _ = open_a_return(page, live_server)
    page.context.clear_cookies()  # the session ends while the form is open
    mine = "Typed after my session had ended: attendance records checked"
    page.get_by_label(RATIONALE).fill(mine)
    page.get_by_role("button", name="Save and come back later").click()
    page.wait_for_url(re.compile(re.escape(f"{live_server}/login")))
    sign_in_here(page)
    expect(page.locator("body")).to_contain_text("what you typed was kept for you")
    expect(page.get_by_label(RATIONALE)).to_have_value(mine)
    assert page.url.startswith(address)
