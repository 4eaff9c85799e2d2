"""Fixtures for Flask client tests. The schema is built by the migrations, as in production.

Set TEST_DATABASE_URL to a PostgreSQL URL to run the same tests there; the
database named in it is created if missing and its schema is rebuilt.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
import io
import os
import re
import socket
from decimal import Decimal
from email import message_from_bytes

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from click.testing import Result
from flask.testing import FlaskClient
from flask_migrate import upgrade
from itsdangerous import URLSafeTimedSerializer
from PIL import Image

from audit_app import create_app
from audit_app.data import tools as tool_data
from audit_app.data.tools import definition_of
from audit_app.data.users import create_user
from audit_app.extensions import db
from audit_app.models import Agency, Audit, Case, Return
from audit_tools.tools import DATE, GRADE, LONGTEXT, MULTIPLE, NUMBER, SCALE, SINGLE, TEXT
from config import TestingConfig
from tests.app.panel_cases import make_panel_audit

PASSWORD = "correct horse battery staple"


def _prepare_postgres(url: str) -> None:
    """Create the test database if needed and give it an empty public schema."""
    parsed = sa.engine.make_url(url)
    if "test" not in (parsed.database or ""):
        raise RuntimeError(f"Refusing to empty {parsed.database!r}: a test database's name must contain 'test'.")
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": parsed.database})
        if not exists:
            conn.execute(sa.text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()
    engine = sa.create_engine(parsed, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    url = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    if url.startswith("postgresql"):
        _prepare_postgres(url)

    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = url

    app = create_app(Config)
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_database(app):
    """Each test starts with empty tables (faster than rebuilding the schema)."""
    yield
    with app.app_context():
        db.session.rollback()
        with trail_writable():
            for table in reversed(db.metadata.sorted_tables):
                db.session.execute(table.delete())
        db.session.commit()
        tool_data._parsed_frozen.cache_clear()


@contextlib.contextmanager
def trail_writable():
    """Lift the audit trail's append-only triggers for the length of the block (tests only)."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
        yield
        db.session.execute(sa.text("ALTER TABLE audit_events ENABLE TRIGGER USER"))
        return
    triggers = db.session.execute(
        sa.text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_events'")
    ).all()
    for name, _ in triggers:
        db.session.execute(sa.text(f'DROP TRIGGER "{name}"'))
    yield
    for _, sql in triggers:
        db.session.execute(sa.text(sql))


DEMO_PASSWORD = "demo password for tests"
# Each worker's first `flask demo` of a day, per password: the command's result and a copy of every row it wrote.
_demo_copies: dict[tuple[str, datetime.date], tuple[Result, list[tuple[sa.Table, list[dict]]]]] = {}


def load_demo(runner, password: str = DEMO_PASSWORD) -> Result:
    """`flask demo --password …` into the (empty) test database; its result, whose output names the accounts.

    The first load in a worker process runs the command; later ones put back a copy of the rows it wrote,
    ids and all (a load takes two seconds, the copy a tenth, and some 140 tests load the demo). A new day
    runs the command again, since the demo's due dates count from the day it loads. Tests of the command
    itself (loading twice, refusing production) run it with ``runner.invoke``."""
    key = (password, datetime.date.today())
    with runner.app.app_context():
        if key not in _demo_copies:
            result = runner.invoke(args=["demo", "--password", password])
            assert result.exit_code == 0, result.output
            rows = [
                (t, [dict(r._mapping) for r in db.session.execute(t.select().order_by(*t.primary_key))])
                for t in db.metadata.sorted_tables
            ]
            _demo_copies[key] = (result, rows)
            return result
        result, rows = _demo_copies[key]
        for table, table_rows in rows:
            if table_rows:
                db.session.execute(table.insert(), table_rows)
        if db.engine.dialect.name == "postgresql":  # the copied ids were not drawn from the sequences
            for table, table_rows in rows:
                if table_rows and "id" in table.c:
                    db.session.execute(
                        sa.select(
                            sa.func.setval(
                                sa.func.pg_get_serial_sequence(table.name, "id"), max(row["id"] for row in table_rows)
                            )
                        )
                    )
        db.session.commit()
    return result


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


class IsolatedClient(FlaskClient):
    """Runs each request in an empty context, as production does.

    Without this, a request reuses the test's app context and so its database
    session: a view that forgot to commit would still look saved to the test.
    """

    def open(self, *args, **kwargs):
        context = contextvars.Context()
        response = context.run(super().open, *args, **kwargs)
        if response.is_streamed:  # a streamed body is written as it is read: in the request's context too
            response.response = _ReadIn(context, response.response)
        return response


class _ReadIn:
    """A streamed response's body, each piece (and the closing) run in the context of its request."""

    def __init__(self, context: contextvars.Context, body) -> None:
        self.context, self.body, self.pieces = context, body, iter(body)

    def __iter__(self):
        return self

    def __next__(self):
        return self.context.run(next, self.pieces)

    def close(self) -> None:
        close, self.body = getattr(self.body, "close", None), None  # once only
        if close:
            self.context.run(close)

    __del__ = close  # a body the test never read is closed in its context too


@pytest.fixture
def client(app):
    app.test_client_class = IsolatedClient
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def csrf_token(client, url: str = "/") -> str:
    """The session's CSRF token, read from a page that has a form."""
    html = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def _login(client, email: str, password: str = PASSWORD):
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"email": email, "password": password, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


def session_csrf_token(client) -> str:
    """The CSRF token any page of this session carries: Flask-WTF signs the raw token kept in the session, so
    it is signed here the same way rather than read from a page (a full page view before every POST was a
    third of the hostile-string tests' time). A session that has no raw token yet reads one from a page."""
    with client.session_transaction() as session:
        raw = session.get("csrf_token")
    if raw is None:
        return csrf_token(client)
    app = client.application
    signer = URLSafeTimedSerializer(app.config.get("WTF_CSRF_SECRET_KEY") or app.secret_key, salt="wtf-csrf-token")
    return signer.dumps(raw)


def take_flashes(client) -> list[tuple[str, str]]:
    """The messages waiting to be shown on the session's next page, taken as that page would take them.

    A loop that posts hundreds of times without following the redirects would otherwise carry every
    message along in the session, each request reading and writing the growing list."""
    with client.session_transaction() as session:
        return session.pop("_flashes", [])


def _post(client, url: str, data: dict | None = None, **kwargs):
    """POST with the session's CSRF token, as a browser would."""
    return client.post(url, data={**(data or {}), "csrf_token": session_csrf_token(client)}, **kwargs)


@pytest.fixture
def csrf():
    """``csrf(client, url)`` reads the session's CSRF token from a page."""
    return csrf_token


@pytest.fixture
def login():
    """``login(client, email)`` signs a test client in through the real sign-in form."""
    return _login


@pytest.fixture
def post():
    """``post(client, url, data)`` sends a form with the session's CSRF token."""
    return _post


@pytest.fixture
def factory(ctx):
    return Factory()


class Factory:
    """Builds rows for tests; every name and reference is fictional."""

    password = PASSWORD

    def agency(self, short_name: str = "CSC", name: str | None = None) -> Agency:
        agency = db.session.scalar(sa.select(Agency).where(Agency.short_name == short_name))
        if agency is None:
            agency = Agency(short_name=short_name, name=name or f"{short_name} service", sector="local authority")
            db.session.add(agency)
            db.session.flush()
        return agency

    def user(self, *roles: str, agency: Agency | None = None, email: str | None = None):
        email = email or f"{'-'.join(roles)}-{agency.short_name if agency else 'x'}@test.example".lower()
        user = create_user(email, f"Test {' '.join(roles)}", PASSWORD, list(roles), agency)
        db.session.commit()
        return user

    def audit(self, state: str = "open", cases: int = 2, agencies: tuple[str, ...] = ("CSC", "EH")) -> Audit:
        version = tool_data.ensure_builtin_tool()
        agency_rows = [self.agency(a) for a in agencies]
        audit = Audit(title=f"Test audit {state}", topic="Neglect", year=2026, state=state, tool_version=version)
        db.session.add(audit)
        for n in range(cases):
            case = Case(
                audit=audit,
                reference=f"T-{n + 1:02d}",
                age_years=Decimal(2 + n),
                age_band="3-5",
                locality="Northfield",
                plan_type="Child protection plan – neglect",
            )
            case.returns = [Return(agency=a) for a in agency_rows]
            db.session.add(case)
        db.session.commit()
        return audit

    def return_for(self, audit: Audit, agency_short: str, reference: str = "T-01") -> Return:
        return db.session.scalar(
            sa.select(Return)
            .join(Case)
            .join(Agency)
            .where(Case.audit_id == audit.id, Case.reference == reference, Agency.short_name == agency_short)
        )


# ---------------------------------------------------------------- shared by several test modules


@pytest.fixture
def setup(client, factory, login):
    """An auditor of CSC, signed in, with a return to fill in: (audit, return, the audit's tool)."""
    factory.user("auditor", agency=factory.agency("CSC"), email="csc@test.example")
    audit = factory.audit()
    ret = factory.return_for(audit, "CSC")
    login(client, "csc@test.example")
    return audit, ret, definition_of(audit.tool_version)


def complete_answers(definition) -> dict:
    """Form data answering every question, as a browser would send it."""
    data = {}
    for q in definition.questions:
        name = f"q_{q.key}"
        if q.type in (SCALE, SINGLE, GRADE):
            data[name] = q.options[0].value
        elif q.type == MULTIPLE:
            data[name] = [q.options[0].value]
        elif q.type == NUMBER:
            data[name] = "3"
        elif q.type == DATE:
            data[name] = ["27", "3", "2026"]
        elif q.type in (TEXT, LONGTEXT):
            data[name] = "Seen in the records."
    return data


@pytest.fixture
def panel_audit(factory):
    """An audit at the panel stage (tests/app/panel_cases.py says what each case holds)."""
    return make_panel_audit(factory)


@pytest.fixture
def as_panel(client, factory, login):
    factory.user("panel", email="panel@test.example")
    login(client, "panel@test.example")
    return client


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp(app):
    """A real SMTP server the app sends its e-mail to; its messages are in the inbox yielded."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_USE_TLS=False)
    yield inbox
    controller.stop()
    app.config.update(MAIL_SERVER=None)


def _separate_database_url(tmp_path) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path / 'migrate.db'}"
    parsed = sa.engine.make_url(url)
    name = f"{parsed.database}_migrate"
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


@pytest.fixture
def migrating_app(tmp_path):
    """An app on a database of its own, empty, for running the migrations up and down."""

    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = _separate_database_url(tmp_path)

    app = create_app(Config)
    yield app
    with app.app_context():
        db.engine.dispose()


def image_bytes(fmt: str, size=(40, 20), **save) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "#d4351c").save(buffer, format=fmt, **save)
    return buffer.getvalue()
