"""Partnership settings kept in the database, with defaults from the config."""

from __future__ import annotations

from typing import Any

from flask import current_app

from audit_app.extensions import db
from audit_app.models import Setting
from audit_tools.analysis import DEFAULT_THRESHOLD

DEFAULTS: dict[str, Any] = {
    "series_title": "Eyes On",
    "accent_colour": "#1d70b8",
    "definition": "",
    "resources": [],
    "suppression_threshold": DEFAULT_THRESHOLD,  # counts from 1 to this are shown as "fewer than 6" in briefings
    "reminder_escalate_after_days": 14,  # `flask notify run` tells the agency's lead once a return is this late
    "escalation_route": (
        "If you think a child may be at risk of harm now, do not wait for the audit. Follow your "
        "own agency's safeguarding procedure today: speak to your designated safeguarding lead "
        "and contact children's social care's front door. Record what you did in the child's "
        "file, not in this return."
    ),
}


def get_setting(key: str) -> Any:
    row = db.session.get(Setting, key)
    if row is not None:
        return row.value
    if key == "partnership_name":
        return current_app.config["PARTNERSHIP_NAME"]
    return DEFAULTS.get(key)


def set_setting(key: str, value: Any) -> None:
    row = db.session.get(Setting, key)
    if row is None:
        db.session.add(Setting(key=key, value=value))
    else:
        row.value = value
    db.session.flush()
