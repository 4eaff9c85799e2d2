"""Backups and restores of the whole database, readable by their owner only.

SQLite is copied with its online backup API, which takes a consistent snapshot while the
service runs (a file copy can catch a half-written page or miss the WAL). PostgreSQL uses
``pg_dump --format=custom`` and ``pg_restore``, given the connection through ``PG*``
environment variables so that no password ever appears on a command line.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess  # only pg_dump and pg_restore, from an argument list, never through a shell
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy.engine import URL, Connection

from audit_app.data.trail_check import Checkpoint, make_checkpoint
from audit_app.extensions import db

SQLITE_HEADER = b"SQLite format 3\x00"
PG_DUMP_HEADER = b"PGDMP"
# PostgreSQL URL query options passed on to libpq (any others are not needed by pg_dump).
PG_QUERY_ENV = {"sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT", "connect_timeout": "PGCONNECT_TIMEOUT"}


class BackupError(Exception):
    """A backup or restore was refused or failed; the message says why and what to do."""


@dataclass(frozen=True)
class BackupFile:
    path: str
    size: int
    sha256: str
    checkpoint: str = ""  # the audit trail checkpoint written beside the backup


def backup_to(path: str) -> BackupFile:
    """Write the whole database to a new file at ``path`` (mode 0600); never overwrites a file.

    The audit trail's checkpoint, taken just before, goes beside it (``path.checkpoint``) and to the
    log: kept apart from the database, it shows later whether the newest events were removed.
    """
    url = db.engine.url
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise BackupError(f"Backups of {url.get_backend_name()} databases are not supported.")
    checkpoint = make_checkpoint()  # before the copy: everything it counts is in the backup
    if os.path.lexists(path):
        _create_private(path)  # says that a backup never overwrites a file, before anything is written
    saved = write_checkpoint(checkpoint, path + ".checkpoint")
    try:
        if url.get_backend_name() == "sqlite":
            _sqlite_backup(path)
        else:
            _pg_backup(url, path)
    except BackupError:
        _remove_partial(saved)
        raise
    made = describe(path)
    return BackupFile(made.path, made.size, made.sha256, saved)


def write_checkpoint(checkpoint: Checkpoint, path: str) -> str:
    """Write ``checkpoint`` to a new file only its owner can read, and to the log; returns the path."""
    with os.fdopen(_create_private(path), "w", encoding="utf-8") as out:
        out.write(checkpoint.to_json() + "\n")
    current_app.logger.info("Audit trail checkpoint: %s", checkpoint.to_json())
    return path


def restore_from(path: str) -> str:
    """Replace everything in the database with the backup at ``path``; returns its schema version."""
    url = db.engine.url
    kind = _backup_kind(path)
    if kind != url.get_backend_name():
        raise BackupError(f"{path} is a {kind} backup, but this installation uses {url.get_backend_name()}.")
    db.session.remove()  # no open transaction of ours may hold a lock on what is replaced
    db.engine.dispose()
    if kind == "sqlite":
        _sqlite_restore(path)
    else:
        _pg_restore(url, path)
    db.engine.dispose()  # connections opened before the restore must not be reused
    return schema_version()


def describe(path: str) -> BackupFile:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return BackupFile(path, os.path.getsize(path), digest.hexdigest())


def schema_version() -> str:
    with db.engine.connect() as connection:
        return connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar_one()


def _create_private(path: str) -> int:
    """A new file that only its owner can read, whatever the umask; refuses an existing file."""
    try:
        return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise BackupError(f"{path} already exists. Choose a new file name: a backup never overwrites a file.") from None
    except OSError as error:
        raise BackupError(f"Cannot create {path}: {error.strerror}.") from None


def _backup_kind(path: str) -> str:
    try:
        with open(path, "rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as error:
        raise BackupError(f"Cannot read {path}: {error.strerror}.") from None
    if header.startswith(SQLITE_HEADER):
        return "sqlite"
    if header.startswith(PG_DUMP_HEADER):
        return "postgresql"
    raise BackupError(f"{path} is not a backup made by `flask backup` (neither SQLite nor a pg_dump archive).")


def _remove_partial(path: str) -> None:
    Path(path).unlink(missing_ok=True)


# SQLite ---------------------------------------------------------------------------------------


def _sqlite_of(connection: Connection) -> sqlite3.Connection:
    """The sqlite3 connection under an engine's connection (this app's SQLite driver is the standard library's)."""
    driver = connection.connection.driver_connection
    assert isinstance(driver, sqlite3.Connection)
    return driver


def _sqlite_backup(path: str) -> None:
    os.close(_create_private(path))
    target = sqlite3.connect(path)
    try:
        with db.engine.connect() as connection:
            _sqlite_of(connection).backup(target)
        target.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal beside it
        _check_sqlite(target, path)
    except (sqlite3.Error, BackupError) as error:
        target.close()
        _remove_partial(path)
        raise BackupError(f"The backup failed and {path} was removed: {error}") from None
    target.close()


def _sqlite_restore(path: str) -> None:
    source = sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True)
    try:
        _check_sqlite(source, path)
        with db.engine.connect() as connection:
            source.backup(_sqlite_of(connection))
    except sqlite3.Error as error:
        raise BackupError(f"{path} could not be restored: {error}. The database was not changed.") from None
    finally:
        source.close()


def _check_sqlite(connection: sqlite3.Connection, path: str) -> None:
    """The file must be a sound SQLite database of this application (it has a schema version)."""
    try:
        result = connection.execute("PRAGMA integrity_check").fetchone()[0]
        has_version = connection.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
        ).fetchone()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a readable SQLite database ({error}).") from None
    if result != "ok":
        raise BackupError(f"{path} is damaged: SQLite's integrity check says {result!r}.")
    if not has_version:
        raise BackupError(f"{path} is not a backup of this application's database (it has no schema version).")


# PostgreSQL -----------------------------------------------------------------------------------


def pg_environment(url: URL) -> dict[str, str]:
    """libpq's variables for ``url``: the password travels here, never in an argument."""
    env = {**os.environ, "PGDATABASE": url.database or ""}
    parts = {"PGHOST": url.host, "PGPORT": url.port, "PGUSER": url.username, "PGPASSWORD": url.password}
    env.update({name: str(value) for name, value in parts.items() if value})
    env.update({variable: str(url.query[option]) for option, variable in PG_QUERY_ENV.items() if option in url.query})
    return env


def pg_dump_command() -> list[str]:
    return [_tool("pg_dump"), "--format=custom", "--no-password"]


def pg_restore_command(url: URL, path: str) -> list[str]:
    # One transaction: a restore that fails part-way leaves the database as it was.
    return [
        _tool("pg_restore"),
        "--clean",
        "--if-exists",
        "--no-owner",
        "--single-transaction",
        "--no-password",
        "--dbname",
        url.database or "",
        path,
    ]


def _pg_backup(url: URL, path: str) -> None:
    with os.fdopen(_create_private(path), "wb") as out:
        result = subprocess.run(
            pg_dump_command(), stdout=out, stderr=subprocess.PIPE, env=pg_environment(url), check=False
        )
    if result.returncode != 0:
        _remove_partial(path)
        raise BackupError(f"pg_dump failed and {path} was removed: {_stderr(result)}")


def _pg_restore(url: URL, path: str) -> None:
    env = pg_environment(url)
    # Give up, rather than wait for ever, if a running service still holds a table.
    env["PGOPTIONS"] = (env.get("PGOPTIONS", "") + " -c lock_timeout=30000").strip()
    result = subprocess.run(pg_restore_command(url, path), capture_output=True, env=env, check=False)
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed; the database was not changed: {_stderr(result)}")


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} was not found. Install the PostgreSQL client tools (on Debian: apt-get install postgresql-client)."
        )
    return found


def _stderr(result: subprocess.CompletedProcess) -> str:
    return result.stderr.decode("utf-8", "replace").strip() or f"exit status {result.returncode}"
