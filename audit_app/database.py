"""Engine settings that make the embedded SQLite database safe for several workers."""

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from audit_app.extensions import db


def configure_engine_events(app: Flask) -> None:
    """Turn on SQLite's foreign keys, WAL journal, durable writes and a busy timeout."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA busy_timeout = 5000")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = FULL")
    cursor.close()


def dialect_name() -> str:
    """'sqlite' or 'postgresql': used by the test that proves which database ran."""
    engine: Engine = db.engine
    return engine.dialect.name
