"""Routes of the briefings blueprint and the roles allowed on each (merged into test_access.EXPECTED_ROLES)."""

import io

from flask import current_app
from PIL import Image

from audit_app.briefings.rendering import standalone_html
from audit_app.extensions import db
from audit_app.models import Audit, Briefing, Logo
from audit_tools.briefing import BriefingContent, Chart, content_from_dict, content_to_dict

BUSINESS_UNIT = {"coordinator", "editor"}
EVERYONE = {"admin", "coordinator", "auditor", "panel", "editor", "viewer", "quality_assurance"}
SETTINGS = {"coordinator", "editor", "admin"}

ROLES: dict = {
    **{
        f"briefings.{name}": BUSINESS_UNIT
        for name in (
            "composer",
            "start_draft",
            "new_version",
            "edit_section",
            "refresh_section",
            "check",
            "remove_override",
            "approve",
            "publish",
            "make_public",
        )
    },
    **{f"briefings.{name}": EVERYONE for name in ("library", "page", "pdf", "html_file", "chart", "logo")},
    **{f"briefings.{name}": SETTINGS for name in ("settings", "upload_logo", "remove_logo", "resources")},
}
# GET pages this blueprint adds per role, added to test_access.PAGES_PER_ROLE.
PAGES: dict = {
    "coordinator": 14,
    "editor": 14,
    "admin": 9,
    "auditor": 6,
    "panel": 6,
    "viewer": 6,
    "quality_assurance": 6,
}


def url_values(revealed: Audit, role: str) -> dict:
    """Real values for this blueprint's other URL parameters, and a logo to serve. The business unit gets a
    draft of the revealed audit's briefing (drafts are theirs to edit and check); everyone else a published
    version, the only kind they may read."""
    image = io.BytesIO()
    Image.new("RGB", (4, 2), "#1d70b8").save(image, format="PNG")
    db.session.add(Logo(mimetype="image/png", data=image.getvalue(), sha256="0" * 64, width=4, height=2))
    content = content_to_dict(
        BriefingContent(
            partnership_name=current_app.config["PARTNERSHIP_NAME"],
            series_title="Eyes On",
            topic="Neglect",
            date="1 May 2026",
            version="Version 1",
            definition="Neglect is…",
            summary=("Six cases.",),
            charts=(Chart("Overall judgement of practice", ("Good", "Inadequate"), (2, 1)),),
        )
    )
    state = "draft" if role in BUSINESS_UNIT else "published"
    published = state == "published"
    briefing = Briefing(
        audit_id=revealed.id,
        number=1,
        state=state,
        content=content,
        overrides=[],
        pdf=b"%PDF-1.4 test" if published else None,
        html=standalone_html(content_from_dict(content)) if published else None,
    )
    db.session.add(briefing)
    db.session.commit()
    return {"briefing_id": briefing.id, "section": "findings", "position": 1}


# ---------------------------------------------------------------- helpers for the briefing tests


def draft_for(factory, author_email: str = "author@test.example", state: str = "analysis", cases: int = 2):
    """An audit in ``state`` with version 1 of its briefing drafted by a new editor; returns (audit, briefing)."""
    from audit_app.data import briefing_versions

    author = factory.user("editor", email=author_email)
    audit = factory.audit(state=state, cases=cases)
    briefing = briefing_versions.start_draft(audit, author)
    db.session.commit()
    return audit, briefing


def reload(briefing) -> Briefing:
    db.session.expire_all()
    return db.session.get(Briefing, briefing.id)


def signed_in(app, login, email: str):
    """A new client (its own cookies, each request in its own context, as in production) signed in as ``email``."""
    from tests.app.conftest import IsolatedClient

    client = IsolatedClient(app, app.response_class, use_cookies=True)
    login(client, email)
    return client
