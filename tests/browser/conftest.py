"""Browser tests: the real app in a subprocess, driven by system Chromium through Playwright.

Run with ``make test-browser`` (or ``.venv/bin/python -m pytest tests/browser -q``).
Chromium comes from the operating system (``apt-get install -y chromium``); Playwright's own
browser download (``playwright install``) is never used. Without Chromium the tests are skipped
locally but FAIL when ``CI=true``, so a CI run can never pass by skipping everything.

``BROWSER_PATH`` overrides the Chromium location (handy to prove the skip/fail behaviour:
``BROWSER_PATH=/nonexistent``).
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
# axe-core has one source: the version package.json pins (npm ci puts it in node_modules); never a copy here.
AXE_PATH = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOT_DIR = REPO_ROOT / "artifacts" / "screenshots"
# A full-page screenshot is an artefact to look at, not something a test asserts: it gets longer than clicks
# and typing. A return form is 25,000-32,000 px tall; Chromium takes 2-4 s for it on an idle machine and took
# over 10 s (then the limit) in CI, with four browser workers and the PostgreSQL app tests on two cores.
SCREENSHOT_TIMEOUT_MS = 60_000
# How long a click, a fill or an expect() waits for the page: pages answered in under a second on an idle
# machine have taken more than 10 s in CI.
ACTION_TIMEOUT_MS = 30_000
# Publishing a briefing builds its PDF and web page before the answer comes back: a second on an idle machine,
# over 10 s (then a click's limit) once in CI with every worker busy. The click and the check after it wait this
# long.
PUBLISHING_TIMEOUT_MS = 60_000
VENV_BIN = REPO_ROOT / ".venv" / "bin"

DEFAULT_CHROMIUM = "/usr/bin/chromium"
DEMO_PASSWORD = "browser-test-demo-password-1"
SECRET_KEY = "browser-test-secret-key-that-is-long-enough-0123456789"
CASE_NUMBER_KEY = "YnJvd3Nlci10ZXN0LWNhc2UtbnVtYmVyLWtleS0wMDA="  # a Fernet key for the browser tests only
# A ceiling, not a measure: on a busy machine (the tests run in parallel workers) the first page of a newly
# started app can take many seconds; a server that never answers still fails the test, only later.
SERVER_START_TIMEOUT = 120.0
CHROMIUM_MISSING = "Chromium is not installed: apt-get install -y chromium (browser tests skipped)"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# axe's best-practice rules about a page's structure, run by the crawl of every page besides WCAG's: every
# piece of content inside a landmark, headings that never skip a level, and landmarks that are each one.
BEST_PRACTICE_RULES = [
    "region",
    "heading-order",
    "empty-heading",
    "page-has-heading-one",
    "landmark-banner-is-top-level",
    "landmark-complementary-is-top-level",
    "landmark-contentinfo-is-top-level",
    "landmark-main-is-top-level",
    "landmark-no-duplicate-banner",
    "landmark-no-duplicate-contentinfo",
    "landmark-no-duplicate-main",
    "landmark-one-main",
    "landmark-unique",
]


# --------------------------------------------------------------------------- the browser


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """System Chromium; missing → skip locally, but fail under CI=true."""
    path = os.environ.get("BROWSER_PATH", DEFAULT_CHROMIUM)
    if os.path.isfile(path) and os.access(path, os.X_OK):
        return path
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{CHROMIUM_MISSING}. CI=true, so this is a failure, not a skip.", pytrace=False)
    pytest.skip(CHROMIUM_MISSING)


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import expect, sync_playwright

    # expect() waits 5 s by default. In CI four browser workers and the PostgreSQL tests share two cores, and a
    # page has taken more than 10 s to answer there: an assertion waits as long as a click may (new_context).
    # These are ceilings, not measurements: a passing test never waits for them, and a slow page is measured by
    # the benchmarks in tests/perf.
    expect.set_options(timeout=ACTION_TIMEOUT_MS)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=chromium_path,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        yield chromium
        chromium.close()


def new_context(browser):
    """A fresh, isolated context (own cookies). ``bypass_csp``: the app's CSP (script-src 'self'
    + nonce) would otherwise block the axe-core script tag the harness injects."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    # Clicks, typing and page loads alike (the reflow crawl's Page.goto timed out at 10 s once in CI).
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    return context


@pytest.fixture
def page(browser):
    context = new_context(browser)
    page = context.new_page()
    yield page
    context.close()


# --------------------------------------------------------------------------- the app


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _flask(args: list[str], env: dict, log) -> None:
    result = subprocess.run(
        [str(VENV_BIN / "flask"), *args],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=600,  # a ceiling against a hang: loading the demo takes seconds, minutes on a busy machine
    )
    log.write(f"$ flask {' '.join(args)}\n{result.stdout}\n")
    if result.returncode != 0:
        pytest.fail(f"`flask {' '.join(args)}` failed ({result.returncode}):\n{result.stdout}", pytrace=False)


def _wait_for(url: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    last_error = "no answer"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"The app exited ({process.returncode}) while starting:\n{log_path.read_text()}", pytrace=False)
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                if response.status == 200:
                    return
                last_error = f"HTTP {response.status}"
        except (urllib.error.URLError, ConnectionError, OSError) as error:
            last_error = str(error)
        time.sleep(0.2)
    pytest.fail(
        f"The app did not answer {url} within {SERVER_START_TIMEOUT:.0f} s ({last_error}):\n{log_path.read_text()}",
        pytrace=False,
    )


@pytest.fixture(scope="session")
def demo_password() -> str:
    return DEMO_PASSWORD


class LiveServer(str):
    """A running app: the base URL itself (so ``f"{live_server}/login"`` works), plus ``.url`` and
    ``.db_path``, the SQLite file it uses, for tests that need real ids from the demo data."""

    db_path: Path
    database_url: str

    @property
    def url(self) -> str:
        return str(self)


def _app_environment(db_path: Path, settings: dict[str, str] | None = None) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db_path}",
        "FLASK_APP": "wsgi.py",
        "FLASK_CONFIG": "development",
        "SECRET_KEY": SECRET_KEY,
        "PYTHONUNBUFFERED": "1",
        "AUDIT_MFA_ENFORCED": "false",  # as `make run`'s demo: the MFA journey has its own app tests
        "AUDIT_CASE_NUMBER_KEY": CASE_NUMBER_KEY,  # agencies' own case numbers can be sealed and shown
        **(settings or {}),
    }
    env.pop("FLASK_DEBUG", None)
    return env


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory) -> Path:
    """A SQLite file with the schema and the demo data, made once for the whole run (`flask db upgrade` and
    `flask demo`, ten seconds of a core) and copied for each demo server. Under pytest-xdist the workers
    share it: the first to ask makes it, under a lock, in the folder all the workers' folders are in."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    made = root / "demo-database" / "browser.db"
    with open(root / "demo-database.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not made.exists():
            building = made.with_name("building.db")
            building.parent.mkdir(exist_ok=True)
            env = _app_environment(building)
            with open(made.with_name("flask.log"), "w", encoding="utf-8") as log:
                _flask(["db", "upgrade"], env, log)
                _flask(["demo", "--password", DEMO_PASSWORD], env, log)
            leftovers = [p.name for p in building.parent.glob("building.db-*")]
            assert not leftovers, f"the demo database was not closed cleanly: {leftovers}"
            building.rename(made)
    return made


@contextmanager
def demo_server(demo_database: Path, settings: dict[str, str] | None = None) -> Iterator[LiveServer]:
    """The real app (`flask run`) on a free port, with its own copy of the demo database (``demo_database``,
    the fixture); ``settings`` are extra environment variables (the time-out tests shorten the time-outs)."""
    tmp = Path(tempfile.mkdtemp(prefix="audit-browser-"))
    db_path = tmp / "browser.db"
    shutil.copyfile(demo_database, db_path)
    env = _app_environment(db_path, settings)
    log_path = tmp / "server.log"
    with open(log_path, "w", encoding="utf-8") as log:
        process, server = _serve(env, log, log_path)
        server.db_path, server.database_url = db_path, env["DATABASE_URL"]
        try:
            yield server
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
    shutil.rmtree(tmp, ignore_errors=True)


def _serve(env: dict, log, log_path: Path, tries: int = 3) -> tuple[subprocess.Popen, LiveServer]:
    """`flask run` on a free port, answering. The port is chosen just before the start, and chosen again if
    another process took it in between (several servers start at once when the tests run in parallel)."""
    for attempt in range(1, tries + 1):
        logged_before = len(log_path.read_text())
        port = _free_port()
        process = subprocess.Popen(
            [str(VENV_BIN / "flask"), "run", "--host", "127.0.0.1", "--port", str(port)],
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        server = LiveServer(f"http://127.0.0.1:{port}")
        try:
            _wait_for(f"{server}/login", process, log_path)
            return process, server
        except pytest.fail.Exception:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=10)
            if attempt == tries or "already in use" not in log_path.read_text()[logged_before:]:
                raise
    raise AssertionError("unreachable")


@pytest.fixture(scope="session")
def live_server(chromium_path, demo_database):
    """The demo app shared by the whole session (tests that change it must leave others' data alone).

    Depends on ``chromium_path`` so nothing is started when the browser is missing.
    """
    with demo_server(demo_database) as server:
        yield server


@pytest.fixture(scope="module")
def own_server(chromium_path, demo_database):
    """A demo app of this test module's own, for journeys that change the demo's audit or tool."""
    with demo_server(demo_database) as server:
        yield server


@pytest.fixture(scope="session")
def demo_site(chromium_path, demo_database):
    """A demo app of its own for the crawls of every page, with what the demo lacks added (see site_map)."""
    from tests.browser.site_map import Site, crawl_app, prepare

    with demo_server(demo_database) as server:
        app = crawl_app(server.database_url, SECRET_KEY)
        yield Site(str(server), app, prepare(app))


# --------------------------------------------------------------------------- helpers


def sign_in(page, base_url: str, email: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the login form and wait until the app has let us in."""
    page.goto(f"{base_url}/login")
    page.get_by_label("E-mail address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_role("button", name="Sign out").wait_for()


def _format_violations(label: str, url: str, violations: list[dict]) -> str:
    lines = [f"{label} ({url}): {len(violations)} axe violation(s)"]
    for violation in violations:
        lines.append(f"  - {violation['id']} [{violation.get('impact')}]: {violation['help']}")
        lines.append(f"    {violation.get('helpUrl', '')}")
        nodes = violation.get("nodes", [])
        for node in nodes[:3]:
            target = " ".join(json.dumps(t) if not isinstance(t, str) else t for t in node.get("target", []))
            lines.append(f"    at {target}")
            lines.append(f"       {node.get('html', '')[:200]}")
        if len(nodes) > 3:
            lines.append(f"    … and {len(nodes) - 3} more element(s)")
    return "\n".join(lines)


def run_axe(page, best_practice: bool = False) -> list[dict]:
    """Inject axe-core (from a file: inline scripts need the CSP bypass) and run the WCAG 2.x A/AA rules
    (``best_practice``: and BEST_PRACTICE_RULES, in the same run)."""
    if not AXE_PATH.is_file():
        pytest.fail(f"{AXE_PATH} is missing: run make assets (npm ci) first", pytrace=False)
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_PATH))
    result = page.evaluate(
        # resultTypes: only violations are reported, so axe skips the details of passing checks (much faster)
        """async ([tags, extra]) => {
          const rules = axe.getRules(tags).map((rule) => rule.ruleId).concat(extra);
          return await axe.run(document, {runOnly: {type: 'rule', values: rules}, resultTypes: ['violations']});
        }""",
        [AXE_TAGS, BEST_PRACTICE_RULES if best_practice else []],
    )
    return result["violations"]


def check_accessibility(
    page, label: str, collector: list[str] | None = None, best_practice: bool = False
) -> list[dict]:
    """Run axe on the current page. With no ``collector`` a violation fails at once; with one,
    the report is appended so the test can carry on and fail at the end (see ``axe_report``)."""
    violations = run_axe(page, best_practice)
    if violations:
        message = _format_violations(label, page.url, violations)
        if collector is None:
            pytest.fail(message, pytrace=False)
        collector.append(message)
    return violations


class AxeReport:
    """Collects axe findings through a test; ``assert_clean()`` fails at the end with all of them."""

    def __init__(self) -> None:
        self.findings: list[str] = []
        self.pages: dict[str, int] = {}

    def check(self, page, label: str, best_practice: bool = False) -> list[dict]:
        violations = check_accessibility(page, label, self.findings, best_practice)
        self.pages[label] = len(violations)
        return violations

    def assert_clean(self) -> None:
        if self.findings:
            pytest.fail(
                "Accessibility (axe-core, WCAG 2.2 AA) violations:\n\n" + "\n\n".join(self.findings), pytrace=False
            )


@pytest.fixture
def axe_report() -> AxeReport:
    return AxeReport()


def screenshot(page, name: str, directory: Path = SCREENSHOT_DIR) -> Path:
    """A full-page PNG in artifacts/screenshots/<name>.png (or another folder of artifacts/; git-ignored)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.png"
    page.screenshot(path=str(path), full_page=True, timeout=SCREENSHOT_TIMEOUT_MS)
    return path


def record_figures(path: Path, key: str, figures: dict) -> None:
    """Set ``key`` in the JSON file of figures at ``path`` (artifacts/axe/pages.json …), keeping the other keys.

    The crawls' tests run in parallel worker processes (make test), each one role: the file is locked for the
    read and the write, so no role's figures are lost to another's write."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        report = json.loads(path.read_text()) if path.exists() else {}
        report[key] = figures
        path.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n")
