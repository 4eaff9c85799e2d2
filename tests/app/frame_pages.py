"""Helpers for the tests of the frame mapping step: what a coordinator who changes nothing sends, what a
page shows as problems, and everything the database holds as text."""

from __future__ import annotations

import re

import sqlalchemy as sa

from audit_app.extensions import db


def form_defaults(html: str) -> dict[str, str]:
    """The values the mapping form shows chosen: what a coordinator who changes nothing sends."""
    values = {}
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', body) or re.search(r'<option value="([^"]*)"', body)
        values[name] = chosen.group(1) if chosen else ""
    return values


def shown_problems(html: str) -> str:
    """The problems and error messages a page shows (for a failing test's message)."""
    return "\n".join(re.findall(r'<li>(.*?)</li>|govuk-error-message">(.*?)</p>', html, re.S).__str__().split("), ("))


def everything_stored() -> str:
    """Every value of every table, as text."""
    text = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(sa.select(table)):
            text.append(" ".join(str(value) for value in row))
    return "\n".join(text)
