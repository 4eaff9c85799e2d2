"""What the header shows: the partnership's name and the links a person's roles allow."""

from flask import Flask, request, url_for
from flask_login import current_user

from audit_app.data.settings import get_setting

# (endpoint, link text, roles that see it)
NAVIGATION = (
    ("returns.index", "My returns", ("auditor",)),
    ("audits.index", "Audits", ("coordinator",)),
    ("tools.index", "Audit tools", ("coordinator",)),
    ("admin.users", "Users", ("admin",)),
    ("admin.agencies", "Agencies", ("admin", "coordinator")),
)


def init_app(app: Flask) -> None:
    app.context_processor(_navigation_context)


def _navigation_context() -> dict:
    items = []
    if current_user.is_authenticated:
        items = [{"href": url_for("main.index"), "text": "Home", "active": request.endpoint == "main.index"}]
        items += [
            {"href": url_for(endpoint), "text": text,
             "active": (request.endpoint or "").split(".")[0] == endpoint.split(".")[0]}
            for endpoint, text, roles in NAVIGATION if current_user.has_role(*roles)
        ]
    return {"partnership_name": get_setting("partnership_name"), "nav_items": items}
