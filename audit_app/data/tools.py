"""Audit tools and their versions. A published version's definition never changes."""

from __future__ import annotations

from datetime import datetime, timezone
from functools import lru_cache

from sqlalchemy import select

from audit_app.extensions import db
from audit_app.models import Tool, ToolVersion
from audit_tools.definition import ToolDefinition, load_builtin, parse_definition


def ensure_builtin_tool() -> ToolVersion:
    """The built-in neglect tool's first published version, created when missing."""
    raw, definition = load_builtin()
    tool = db.session.scalar(select(Tool).where(Tool.slug == definition.slug))
    if tool is None:
        tool = Tool(slug=definition.slug, name=definition.name)
        db.session.add(tool)
    if not tool.versions:
        version = ToolVersion(tool=tool, version=1, status="published", definition=raw,
                              published_at=datetime.now(timezone.utc))
        db.session.add(version)
        db.session.flush()
    return tool.versions[0]


def published_versions() -> list[ToolVersion]:
    query = select(ToolVersion).join(Tool).where(ToolVersion.status == "published").order_by(Tool.name, ToolVersion.version)
    return list(db.session.scalars(query))


def definition_of(version: ToolVersion) -> ToolDefinition:
    """The parsed definition; published versions are immutable, so they are parsed once."""
    if version.status == "draft":
        return parse_definition(version.definition)
    return _parsed_published(version.id, version.version)


@lru_cache(maxsize=64)
def _parsed_published(version_id: int, _version_number: int) -> ToolDefinition:
    row = db.session.get(ToolVersion, version_id)
    return parse_definition(row.definition)
