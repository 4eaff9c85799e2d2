"""How the test suite itself is kept: fixtures in conftest files, one source for each vendored asset."""

import ast
import json
import os
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests"


def _imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_no_test_module_imports_another():
    """Shared fixtures live in a conftest.py, shared helpers in a module not named test_*: importing a test
    module for its fixture hides where the fixture comes from and runs that module's set-up twice."""
    found = {
        f"{path.relative_to(ROOT)} imports {name}"
        for path in TESTS.rglob("*.py")
        for name in _imported_modules(path)
        if re.fullmatch(r"tests(\.\w+)*\.test_\w+", name)
    }
    assert found == set()


def test_axe_core_has_one_source_the_version_package_json_pins():
    """The browser tests inject node_modules/axe-core (pinned in package.json): no copy is kept or ignored."""
    conftest = (TESTS / "browser" / "conftest.py").read_text(encoding="utf-8")
    assert 'AXE_PATH = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"' in conftest
    assert re.fullmatch(
        r"\d+\.\d+\.\d+", json.loads((ROOT / "package.json").read_text())["devDependencies"]["axe-core"]
    )
    tracked = subprocess.run(
        ["git", "ls-files", "--", "*axe*.js"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert tracked == []
    assert "axe" not in (ROOT / ".gitignore").read_text(encoding="utf-8")
    assert "axe" not in (ROOT / "build-assets.mjs").read_text(encoding="utf-8")


def test_each_parallel_worker_gets_a_postgresql_database_of_its_own(monkeypatch):
    """Under pytest-xdist every worker empties and rebuilds its database's schema: sharing one would clobber."""
    from tests.conftest import _own_database_per_worker

    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw3")
    monkeypatch.setenv("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test_x")
    _own_database_per_worker()
    _own_database_per_worker()  # once only, however often it is called
    assert os.environ["TEST_DATABASE_URL"] == "postgresql+psycopg://postgres@127.0.0.1:5432/test_x_gw3"
    monkeypatch.setenv("TEST_DATABASE_URL", "sqlite:///x.db")  # SQLite files are in each worker's own folder
    _own_database_per_worker()
    assert os.environ["TEST_DATABASE_URL"] == "sqlite:///x.db"


def test_make_test_runs_the_tests_in_parallel_workers_one_module_to_a_worker():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "PARALLEL = -n $(JOBS) --dist loadgroup" in makefile
    recipe = makefile.split("\ntest: ", 1)[1].split("\n\n", 1)[0]
    assert "$(PY) -m pytest tests/browser tests/unit tests/app -q $(PARALLEL)" in recipe
