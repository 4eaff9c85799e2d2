"""Engine settings that make the embedded SQLite database safe for several workers.

SQLite lets one connection write at a time. Python's driver starts a transaction only at the
first INSERT, UPDATE or DELETE, so reads before that see whatever is committed at that moment
and writers queue on the busy timeout rather than failing with "database is locked". A write
that depends on something read earlier in the same request (the audit trail's last hash, which
the next event is sealed onto) must take the write lock before that read: ``begin_writing``.
"""

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

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


def begin_writing(connection: Connection | None = None) -> None:
    """On SQLite, hold the write lock from now until the transaction ends, so that nothing another
    worker commits can slip in between what this transaction reads next and what it writes.

    The SQLite counterpart of a PostgreSQL advisory lock (there it does nothing). A transaction
    that has already written holds the lock, so it is taken only when none is open.
    """
    connection = connection or db.session.connection()
    if connection.dialect.name == "sqlite" and not connection.connection.dbapi_connection.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def dialect_name() -> str:
    """'sqlite' or 'postgresql': used by the test that proves which database ran."""
    engine: Engine = db.engine
    return engine.dialect.name
