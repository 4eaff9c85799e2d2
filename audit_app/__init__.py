"""The audit workbench Flask application: ``create_app`` is the only entry point."""

from __future__ import annotations

import os
import secrets

from flask import Flask
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader
from werkzeug.middleware.proxy_fix import ProxyFix

from audit_app import input_guard
from config import Config, config_from_environment


def create_app(config_class: type[Config] | None = None) -> Flask:
    """Build the application; the config FLASK_CONFIG names unless one is given (no default)."""
    app = Flask(__name__, instance_relative_config=True)
    config_class = config_class or config_from_environment()
    if hasattr(config_class, "check"):
        config_class.check()
    app.config.from_object(config_class)
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(app.instance_path)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(app.instance_path, "audit.db")
    app.jinja_loader = ChoiceLoader(
        [
            PackageLoader("audit_app"),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.add_extension("jinja2.ext.do")
    input_guard.init_app(app)  # before the blueprints: their routes take its bounded converters
    _trust_proxies(app)
    _init_extensions(app)
    _register_blueprints(app)
    _register_cli(app)
    return app


def _instance_secret_key(instance_path: str) -> str:
    """A random key made once per installation and kept, readable by its owner only, in instance/."""
    path = os.path.join(instance_path, "secret_key")
    if not os.path.exists(path):
        # Written whole under another name, then linked into place: several workers starting at once
        # all read one complete key (whoever links first wins; the others' keys are thrown away).
        draft = f"{path}.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(draft)
    with open(path, encoding="utf-8") as handle:
        return handle.read().strip()


def _trust_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXIES reverse proxies, take the client's address, scheme and host from their
    X-Forwarded-* headers (sign-in throttling counts by that address); never more hops than that."""
    hops = app.config.get("TRUSTED_PROXIES", 0)
    if hops:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # Flask's documented way to add middleware
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )


def _init_extensions(app: Flask) -> None:
    from govuk_frontend_wtf.main import WTFormsHelpers

    from audit_app import database, filters, navigation, security
    from audit_app.extensions import csrf, db, login_manager, migrate

    db.init_app(app)
    database.configure_engine_events(app)
    migrate.init_app(
        app,
        db,
        directory=os.path.join(os.path.dirname(app.root_path), "migrations"),
        render_as_batch=True,
        compare_type=True,
    )
    login_manager.init_app(app)
    security.init_app(app)  # before CSRF, so a signed-out request is sent to sign in first
    csrf.init_app(app)
    WTFormsHelpers(app)
    navigation.init_app(app)
    filters.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from audit_app.admin import outbox  # noqa: F401  (adds the notifications pages to the admin blueprint)
    from audit_app.admin.routes import bp as admin_bp
    from audit_app.analysis.routes import bp as analysis_bp
    from audit_app.audits import (
        case_numbers,  # noqa: F401  (adds the agency's own case number page)
        frame_routes,  # noqa: F401  (adds the frame import and mapping pages)
        sampling_routes,  # noqa: F401  (adds the sampling pages to the audits blueprint)
    )
    from audit_app.audits.routes import bp as audits_bp
    from audit_app.auth.routes import bp as auth_bp
    from audit_app.briefings.routes import bp as briefings_bp
    from audit_app.errors import register_error_handlers
    from audit_app.learning.routes import bp as learning_bp
    from audit_app.main.routes import bp as main_bp
    from audit_app.moderation import calibration_routes  # noqa: F401  (adds the calibration pages to moderation)
    from audit_app.moderation.routes import bp as moderation_bp
    from audit_app.panel.routes import bp as panel_bp
    from audit_app.returns.routes import bp as returns_bp
    from audit_app.themes import reliability_routes  # noqa: F401  (adds the coding-reliability pages to themes)
    from audit_app.themes.routes import bp as themes_bp
    from audit_app.tools import designer  # noqa: F401  (adds the designer's routes to the tools blueprint)
    from audit_app.tools.routes import bp as tools_bp

    for blueprint in (
        auth_bp,
        main_bp,
        audits_bp,
        returns_bp,
        analysis_bp,
        admin_bp,
        tools_bp,
        panel_bp,
        themes_bp,
        learning_bp,
        briefings_bp,
        moderation_bp,
    ):
        app.register_blueprint(blueprint)
    register_error_handlers(app)


def _register_cli(app: Flask) -> None:
    from audit_app.cli import register_commands

    register_commands(app)
