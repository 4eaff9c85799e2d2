"""Every page each role can reach, opened in Chromium with the demo data and checked with axe-core (WCAG 2.2 AA).

The list of pages comes from the app's URL map and each view's roles (tests/browser/site_map.py), so a
new page is checked as soon as it exists. Besides axe, every page must have the basics a screen reader
user relies on: a title of its own, one h1, the page's landmarks, error summaries whose links reach their
fields, a text alternative and a table of figures for every chart, and the footer's link to the
accessibility statement. How many pages each role had checked is written to artifacts/axe/pages.json.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import REPO_ROOT, new_context, record_figures, sign_in
from tests.browser.site_map import ROLES, SIGNED_OUT, SitePage, email_of, open_page

REPORT = REPO_ROOT / "artifacts" / "axe" / "pages.json"
PARTNERSHIP = "Westmere Safeguarding Children Partnership"
# One long test per role, each independent: make test runs them side by side (tests/conftest.py).
SPREAD_OVER_WORKERS = True

# What a screen reader user relies on, read from the page in one go.
BASICS = """() => {
  const visible = (e) => !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length);
  const items = [...document.querySelectorAll('img[class*="chart"], table')];
  return {
    title: document.title.trim(),
    lang: document.documentElement.lang,
    h1: document.querySelectorAll('h1').length,
    main: document.querySelectorAll('main').length,
    banner: document.querySelectorAll('header.govuk-template__header, body > header').length,
    footer: document.querySelectorAll('footer').length,
    statement: [...document.querySelectorAll('footer a')].some((a) => a.textContent.trim() === 'Accessibility statement'
                                                                     && a.getAttribute('href') === '/accessibility'),
    brokenErrorLinks: [...document.querySelectorAll('.govuk-error-summary a[href^="#"]')]
      .filter((a) => !document.getElementById(decodeURIComponent(a.getAttribute('href').slice(1))))
      .map((a) => a.getAttribute('href')),
    chartsWithoutTable: items.filter((e, i) => e.tagName === 'IMG' && visible(e)
        && (!e.alt.trim() || !items[i + 1] || items[i + 1].tagName !== 'TABLE')).map((e) => e.outerHTML.slice(0, 160)),
  };
}"""


def basics_problems(basics: dict, kind: str) -> list[str]:
    """What is missing from the page's basics; a downloaded briefing is its own document (no app footer)."""
    problems = []
    if basics["h1"] != 1:
        problems.append(f"{basics['h1']} h1 headings (want exactly one)")
    if not basics["lang"].startswith("en"):
        problems.append(f"html lang is {basics['lang']!r}")
    if basics["main"] != 1:
        problems.append(f"{basics['main']} main landmarks")
    if kind == "page":
        if not basics["title"].endswith(f" – {PARTNERSHIP}") or basics["title"].startswith(" –"):
            problems.append(f"title {basics['title']!r} does not say the page, then the partnership")
        if not basics["banner"] or not basics["footer"]:
            problems.append("no header or footer landmark")
        if not basics["statement"]:
            problems.append("no link to the accessibility statement in the footer")
    elif not basics["title"]:
        problems.append("no title")
    problems += [f"error summary link {href} reaches no field" for href in basics["brokenErrorLinks"]]
    problems += [
        f"chart without a text alternative and a table of its figures: {html}" for html in basics["chartsWithoutTable"]
    ]
    return problems


def check_page(page: Page, base_url: str, site_page: SitePage, axe_report, titles: dict) -> str:
    """Open one page and check it: axe-core, then the basics. Returns what it was ("page", "download", "file")."""
    kind = open_page(page, base_url, site_page)
    if kind == "file":
        return kind
    axe_report.check(page, site_page.label, best_practice=True)
    basics = page.evaluate(BASICS)
    problems = basics_problems(basics, kind)
    if kind == "page":
        titles.setdefault(basics["title"], []).append(site_page.url)
    if problems:
        axe_report.findings.append(f"{site_page.label}:\n  - " + "\n  - ".join(problems))
    return kind


def _signed_in_page(browser, base_url: str, role: str) -> Page:
    page = new_context(browser).new_page()
    if role != SIGNED_OUT:
        sign_in(page, base_url, email_of(role))
    return page


def _record(role: str, counts: dict) -> None:
    """Keep how many pages each role had checked (a CI artefact, and the figure in docs/ACCESSIBILITY.md)."""
    record_figures(REPORT, role, counts)


@pytest.mark.parametrize("role", [*ROLES, SIGNED_OUT])
def test_every_page_a_role_can_reach_passes_axe(browser, demo_site, axe_report, role):
    pages = demo_site.pages(role)
    page = _signed_in_page(browser, demo_site.server, role)
    titles: dict[str, list[str]] = {}
    kinds = {"page": 0, "download": 0, "file": 0}
    try:
        for site_page in pages:
            kinds[check_page(page, demo_site.server, site_page, axe_report, titles)] += 1
    finally:
        page.context.close()
    _record(role, {**kinds, "checked": kinds["page"] + kinds["download"]})
    axe_report.findings += [
        f"{role}: the title {title!r} is shared by {', '.join(urls)}" for title, urls in titles.items() if len(urls) > 1
    ]
    assert kinds["page"] >= 2, f"{role} reached only {kinds['page']} pages"
    axe_report.assert_clean()
