"""Audit tools and their versions. A published version's definition never changes.

Drafts are edited through ``save_draft``, which validates the whole definition
first. Publishing freezes a version; a guard on the session refuses any later
change to a frozen definition, whichever code path attempts it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import lru_cache

from sqlalchemy import event, func, inspect, select
from sqlalchemy.orm import Session, UOWTransaction, selectinload

from audit_app.data.events import record_event
from audit_app.database import count_of
from audit_app.extensions import db
from audit_app.models import Audit, Tool, ToolVersion, User
from audit_tools.errors import WorkbenchError
from audit_tools.states import TOOL_MOVES, ToolState, check_move
from audit_tools.tools import BUILTIN_TOOLS, ToolDefinition, export_definition, load_builtin, parse_definition

FROZEN_STATES = (ToolState.PUBLISHED, ToolState.RETIRED)


class ToolError(WorkbenchError):
    """A change to a tool was refused; the message says why."""


class FrozenVersionError(ToolError):
    """Something tried to change a published (or retired) version's definition."""


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_frozen_versions(session: Session, _context: UOWTransaction, _instances: object) -> None:
    """Refuse any change to a frozen version's definition, judging by the status the database holds."""
    for version in (o for o in session.dirty if isinstance(o, ToolVersion)):
        if not inspect(version).attrs.definition.history.has_changes():
            continue
        with session.no_autoflush:
            stored = session.execute(select(ToolVersion.status).where(ToolVersion.id == version.id)).scalar()
        if stored in FROZEN_STATES:
            raise FrozenVersionError(f"Version {version.version} is {stored} and can never change.")


def ensure_builtin_tools() -> list[ToolVersion]:
    """Each built-in tool with a published first version, created when missing."""
    return [_ensure_builtin(name) for name in BUILTIN_TOOLS]


def ensure_builtin_tool() -> ToolVersion:
    """The built-in multi-agency neglect tool's first published version."""
    return _ensure_builtin(BUILTIN_TOOLS[0])


def _ensure_builtin(name: str) -> ToolVersion:
    raw, definition = load_builtin(name)
    tool = tool_by_slug(definition.slug)
    if tool is None:
        tool = Tool(slug=definition.slug, name=definition.name)
        db.session.add(tool)
    if not tool.versions:
        db.session.add(
            ToolVersion(
                tool=tool,
                version=1,
                status=ToolState.PUBLISHED,
                definition=raw,
                published_at=datetime.now(UTC),
            )
        )
        db.session.flush()
    return tool.versions[0]


def tool_by_slug(slug: str) -> Tool | None:
    return db.session.scalar(select(Tool).where(Tool.slug == slug))


def list_tools() -> list[Tool]:
    """Every tool with its versions loaded (two queries, however many tools)."""
    return list(db.session.scalars(select(Tool).options(selectinload(Tool.versions)).order_by(Tool.name)))


def get_version(tool_id: int, number: int) -> ToolVersion | None:
    return db.session.scalar(select(ToolVersion).where(ToolVersion.tool_id == tool_id, ToolVersion.version == number))


def published_versions() -> list[ToolVersion]:
    query = (
        select(ToolVersion)
        .join(Tool)
        .where(ToolVersion.status == ToolState.PUBLISHED)
        .order_by(Tool.name, ToolVersion.version)
    )
    return list(db.session.scalars(query))


def audits_using(version: ToolVersion) -> int:
    return count_of(select(func.count(Audit.id)).where(Audit.tool_version_id == version.id))


def definition_of(version: ToolVersion) -> ToolDefinition:
    """The parsed definition; frozen versions never change, so they are parsed once."""
    if version.status not in FROZEN_STATES:
        return parse_definition(version.definition)
    return _parsed_frozen(version.id)


@lru_cache(maxsize=64)
def _parsed_frozen(version_id: int) -> ToolDefinition:
    return parse_definition(db.session.get_one(ToolVersion, version_id).definition)


def create_tool(raw: dict, user: User | None) -> ToolVersion:
    """A new tool whose first version is a draft of ``raw`` (validated; slug must be new)."""
    definition = parse_definition(raw)
    if tool_by_slug(definition.slug):
        raise ToolError(f"A tool with the short name {definition.slug} already exists. Choose another.")
    tool = Tool(slug=definition.slug, name=definition.name)
    version = ToolVersion(tool=tool, version=1, status=ToolState.DRAFT, definition=export_definition(definition))
    db.session.add_all([tool, version])
    db.session.flush()
    record_event("tool.created", "tool_version", version.id, user=user, after={"slug": tool.slug})
    return version


def import_tool(raw: dict, user: User | None) -> ToolVersion:
    """An imported file becomes a new tool, or a new draft version of the tool with its slug."""
    definition = parse_definition(raw)
    tool = tool_by_slug(definition.slug)
    if tool is None:
        return create_tool(raw, user)
    return _new_version(tool, export_definition(definition), user)


def new_draft_version(tool: Tool, user: User) -> ToolVersion:
    """A draft copy of the latest version, for editing; the copied version stays as it was."""
    return _new_version(tool, tool.versions[-1].definition, user)


def _new_version(tool: Tool, raw: dict, user: User | None) -> ToolVersion:
    draft = next((v for v in tool.versions if v.status == ToolState.DRAFT), None)
    if draft is not None:
        raise ToolError(f"Version {draft.version} of {tool.name} is already a draft: edit or publish it first.")
    version = ToolVersion(tool=tool, version=tool.versions[-1].version + 1, status=ToolState.DRAFT, definition=raw)
    db.session.add(version)
    db.session.flush()
    record_event("tool.version_created", "tool_version", version.id, user=user, after={"version": version.version})
    return version


def save_draft(version: ToolVersion, raw: dict, user: User) -> ToolDefinition:
    """Store a changed draft after validating all of it; raises DefinitionError and stores nothing if invalid."""
    if version.status != ToolState.DRAFT:
        raise FrozenVersionError(f"Version {version.version} is {version.status} and can never change.")
    definition = parse_definition(raw)
    if definition.slug != version.tool.slug:
        raise ToolError("The short name (slug) of a tool cannot change between versions.")
    before = version.definition
    version.definition = export_definition(definition)
    version.tool.name = definition.name
    db.session.flush()
    record_event("tool.draft_saved", "tool_version", version.id, user=user, **_draft_change(before, version.definition))
    return definition


def _draft_change(before: dict | None, after: dict) -> dict[str, dict]:
    """What the trail keeps of a saved draft: how many questions, which ones changed, and a digest of each
    whole definition (the trail reduces that text to its digest and length), never every label."""

    def questions(definition: dict | None) -> dict[str, dict]:
        return {q["key"]: q for s in (definition or {}).get("sections", []) for q in s.get("questions", [])}

    def whole(definition: dict | None) -> str:
        return json.dumps(definition, sort_keys=True, ensure_ascii=False)

    old, new = questions(before), questions(after)
    changed = sorted(key for key in old.keys() | new.keys() if old.get(key) != new.get(key))
    return {
        "before": {"questions": len(old), "definition": whole(before)},
        "after": {"questions": len(new), "changed": changed, "definition": whole(after)},
    }


def publish(version: ToolVersion, user: User) -> None:
    check_move(
        TOOL_MOVES,
        version.status,
        ToolState.PUBLISHED,
        f"Only a draft can be published; version {version.version} is {version.status}.",
        ToolError,
    )
    parse_definition(version.definition)
    version.status, version.published_at = ToolState.PUBLISHED, datetime.now(UTC)
    db.session.flush()
    record_event("tool.published", "tool_version", version.id, user=user, after={"version": version.version})


def retire(version: ToolVersion, user: User) -> None:
    """Retired versions stay readable (audits pinned to them keep working) but are not offered for new audits."""
    check_move(
        TOOL_MOVES,
        version.status,
        ToolState.RETIRED,
        f"Only a published version can be retired; version {version.version} is {version.status}.",
        ToolError,
    )
    version.status = ToolState.RETIRED
    db.session.flush()
    record_event("tool.retired", "tool_version", version.id, user=user, after={"version": version.version})
