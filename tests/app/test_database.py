"""The schema comes only from migrations, and the models agree with it — on every database the suite runs on."""

import os
import warnings
from datetime import UTC, datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from audit_app.database import dialect_name
from audit_app.extensions import db
from audit_app.models import AuditEvent, Case


def test_models_and_migrations_agree(ctx):
    with db.engine.connect() as connection, warnings.catch_warnings():
        # SQLite cannot reflect expression indexes; test_case_references_are_unique_whatever_their_case covers it.
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index")
        warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified expression-based index")
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == [], f"run `flask db migrate`: models and migrations differ: {differences}"


def test_schema_is_at_the_latest_migration(ctx):
    with db.engine.connect() as connection:
        version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    from alembic.script import ScriptDirectory
    from flask import current_app

    script = ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config())
    assert version == script.get_current_head()


def test_runs_on_the_database_it_was_asked_for(ctx):
    """CI sets EXPECT_DATABASE=postgresql for its second run: this fails if that run silently used SQLite."""
    expected = os.environ.get("EXPECT_DATABASE", "sqlite")
    assert dialect_name() == expected


def test_sqlite_is_durable_and_enforces_foreign_keys(ctx):
    if dialect_name() != "sqlite":
        assert dialect_name() == "postgresql"  # PostgreSQL has these guarantees built in
        return
    with db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 5000


def test_postgresql_compiles_no_query_just_in_time(ctx):
    """PostgreSQL's JIT compiler spent 1.9 s compiling the coding page's 22 ms excerpt query (its costs are
    estimated high); the app's queries are short, so its connections turn JIT off (docs/PERFORMANCE.md)."""
    if dialect_name() != "postgresql":
        assert dialect_name() == "sqlite"  # SQLite compiles no query to machine code
        return
    with db.engine.connect() as connection:
        assert connection.execute(text("SHOW jit")).scalar() == "off"
    assert db.session.scalar(text("SHOW jit")) == "off"


def test_case_references_are_unique_whatever_their_case(factory):
    audit = factory.audit(cases=0)
    db.session.add(Case(audit_id=audit.id, reference="NA-1"))
    db.session.commit()
    db.session.add(Case(audit_id=audit.id, reference="na-1"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_times_come_back_in_utc_whatever_the_session_time_zone(ctx):
    if dialect_name() == "postgresql":
        db.session.execute(text("SET TIME ZONE 'Europe/London'"))
    moment = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)
    db.session.add(AuditEvent(action="test", object_type="test", at=moment))
    db.session.commit()
    stored = db.session.scalar(select(AuditEvent.at).where(AuditEvent.action == "test"))
    assert stored == moment and stored.utcoffset() == timedelta(0)
