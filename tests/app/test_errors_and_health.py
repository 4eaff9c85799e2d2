"""Error pages say what happened in the service's own words and never show its insides; /health is
public and says only whether the database answers."""

from __future__ import annotations

import logging
import re

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from audit_app import create_app
from audit_app.extensions import db
from audit_app.main import routes as main_routes
from audit_app.security import PUBLIC_ENDPOINTS
from config import ProductionConfig

SECRET_SQL = "SELECT password_hash FROM users WHERE email = 'hidden@test.example'"
INTERNALS = ("Traceback", "sqlalchemy", "SELECT", "OperationalError", "password_hash", 'File "', "hidden@test.example")


@pytest.fixture
def unhandled_errors(app):
    """Let the app turn exceptions into its 500 page, as in production (tests normally re-raise them)."""
    app.config["PROPAGATE_EXCEPTIONS"] = False
    yield
    app.config["PROPAGATE_EXCEPTIONS"] = None


@pytest.fixture
def broken_home_page(monkeypatch):
    """The home page's data function fails with an SQL error that names a query and a column."""

    def fail():
        raise OperationalError(SECRET_SQL, {}, Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr(main_routes.home, "audits_by_stage", fail)


@pytest.fixture
def signed_in(client, factory, login):
    factory.user("coordinator", email="c@test.example")
    login(client, "c@test.example")
    return client


def assert_house_style(html: str, app, heading: str) -> None:
    assert html.count("<h1") == 1 and heading in html
    assert "govuk-template" in html and "/static/dist/css/main.css" in html
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert title.strip() == f"{heading} – {app.config['PARTNERSHIP_NAME']}"


def assert_no_internals(html: str) -> None:
    found = [word for word in INTERNALS if word in html]
    assert not found, f"the error page shows {found}"


def test_v16_5_1_an_unexpected_error_gets_a_generic_page_without_stack_trace_or_sql(
    app, signed_in, broken_home_page, unhandled_errors
):
    response = signed_in.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert_house_style(html, app, "Sorry, there is a problem with the service")
    assert "Try again later" in html
    assert_no_internals(html)


def test_v16_5_4_the_details_of_an_unexpected_error_go_to_the_log(
    signed_in, broken_home_page, unhandled_errors, caplog
):
    with caplog.at_level(logging.ERROR):
        signed_in.get("/")
    assert "Exception on / [GET]" in caplog.text and SECRET_SQL in caplog.text  # for operators, shown to nobody


def test_a_database_error_for_the_log_shows_the_statement_not_the_values_someone_typed(app, signed_in):
    """An unexpected database error goes to the log with its message, which SQLAlchemy would end with the
    statement's parameters: the text an auditor typed. The engine hides them (``hide_parameters``)."""
    typed = "Seen with Jayden Smith at 14 Elm Road"
    with app.app_context(), pytest.raises(DBAPIError) as raised:
        db.session.execute(text("SELECT :typed FROM no_such_table"), {"typed": typed})
    assert "no_such_table" in str(raised.value)  # the operator still learns what failed
    assert typed not in str(raised.value)


def test_v16_5_2_when_the_error_page_itself_fails_a_plain_page_still_says_sorry(
    app, signed_in, broken_home_page, unhandled_errors, monkeypatch, caplog
):
    def template_fails(*_args, **_kwargs):
        raise OperationalError("SELECT * FROM users WHERE id = ?", {}, Exception("database went away"))

    monkeypatch.setattr("audit_app.errors.render_template", template_fails)
    with caplog.at_level(logging.ERROR):
        response = signed_in.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 500 and response.mimetype == "text/html"
    assert '<h1 class="govuk-heading-l">Sorry, there is a problem with the service</h1>' in html
    assert f"<title>Sorry, there is a problem with the service – {app.config['PARTNERSHIP_NAME']}</title>" in html
    assert "/static/dist/css/main.css" in html and "Go to the home page" in html
    assert_no_internals(html)
    assert any("error page could not be drawn" in record.getMessage() for record in caplog.records)


def test_v16_5_1_a_missing_page_gets_the_house_404_page(app, signed_in):
    response = signed_in.get("/audits/999999/no-such-page")
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert_house_style(html, app, "Page not found")
    assert_no_internals(html)


def test_v16_5_1_a_page_the_role_does_not_allow_gets_the_house_403_page(app, client, factory, login):
    factory.user("viewer", email="v@test.example")
    login(client, "v@test.example")
    response = client.get("/audits/")
    html = response.get_data(as_text=True)
    assert response.status_code == 403
    assert_house_style(html, app, "You do not have permission to see this page")
    assert "Ask your administrator" in html


def test_v13_4_4_the_trace_method_is_not_supported(client):
    for url in ("/", "/login", "/health"):
        assert client.open(url, method="TRACE").status_code == 405, url


def test_v13_4_2_production_runs_with_debugging_off(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    monkeypatch.setenv("AUDIT_TRAIL_KEY", "t" * 40)
    monkeypatch.setenv("APP_BASE_URL", "https://audit.partnership.example")

    class Config(ProductionConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'prod.db'}"

    production = create_app(Config)
    assert production.debug is False and production.testing is False
    assert not production.config.get("PROPAGATE_EXCEPTIONS")  # so errors become the generic page


def test_v13_4_5_health_is_public_and_says_only_that_the_database_answers(client):
    assert "main.health" in PUBLIC_ENDPOINTS
    response = client.get("/health")  # nobody signed in
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_v13_4_6_health_shows_no_version_or_internals(client):
    response = client.get("/health")
    body = response.get_data(as_text=True).lower()
    assert not any(word in body for word in ("version", "sqlite", "postgres", "flask", "python", "alembic"))
    assert "Server" not in response.headers or "/" not in response.headers["Server"]


def test_v16_5_2_health_answers_503_when_the_database_does_not(client, monkeypatch, caplog):
    def database_down(*_args, **_kwargs):
        raise OperationalError("SELECT 1", {}, Exception("could not connect to server: Connection refused"))

    monkeypatch.setattr(Session, "execute", database_down)
    with caplog.at_level(logging.WARNING):
        response = client.get("/health")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "database": "unavailable"}
    assert "refused" not in response.get_data(as_text=True)
    assert any("did not answer" in record.getMessage() for record in caplog.records)
