"""Production settings: the reverse proxy, rotating the secret key, refusing unsafe values, several workers."""

from __future__ import annotations

import gc
import runpy
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.test import EnvironBuilder

from audit_app import create_app
from audit_app.database import begin_writing
from audit_app.extensions import db
from audit_app.models import SignInFailure
from config import ProductionConfig, TestingConfig, secret_key_fallbacks, trusted_proxies

KEY = "k" * 40
OLD_KEY = "o" * 40
TRAIL_KEY = "t" * 40
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def app_behind(app):
    """An app on the same database as ``app``, built for a given number of trusted proxies."""
    built = []

    def make(hops: int):
        class Config(TestingConfig):
            SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
            TRUSTED_PROXIES = hops

        built.append(create_app(Config))
        return built[-1]

    yield make
    for other in built:
        with other.app_context():
            db.engine.dispose()


def _failed_sign_in_address(app, csrf, headers: dict) -> str:
    client = app.test_client()
    token = csrf(client, "/login")
    client.post(
        "/login", data={"email": "nobody@test.example", "password": "wrong", "csrf_token": token}, headers=headers
    )
    with app.app_context():
        return db.session.scalar(select(SignInFailure.ip).order_by(SignInFailure.id.desc()))


def test_behind_one_proxy_throttling_counts_the_address_the_proxy_saw(app_behind, csrf):
    behind = app_behind(1)
    # The client wrote the first address itself; nginx appended the one it saw.
    address = _failed_sign_in_address(behind, csrf, {"X-Forwarded-For": "198.51.100.7, 203.0.113.9"})
    assert address == "203.0.113.9"
    assert isinstance(behind.wsgi_app, ProxyFix) and behind.wsgi_app.x_for == 1


def test_without_a_trusted_proxy_forwarded_headers_are_ignored(app_behind, csrf):
    direct = app_behind(0)
    assert _failed_sign_in_address(direct, csrf, {"X-Forwarded-For": "203.0.113.9"}) == "127.0.0.1"
    assert not isinstance(direct.wsgi_app, ProxyFix)


def test_behind_a_proxy_the_app_sees_the_scheme_and_host_the_browser_used(app_behind):
    proxy = app_behind(1).wsgi_app
    seen = {}
    proxy.app = lambda environ, start_response: seen.update(environ) or []  # in place of the app itself
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "audit.example", "X-Forwarded-For": "203.0.113.9"}
    proxy(EnvironBuilder(path="/login", headers=headers).get_environ(), lambda *args: None)
    assert (seen["wsgi.url_scheme"], seen["HTTP_HOST"], seen["REMOTE_ADDR"]) == (
        "https",
        "audit.example",
        "203.0.113.9",
    )


def test_a_session_signed_with_the_old_key_survives_rotation_and_is_re_signed(app, client, factory, login):
    factory.user("auditor", agency=factory.agency("CSC"), email="rotating@test.example")
    login(client, "rotating@test.example")
    original = app.config["SECRET_KEY"]
    try:
        app.config.update(SECRET_KEY=KEY, SECRET_KEY_FALLBACKS=[original])
        assert client.get("/account").status_code == 200  # the old key still opens the cookie …
        app.config.update(SECRET_KEY_FALLBACKS=[])
        assert client.get("/account").status_code == 200  # … which came back signed with the new one
        app.config.update(SECRET_KEY="n" * 40)
        assert client.get("/account").status_code == 302  # a key no longer listed ends the session
    finally:
        app.config.update(SECRET_KEY=original, SECRET_KEY_FALLBACKS=[])


@pytest.mark.parametrize("raw, expected", [("", []), ("a", ["a"]), (" a , b,,c ", ["a", "b", "c"])])
def test_secret_key_fallbacks_are_read_comma_separated(monkeypatch, raw, expected):
    monkeypatch.setenv("SECRET_KEY_FALLBACKS", raw)
    assert secret_key_fallbacks() == expected


@pytest.mark.parametrize("raw, expected", [("", 0), ("0", 0), ("1", 1), (" 2 ", 2)])
def test_trusted_proxies_is_a_small_count(monkeypatch, raw, expected):
    monkeypatch.setenv("TRUSTED_PROXIES", raw)
    assert trusted_proxies() == expected


@pytest.mark.parametrize("raw", ["yes", "-1", "1.5", "6", "127.0.0.1", "²"])
def test_a_garbled_proxy_count_is_refused(monkeypatch, raw):
    monkeypatch.setenv("TRUSTED_PROXIES", raw)
    with pytest.raises(RuntimeError, match="number of reverse proxies"):
        trusted_proxies()


def _production(monkeypatch, **env):
    """A production config class of its own, checked against ``env`` (the real class is left alone)."""
    monkeypatch.setenv("SECRET_KEY", KEY)
    monkeypatch.setenv("AUDIT_TRAIL_KEY", TRAIL_KEY)
    monkeypatch.setenv("APP_BASE_URL", "https://audit.partnership.example")
    monkeypatch.delenv("SECRET_KEY_FALLBACKS", raising=False)
    monkeypatch.delenv("TRUSTED_PROXIES", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    class Config(ProductionConfig):
        SQLALCHEMY_DATABASE_URI = "sqlite://"

    return Config


@pytest.mark.parametrize(
    "fallbacks, message",
    [
        ("short-old-key", "at least 32 characters"),
        (f"{OLD_KEY},tiny", "at least 32 characters"),
        (KEY, "must not contain the current SECRET_KEY"),
    ],
)
def test_production_refuses_weak_or_pointless_old_keys(monkeypatch, fallbacks, message):
    config = _production(monkeypatch, SECRET_KEY_FALLBACKS=fallbacks)
    with pytest.raises(RuntimeError, match=message):
        create_app(config)


@pytest.mark.parametrize(
    "trail_key, message",
    [
        ("", "Set AUDIT_TRAIL_KEY"),
        ("short", "Set AUDIT_TRAIL_KEY"),
        ("development-audit-trail-key-not-for-production", "Set AUDIT_TRAIL_KEY"),
        (KEY, "must differ from SECRET_KEY"),
    ],
)
def test_production_refuses_a_missing_weak_or_shared_audit_trail_key(monkeypatch, trail_key, message):
    config = _production(monkeypatch, AUDIT_TRAIL_KEY=trail_key)
    with pytest.raises(RuntimeError, match=message):
        create_app(config)


def test_production_seals_the_trail_with_the_key_from_the_environment(monkeypatch):
    assert create_app(_production(monkeypatch)).config["AUDIT_TRAIL_KEY"] == TRAIL_KEY


def test_production_refuses_a_garbled_proxy_count(monkeypatch):
    config = _production(monkeypatch, TRUSTED_PROXIES="nginx")
    with pytest.raises(RuntimeError, match="TRUSTED_PROXIES"):
        create_app(config)


def test_production_takes_rotation_and_proxy_settings_from_the_environment(monkeypatch):
    config = _production(monkeypatch, SECRET_KEY_FALLBACKS=f"{OLD_KEY}, {'p' * 32}", TRUSTED_PROXIES="1")
    app = create_app(config)
    assert app.config["SECRET_KEY"] == KEY
    assert app.config["SECRET_KEY_FALLBACKS"] == [OLD_KEY, "p" * 32]
    assert isinstance(app.wsgi_app, ProxyFix) and app.wsgi_app.x_proto == 1


def test_gunicorn_listens_on_loopback_with_workers_that_share_nothing(monkeypatch):
    for name in ("GUNICORN_BIND", "GUNICORN_WORKERS", "GUNICORN_THREADS"):
        monkeypatch.delenv(name, raising=False)
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert settings["bind"] == "127.0.0.1:8000"  # only nginx on the same machine reaches it
    assert settings["workers"] >= 2 and settings["worker_class"] == "sync"
    assert settings["preload_app"] is False  # every worker opens its own database connections
    assert 30 <= settings["timeout"] <= 120
    monkeypatch.setenv("GUNICORN_THREADS", "4")
    assert runpy.run_path(str(ROOT / "gunicorn.conf.py"))["worker_class"] == "gthread"


def test_each_gunicorn_worker_freezes_its_start_up_objects():
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    try:
        settings["post_worker_init"](worker=None)
        assert gc.get_freeze_count() > 10_000  # the app, its modules and templates: out of the collector's way
    finally:
        gc.unfreeze()


def test_begin_writing_keeps_other_workers_writes_out_until_commit(app, ctx):
    begin_writing()
    if db.engine.dialect.name != "sqlite":
        return  # PostgreSQL: nothing to do, and nothing was done
    other = sqlite3.connect(db.engine.url.database, timeout=0)  # another worker, unwilling to wait
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        db.session.commit()
        other.execute("BEGIN IMMEDIATE")  # the lock was released with the commit
        other.rollback()
    finally:
        other.close()
