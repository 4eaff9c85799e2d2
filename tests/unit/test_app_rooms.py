"""Every room of audit_app is named in the import contracts (pyproject.toml), so a new blueprint or core
module cannot slip past the rules "blueprints are independent" and "nothing below a blueprint imports one".

lint-imports (make lint) checks the rules themselves; this checks that the lists they run over are whole.
"""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "audit_app"
ENTRY_POINTS = {"audit_app", "audit_app.cli"}  # the app factory registers the blueprints; the CLI renders briefings
DATA_LAYER = "audit_app.data"


def _contract(name: str) -> dict:
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["importlinter"]["contracts"]
    return next(c for c in contracts if c["name"] == name)


def _rooms() -> set[str]:
    """Each top-level module and package of audit_app."""
    modules = {f"audit_app.{p.stem}" for p in APP.glob("*.py") if p.stem != "__init__"}
    packages = {f"audit_app.{p.parent.name}" for p in APP.glob("*/__init__.py")}
    return modules | packages | {"audit_app"}


def _blueprints() -> set[str]:
    """The packages that make a Flask Blueprint."""
    return {f"audit_app.{p.parent.name}" for p in APP.glob("*/*.py") if "Blueprint(" in p.read_text("utf-8")}


BLUEPRINTS = "Blueprints are independent: none imports another"
DATA = "The data layer imports no blueprint"
CORE = "Core modules shared by the blueprints import no blueprint"


def test_every_blueprint_is_independent_of_the_others():
    assert set(_contract(BLUEPRINTS)["modules"]) == _blueprints()


def test_the_data_layer_and_the_core_are_forbidden_every_blueprint():
    assert _contract(DATA)["source_modules"] == [DATA_LAYER]
    assert set(_contract(DATA)["forbidden_modules"]) == _blueprints()
    assert set(_contract(CORE)["forbidden_modules"]) == _blueprints()


def test_every_other_room_is_a_core_module():
    core = set(_contract(CORE)["source_modules"])
    assert core == _rooms() - _blueprints() - ENTRY_POINTS - {DATA_LAYER}
