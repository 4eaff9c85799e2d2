"""Reflow (WCAG 1.4.10): every page each role can reach is usable 320 CSS pixels wide without scrolling sideways.

The same pages as the axe-core crawl (tests/browser/site_map.py). Each is opened in a 320 px wide window;
the page fails if it is wider than the window, naming the elements that stick out. Wide tables may scroll
inside their own box, as the guideline allows for data tables. A screenshot (JPEG) of every page at 320 px is
kept in artifacts/reflow/ (a CI artefact) to look at.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import REPO_ROOT, SCREENSHOT_TIMEOUT_MS, new_context, sign_in
from tests.browser.probes import OVERFLOW, WIDTH
from tests.browser.site_map import ROLES, SIGNED_OUT, SitePage, email_of, open_page

SHOTS = REPO_ROOT / "artifacts" / "reflow"
# One long test per role, each independent (its own screenshots): make test runs them side by side
# (tests/conftest.py).
SPREAD_OVER_WORKERS = True


def _narrow_page(browser, base_url: str, role: str) -> Page:
    """Signed in at the usual width (the sign-out button then shows without opening the menu), then narrowed."""
    page = new_context(browser).new_page()
    if role != SIGNED_OUT:
        sign_in(page, base_url, email_of(role))
    page.set_viewport_size({"width": WIDTH, "height": 640})
    return page


def _shot_name(site_page: SitePage) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", site_page.url.lower()).strip("-") or "home"
    return f"{site_page.role}-{slug}"[:120]


def reflow_problem(page: Page, base_url: str, site_page: SitePage) -> str | None:
    """Open the page 320 px wide, keep a screenshot, and say how it fails to reflow (None when it does)."""
    if open_page(page, base_url, site_page) == "file":
        return None
    SHOTS.mkdir(parents=True, exist_ok=True)
    # JPEG: a full page as PNG cost Chromium a quarter of the crawl's CPU (8 of 43 s for the coordinator's pages).
    page.screenshot(
        path=str(SHOTS / f"{_shot_name(site_page)}.jpg"),
        full_page=True,
        type="jpeg",
        quality=80,
        timeout=SCREENSHOT_TIMEOUT_MS,
    )
    result = page.evaluate(OVERFLOW, WIDTH)
    if result["scrollWidth"] <= WIDTH:
        return None
    return f"{site_page.label} is {result['scrollWidth']} px wide at {WIDTH} px:\n    " + "\n    ".join(
        result["wide"] or ["(no single element found)"]
    )


@pytest.mark.parametrize("role", [*ROLES, SIGNED_OUT])
def test_every_page_reflows_at_320_css_pixels(browser, demo_site, role):
    for old in SHOTS.glob(f"{role}-*.jpg"):
        old.unlink()
    page = _narrow_page(browser, demo_site.server, role)
    try:
        problems = [
            problem
            for site_page in demo_site.pages(role)
            if (problem := reflow_problem(page, demo_site.server, site_page))
        ]
    finally:
        page.context.close()
    assert len(list(SHOTS.glob(f"{role}-*.jpg"))) >= 2, "no screenshots were kept"
    assert not problems, "Pages that scroll sideways at 320 CSS pixels:\n\n" + "\n\n".join(problems)
