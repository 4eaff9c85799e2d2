"""Reference data every installation needs: the agency list and the built-in audit tools."""

import json
from importlib import resources

from audit_app.data.tools import ensure_builtin_tools, list_tools
from audit_app.data.users import ensure_agencies


def seed_reference_data() -> tuple[int, int]:
    """Add what is missing; returns (agencies added, tools added). Running it again changes nothing."""
    agencies = json.loads(resources.files("audit_tools.data").joinpath("agencies.json").read_text("utf-8"))
    tools_before = len(list_tools())
    added_agencies = ensure_agencies(agencies)
    ensure_builtin_tools()
    return added_agencies, len(list_tools()) - tools_before
