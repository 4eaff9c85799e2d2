"""What the header shows: the partnership's name and the links a person's roles allow."""

from flask import Flask, current_app, g, request, url_for
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from audit_app.data.settings import get_setting
from audit_app.transactions import discard_changes
from audit_tools.states import Role

# (endpoint, link text, roles that see it)
NAVIGATION = (
    ("returns.index", "My returns", (Role.AUDITOR,)),
    ("moderation.mine", "Moderation", (Role.AUDITOR, Role.QUALITY)),
    ("audits.index", "Audits", (Role.COORDINATOR,)),
    ("tools.index", "Audit tools", (Role.COORDINATOR,)),
    ("themes.index", "Themes", (Role.COORDINATOR, Role.EDITOR, Role.PANEL)),
    ("learning.action_plan", "Action plan", (Role.COORDINATOR, Role.EDITOR, Role.PANEL, Role.VIEWER)),
    (
        "briefings.library",
        "Briefings",
        (Role.COORDINATOR, Role.EDITOR, Role.PANEL, Role.VIEWER, Role.AUDITOR, Role.ADMIN),
    ),
    ("admin.users", "Users", (Role.ADMIN,)),
    ("admin.agencies", "Agencies", (Role.ADMIN, Role.COORDINATOR)),
    ("admin.events", "Audit trail", (Role.ADMIN, Role.COORDINATOR)),
    ("admin.notifications", "Notifications", (Role.ADMIN,)),
)


def init_app(app: Flask) -> None:
    app.context_processor(_navigation_context)


def _navigation_context() -> dict:
    items = []
    if current_user.is_authenticated:
        items = [{"href": url_for("main.index"), "text": "Home", "active": request.endpoint == "main.index"}]
        items += [
            {"href": url_for(endpoint), "text": text, "active": _is_current(endpoint)}
            for endpoint, text, roles in NAVIGATION
            if current_user.has_role(*roles)
        ]
    return {"partnership_name": _partnership_name(), "nav_items": items}


def _is_current(endpoint: str) -> bool:
    """The link for this page's area: its blueprint, or the page itself where one area has several links."""
    here = request.endpoint or ""
    area = endpoint.split(".")[0]
    shared = sum(1 for other, _, _ in NAVIGATION if other.split(".")[0] == area) > 1
    return here == endpoint if shared else here.split(".")[0] == area


def _partnership_name() -> str:
    """Read once per request: GOV.UK widgets re-render templates for every form field."""
    if "partnership_name" not in g:
        try:
            g.partnership_name = get_setting("partnership_name")
        except SQLAlchemyError:  # the header must render even when the database does not answer
            discard_changes()
            g.partnership_name = current_app.config["PARTNERSHIP_NAME"]
    return g.partnership_name
