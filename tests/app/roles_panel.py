"""Routes of the panel blueprint and the roles allowed on each (merged into test_access.EXPECTED_ROLES)."""

ROLES: dict = {
    "panel.index": {"coordinator", "panel", "editor"},
    "panel.case": {"coordinator", "panel", "editor"},
    "panel.save": {"coordinator", "panel"},  # editors read the panel's record; they do not make it
}
# GET pages this blueprint adds per role, added to test_access.PAGES_PER_ROLE.
PAGES: dict = {"coordinator": 2, "panel": 2, "editor": 2}
