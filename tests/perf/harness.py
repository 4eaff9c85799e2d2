"""What every benchmark needs besides its data: the app on a fresh database, and one command line.

from tests.perf.harness import benchmark_app, benchmark_main
from tests.perf.synthetic import make_audit
"""

from __future__ import annotations

import argparse
import tempfile

import sqlalchemy as sa
from flask_migrate import upgrade

from audit_app import create_app
from config import TestingConfig


def benchmark_main(run, description: str, runs: int = 5):
    """The command line benchmarks share: ``--database-url`` (PostgreSQL, a database whose name
    contains "bench") or else a new SQLite file, and ``--runs``. Returns what ``run(url, runs)`` returns."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--database-url", help="PostgreSQL URL of a database whose name contains 'bench'")
    parser.add_argument("--runs", type=int, default=runs, help="rounds to take the median of")
    args = parser.parse_args()
    if args.database_url:
        empty_postgres_database(args.database_url)
        return run(args.database_url, args.runs)
    with tempfile.TemporaryDirectory() as folder:
        return run(f"sqlite:///{folder}/bench.db", args.runs)


def benchmark_app(url: str):
    """The app on the database at ``url``, its schema migrated, for a benchmark to fill and time."""

    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = url

    app = create_app(Config)
    with app.app_context():
        upgrade()
    return app


def empty_postgres_database(url: str, must_contain: str = "bench") -> None:
    """Create the PostgreSQL database ``url`` names if needed and give it an empty public schema.
    Refuses any database whose name lacks ``must_contain``, so a real database is never emptied."""
    parsed = sa.engine.make_url(url)
    name = parsed.database or ""
    if must_contain not in name:
        raise SystemExit(f"Refusing to empty {name!r}: its name must contain {must_contain!r}.")
    server = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        if conn.scalar(sa.text("SELECT count(*) FROM pg_database WHERE datname = :n"), {"n": name}) == 0:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    server.dispose()
    database = sa.create_engine(parsed, isolation_level="AUTOCOMMIT")
    with database.connect() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    database.dispose()
