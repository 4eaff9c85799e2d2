"""Engine settings that make the embedded SQLite database safe for several workers.

SQLite lets one connection write at a time. Python's driver starts a transaction only at the
first INSERT, UPDATE or DELETE, so reads before that see whatever is committed at that moment
and writers queue on the busy timeout rather than failing with "database is locked". A write
that depends on something read earlier in the same request (the audit trail's last hash, which
the next event is sealed onto) must take the write lock before that read: ``begin_writing``.
"""

import logging
import os

from flask import Flask
from sqlalchemy import Select, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.pool import ConnectionPoolEntry

from audit_app.extensions import db


def configure_engine_events(app: Flask) -> None:
    """Turn on SQLite's foreign keys, WAL journal, durable writes and a busy timeout; keep its file private.
    On PostgreSQL, turn off just-in-time compilation (``_postgres_settings``)."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        if engine.url.database and engine.url.database != ":memory:" and not engine.url.query.get("uri"):
            keep_private(engine.url.database)
        event.listen(engine, "connect", _sqlite_pragmas)
    elif engine.dialect.name == "postgresql":
        event.listen(engine, "connect", _postgres_settings)


PRIVATE = 0o600
SIBLINGS = ("", "-wal", "-shm", "-journal")


def keep_private(path: str) -> None:
    """Make the SQLite database file readable and writable by its owner only, whatever the umask.

    The file holds children's data. SQLite would create it with the umask's permissions (often
    world-readable) and gives its -wal, -shm and -journal files the database file's own
    permissions, so creating the file 0600 before SQLite opens it keeps them all private; an
    existing file left readable by others (or its siblings) is tightened.
    """
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE))
    except FileExistsError:
        pass
    except OSError:
        return  # a missing directory or a read-only place: SQLite itself says so on connecting
    for name in (path + suffix for suffix in SIBLINGS):
        try:
            if os.stat(name).st_mode & 0o077:
                os.chmod(name, PRIVATE)
        except FileNotFoundError:
            continue
        except PermissionError:  # someone else's file: say so, but the service can still run
            logging.getLogger(__name__).warning("%s is readable by others and cannot be made private", name)


def _sqlite_pragmas(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA busy_timeout = 5000")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = FULL")
    cursor.close()


def _postgres_settings(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    """No JIT compilation: a web page's queries run in milliseconds, but PostgreSQL compiles any query whose
    estimated cost passes ``jit_above_cost`` and the estimates of correlated EXISTS filters run high. The coding
    page's excerpt query (22 ms of work) spent 1.9 s being compiled, twice per page (docs/PERFORMANCE.md)."""
    autocommit = dbapi_connection.autocommit
    dbapi_connection.autocommit = True  # a SET outside any transaction: it lasts
    cursor = dbapi_connection.cursor()
    cursor.execute("SET jit = off")
    cursor.close()
    dbapi_connection.autocommit = autocommit


def begin_writing(connection: Connection | None = None) -> None:
    """On SQLite, hold the write lock from now until the transaction ends, so that nothing another
    worker commits can slip in between what this transaction reads next and what it writes.

    The SQLite counterpart of a PostgreSQL advisory lock (there it does nothing). A transaction
    that has already written holds the lock, so it is taken only when none is open.
    """
    connection = connection or db.session.connection()
    dbapi_connection = connection.connection.dbapi_connection
    if connection.dialect.name == "sqlite" and dbapi_connection is not None and not dbapi_connection.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def dialect_name() -> str:
    """'sqlite' or 'postgresql': used by the test that proves which database ran."""
    engine: Engine = db.engine
    return engine.dialect.name


def count_of(statement: Select[int]) -> int:
    """The number a ``select(func.count(...))`` statement counts (always exactly one row)."""
    return db.session.execute(statement).scalar_one()
