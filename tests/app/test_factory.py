"""The application factory: configuration and secrets."""

import os
import stat

import pytest

from audit_app import create_app
from config import DevelopmentConfig, ProductionConfig


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
