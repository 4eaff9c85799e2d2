"""The application factory: configuration and secrets."""

import contextlib
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from audit_app import create_app
from config import CONFIGS, DevelopmentConfig, ProductionConfig, config_from_environment

ROOT = Path(__file__).resolve().parents[2]


def test_development_makes_a_private_random_key_once(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)

    class Config(DevelopmentConfig):
        SECRET_KEY = None
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'x.db'}"

    monkeypatch.setattr("flask.Flask.auto_find_instance_path", lambda self: str(tmp_path / "instance"))
    first = create_app(Config).config["SECRET_KEY"]
    second = create_app(Config).config["SECRET_KEY"]
    assert first == second and len(first) >= 48
    mode = os.stat(tmp_path / "instance" / "secret_key").st_mode
    assert stat.S_IMODE(mode) == 0o600


@pytest.mark.parametrize("key", ["", "short", "x" * 31])
def test_production_refuses_a_missing_or_weak_key(monkeypatch, key):
    monkeypatch.setenv("SECRET_KEY", key)
    with pytest.raises(RuntimeError, match="at least 32 characters"):
        create_app(ProductionConfig)


def test_an_unexpected_database_error_still_gets_a_helpful_500_page(app, client, factory, login, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from audit_app.data import audits

    factory.user("coordinator", email="c@test.example")
    login(client, "c@test.example")

    def broken():
        from audit_app.extensions import db
        from audit_app.models import Audit

        db.session.add(Audit(title=None))  # leaves the session needing a rollback
        with contextlib.suppress(Exception):
            db.session.flush()
        raise OperationalError("SELECT", {}, Exception("database went away"))

    monkeypatch.setattr(audits, "audits_with_case_counts", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        response = client.get("/audits/")
    finally:
        app.config["PROPAGATE_EXCEPTIONS"] = None
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.get_data(as_text=True)


def test_workers_starting_together_all_read_one_whole_development_key(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    from audit_app import _instance_secret_key

    with ThreadPoolExecutor(8) as pool:
        keys = set(pool.map(lambda _: _instance_secret_key(str(tmp_path)), range(16)))
    assert len(keys) == 1 and len(keys.pop()) >= 64
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]  # no drafts left behind
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


# ---------------------------------------------------------------- FLASK_CONFIG has no default


@pytest.mark.parametrize("value", [None, "", "  "])
def test_the_app_refuses_to_start_when_flask_config_is_unset(monkeypatch, value):
    if value is None:
        monkeypatch.delenv("FLASK_CONFIG", raising=False)
    else:
        monkeypatch.setenv("FLASK_CONFIG", value)
    with pytest.raises(
        RuntimeError, match=r"Set FLASK_CONFIG to one of development, testing, production \(it is unset\)"
    ):
        create_app()


@pytest.mark.parametrize("value", ["prod", "Production", "develop"])
def test_an_unknown_flask_config_is_refused_naming_the_allowed_values(monkeypatch, value):
    monkeypatch.setenv("FLASK_CONFIG", value)
    with pytest.raises(
        RuntimeError, match=rf"Set FLASK_CONFIG to one of development, testing, production \(not '{value}'\)"
    ):
        create_app()


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_each_allowed_flask_config_names_its_class(monkeypatch, name):
    monkeypatch.setenv("FLASK_CONFIG", name)
    assert config_from_environment() is CONFIGS[name]


def test_the_flask_command_without_flask_config_says_what_to_set(tmp_path):
    env = {key: value for key, value in os.environ.items() if key != "FLASK_CONFIG"}
    env.update(FLASK_APP="wsgi.py", DATABASE_URL=f"sqlite:///{tmp_path / 'never.db'}")
    result = subprocess.run(
        [sys.executable, "-m", "flask", "seed"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "Set FLASK_CONFIG to one of development, testing, production (it is unset)" in result.stderr
    assert not (tmp_path / "never.db").exists()


def test_make_runs_its_own_commands_with_the_development_config():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^db demo run: export FLASK_CONFIG := development$", makefile, re.MULTILINE)
