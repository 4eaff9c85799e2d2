"""Routes of the themes blueprint and the roles allowed on each (merged into test_access.EXPECTED_ROLES)."""

from audit_app.extensions import db
from audit_app.models import Audit, Theme

_EDITORS = {"coordinator", "editor"}
_READERS = {"coordinator", "editor", "panel"}

ROLES: dict = {
    "themes.index": _READERS,
    "themes.counts": _READERS,
    **{
        f"themes.{name}": _EDITORS
        for name in (
            "new",
            "edit",
            "delete",
            "export",
            "import_file",
            "import_confirm",
            "coding",
            "suggest",
            "decide",
            "add_coding",
        )
    },
}
# GET pages this blueprint adds per role, added to test_access.PAGES_PER_ROLE.
PAGES: dict = {"coordinator": 8, "editor": 8, "panel": 2}


def url_values(revealed: Audit, role: str) -> dict:
    """A theme of the codebook, for the pages that edit or delete one."""
    theme = Theme(slug="drift_and_delay", name="Drift and delay", category="planning", keywords=["drift"])
    db.session.add(theme)
    db.session.commit()
    return {"theme_id": theme.id}
