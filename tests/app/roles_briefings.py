"""Routes of the briefings blueprint and the roles allowed on each (merged into test_access.EXPECTED_ROLES)."""

ROLES: dict = {}
# GET pages this blueprint adds per role, added to test_access.PAGES_PER_ROLE.
PAGES: dict = {}
