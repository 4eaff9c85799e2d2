"""Routes of the themes blueprint and the roles allowed on each (merged into test_access.EXPECTED_ROLES)."""

from sqlalchemy import select

from audit_app.extensions import db
from audit_app.models import Audit, CodingSample, Theme, User
from audit_tools.states import AuditState

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
            "coding_reliability",
            "draw_coding_sample",
            "name_second_coder",
            "second_coding",
            "reconcile_coding",
        )
    },
}
# GET pages this blueprint adds per role, added to test_access.PAGES_PER_ROLE.
PAGES: dict = {"coordinator": 11, "editor": 11, "panel": 2}


def url_values(revealed: Audit, role: str) -> dict:
    """A theme of the codebook, for the pages that edit or delete one."""
    theme = Theme(slug="drift_and_delay", name="Drift and delay", category="planning", keywords=["drift"])
    db.session.add(theme)
    # coding reliability: the revealed audit's second coding is in (so its coding stays open to everyone);
    # the open audit's is the signed-in person's to do, blind
    person = db.session.scalar(select(User).where(User.email == f"{role}@test.example"))
    opened = db.session.scalar(select(Audit).where(Audit.state == AuditState.OPEN))
    mine = CodingSample(audit_id=opened.id, rate_percent=20, minimum=1, seed=1, pool_size=0, coder_id=person.id)
    done = CodingSample(audit_id=revealed.id, rate_percent=20, minimum=1, seed=1, pool_size=0, state="submitted")
    db.session.add_all([mine, done])
    db.session.commit()
    return {"theme_id": theme.id, "sample_id": mine.id}
