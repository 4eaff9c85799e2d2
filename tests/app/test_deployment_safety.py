"""Production refuses the demo accounts; links in e-mails, invitations and briefings name APP_BASE_URL, never the
request's Host; the SQLite database and its -wal/-shm/-journal files are readable by their owner only."""

from __future__ import annotations

import os
import re
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from audit_app import create_app
from audit_app.extensions import db
from audit_app.links import external_url
from audit_app.models import Briefing, User
from config import ProductionConfig, TestingConfig
from tests.app.roles_briefings import draft_for, reload, signed_in

BASE = "https://audit.partnership.example"
FORGED_HOST = "evil.example"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def configured(app):
    """APP_BASE_URL set, and every request reaching the app with a forged ``Host: evil.example``.

    The Host is rewritten inside the WSGI stack, after the test client chose the cookies to send
    (it matches cookies against the host it was asked for), just as a request sent straight to
    the server with a forged Host header arrives.
    """
    inner = app.wsgi_app

    def forged(environ, start_response):
        environ["HTTP_HOST"] = environ["SERVER_NAME"] = FORGED_HOST
        return inner(environ, start_response)

    app.config["APP_BASE_URL"] = BASE + "/"
    app.wsgi_app = forged
    yield app
    app.wsgi_app = inner
    app.config["APP_BASE_URL"] = None


# ---------------------------------------------------------------- flask demo under the production config


def test_flask_demo_is_refused_under_the_production_config(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    monkeypatch.setenv("AUDIT_TRAIL_KEY", "t" * 40)
    monkeypatch.setenv("APP_BASE_URL", BASE)

    class Config(ProductionConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'production.db'}"

    production = create_app(Config)
    with production.app_context():
        upgrade()
    with production.app_context():  # as `flask demo` runs: the flask command pushes the app's context
        result = production.test_cli_runner().invoke(args=["demo", "--password", "one shared password"])
    assert result.exit_code != 0
    assert "not loaded under the production configuration" in result.output
    assert "nine accounts that share one password" in result.output
    with production.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0
        db.engine.dispose()


def test_production_refuses_to_start_without_a_base_url(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    monkeypatch.setenv("AUDIT_TRAIL_KEY", "t" * 40)
    monkeypatch.delenv("APP_BASE_URL", raising=False)

    class Config(ProductionConfig):
        SQLALCHEMY_DATABASE_URI = "sqlite://"
        APP_BASE_URL = None

    with pytest.raises(RuntimeError, match="Set APP_BASE_URL"):
        create_app(Config)
    monkeypatch.setenv("APP_BASE_URL", "audit.partnership.example")  # no scheme: a link would go nowhere
    with pytest.raises(RuntimeError, match="Set APP_BASE_URL"):
        create_app(Config)


# ---------------------------------------------------------------- links name the configured base


def test_an_invitation_link_names_the_configured_base_not_the_forged_host(configured, client, factory, login, post):
    factory.user("admin", email="admin@test.example")
    login(client, "admin@test.example")
    response = post(
        client,
        "/admin/users",
        {"email": "new@test.example", "display_name": "New Person", "roles": "viewer", "agency": ""},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html[:300]
    assert f"{BASE}/invitation/" in html and "evil.example" not in html


def test_a_reminder_link_names_the_configured_base_not_the_forged_host(configured, client, factory, login, post, smtp):  # noqa: F811
    factory.user("coordinator", email="co@test.example")
    factory.user("auditor", agency=factory.agency("CSC"), email="csc@test.example")
    audit = factory.audit(state="open", agencies=("CSC",))
    login(client, "co@test.example")
    post(client, f"/audits/{audit.id}/reminders")
    [(_, message)] = smtp.messages
    body = message.get_payload(decode=True).decode()
    assert f"{BASE}/returns/" in body and "evil.example" not in body


def test_a_published_briefing_links_to_the_configured_base_not_the_forged_host(configured, app, factory, login, post):
    _, briefing = draft_for(factory, "author@test.example")
    factory.user("coordinator", email="co@test.example")
    client = signed_in(app, login, "co@test.example")
    for step in ("approve", "publish"):
        post(
            client,
            f"/briefings/{briefing.id}/{step}",
            {"lock_version": str(reload(briefing).lock_version)},
        )
    row: Briefing = reload(briefing)
    assert row.state == "published"
    assert row.content["web_url"] == f"{BASE}/briefings/{briefing.id}"
    assert b"evil.example" not in row.pdf and "evil.example" not in row.html


def test_without_a_base_url_development_links_name_the_request_host(app):
    """Documented fallback (docs/DECISIONS.md): only when APP_BASE_URL is unset, which production refuses."""
    with app.test_request_context("/", headers={"Host": "localhost:5000"}):
        assert external_url("returns.index") == "http://localhost:5000/returns/"
    with app.app_context():
        assert external_url("returns.index") == "http://127.0.0.1:5000/returns/"


def test_a_base_url_with_a_path_prefix_keeps_it(app):
    app.config["APP_BASE_URL"] = "https://council.example/audit/"
    try:
        with app.test_request_context("/"):
            assert external_url("auth.invitation", token="abc") == "https://council.example/audit/invitation/abc"
    finally:
        app.config["APP_BASE_URL"] = None


# ---------------------------------------------------------------- the SQLite file is private


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_flask_db_upgrade_creates_the_sqlite_file_and_its_siblings_readable_by_the_owner_only(tmp_path):
    database = tmp_path / "fresh" / "audit.db"
    database.parent.mkdir()
    env = {
        **os.environ,
        "FLASK_APP": "wsgi.py",
        "FLASK_CONFIG": "development",
        "AUDIT_MFA_ENFORCED": "false",
        "DATABASE_URL": f"sqlite:///{database}",
    }
    env.pop("APP_BASE_URL", None)
    script = "import os, sys; os.umask(0); from flask.cli import main; sys.argv = ['flask', 'db', 'upgrade']; main()"
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, check=True, capture_output=True, timeout=300)
    assert _mode(database) == 0o600
    # SQLite gives -wal/-shm (and a rollback -journal) the database file's own permissions; prove it under umask 0.
    old = os.umask(0)
    try:
        connection = sqlite3.connect(database)
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("CREATE TABLE probe (n INTEGER)")
        siblings = [Path(f"{database}{suffix}") for suffix in ("-wal", "-shm")]
        assert all(path.exists() for path in siblings)
        assert {_mode(path) for path in siblings} == {0o600}
        connection.execute("PRAGMA journal_mode = DELETE")
        connection.execute("BEGIN")
        connection.execute("INSERT INTO probe VALUES (1)")
        journal = Path(f"{database}-journal")
        assert journal.exists() and _mode(journal) == 0o600
        connection.rollback()
        connection.close()
    finally:
        os.umask(old)


def test_an_existing_database_readable_by_others_is_made_private_when_the_app_starts(tmp_path):
    database = tmp_path / "old.db"
    sqlite3.connect(database).close()
    wal = Path(f"{database}-wal")
    wal.write_bytes(b"")
    os.chmod(database, 0o644)
    os.chmod(wal, 0o666)

    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{database}"

    started = create_app(Config)
    assert _mode(database) == 0o600 and _mode(wal) == 0o600
    with started.app_context():
        db.engine.dispose()


def test_the_link_helper_is_the_only_place_that_builds_external_links():
    """A future ``url_for(..., _external=True)`` would take the request's Host again: it may only be in links.py."""
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "audit_app").rglob("*.py")
        if path.name != "links.py" and re.search(r"_external\s*=\s*True", path.read_text("utf-8"))
    ]
    assert offenders == []
