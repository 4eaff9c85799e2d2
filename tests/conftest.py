"""Settings shared by every part of the test suite."""

import os

import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy.engine import make_url


def _own_database_per_worker() -> None:
    """Under pytest-xdist (`-n`), each worker process gets a PostgreSQL database of its own.

    The workers run at the same time and each empties and rebuilds its database's schema, so sharing one
    would make them clobber each other. The worker's id (gw0, gw1 …) is appended to TEST_DATABASE_URL's
    database name before config.py reads it (this module is imported before any test module); the app
    fixture creates the database when it is missing. SQLite needs nothing: its file is in the worker's own
    temporary folder.
    """
    worker, url = os.environ.get("PYTEST_XDIST_WORKER"), os.environ.get("TEST_DATABASE_URL", "")
    if not worker or not url.startswith("postgresql"):
        return
    parsed = make_url(url)
    if parsed.database and not parsed.database.endswith(f"_{worker}"):
        own = parsed.set(database=f"{parsed.database}_{worker}")
        os.environ["TEST_DATABASE_URL"] = own.render_as_string(hide_password=False)


_own_database_per_worker()

# Property tests run on a shared two-core machine (and in CI beside the browser): how long one example
# takes says nothing about correctness there, so neither a deadline nor the "too slow" health checks fail
# a run. Speed is measured by the benchmarks in tests/perf, never asserted in the default run.
settings.register_profile(
    "workbench", deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
settings.load_profile("workbench")


def pytest_collection_modifyitems(config, items) -> None:
    """With pytest-xdist's `--dist loadgroup` (make test), a test module's tests stay on one worker, in order:
    module-scoped fixtures (a browser test module's own demo server) are built once, and a module whose tests
    build on each other's steps still runs them in turn. A module that sets ``SPREAD_OVER_WORKERS = True``
    (the crawls of every page, for axe and for reflow: one long test per role, each independent) has its tests handed
    out one by one, so the long crawls run side by side. Without xdist the mark does nothing."""
    if not config.pluginmanager.hasplugin("xdist"):  # -p no:xdist: the mark would be unknown
        return
    for item in items:
        module = getattr(item, "module", None)
        if module is not None and not getattr(module, "SPREAD_OVER_WORKERS", False):
            item.add_marker(pytest.mark.xdist_group(module.__name__))
