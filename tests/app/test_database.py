"""The schema comes only from migrations, and the models agree with it — on every database the suite runs on."""

import os

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from audit_app.database import dialect_name
from audit_app.extensions import db


def test_models_and_migrations_agree(ctx):
    with db.engine.connect() as connection:
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
