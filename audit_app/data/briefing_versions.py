"""Versions of an audit's learning briefing: drafting, editing, overrides, approval and publication.

Functions flush and never commit. A published version never changes; a later version is a new row.
"""

from __future__ import annotations

import copy
import hashlib
import secrets
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from audit_app.data import notices
from audit_app.data.audits import case_references, mark_published
from audit_app.data.briefing_approval import changed_since_approval, withdraw_approval
from audit_app.data.briefings import briefing_content
from audit_app.data.events import record_event
from audit_app.data.settings import get_setting
from audit_app.extensions import db
from audit_app.models import Audit, Briefing, User, utcnow
from audit_tools.briefing import Finding, check_content, content_to_dict
from audit_tools.errors import WorkbenchError
from audit_tools.states import BRIEFING_MOVES, AuditState, BriefingState, check_move
from audit_tools.text import long_date

# Audit states in which a briefing may be drafted: after analysis starts, and again after publication.
DRAFTING_STATES = (AuditState.ANALYSIS, AuditState.PUBLISHED)
NOT_NOW: dict[str, str] = {
    AuditState.SETUP: "A briefing can be drafted once the audit has moved to analysis.",
    AuditState.CLOSED: "This audit is closed, so no new version of its briefing can be started.",
}


class BriefingError(WorkbenchError):
    """An action on a briefing was refused; the message says why."""


class StaleBriefing(BriefingError):
    """Someone else saved the briefing after this page was opened."""


def get_briefing(briefing_id: int) -> Briefing | None:
    return db.session.get(Briefing, briefing_id)


def audit_briefings(audit: Audit) -> list[Briefing]:
    """Every version of the audit's briefing, newest first."""
    return list(
        db.session.scalars(select(Briefing).where(Briefing.audit_id == audit.id).order_by(Briefing.number.desc()))
    )


def published_briefings() -> list[Briefing]:
    """The library: every published version of every audit's briefing, newest first."""
    return list(
        db.session.scalars(
            select(Briefing)
            .where(Briefing.state == BriefingState.PUBLISHED)
            .options(joinedload(Briefing.audit))
            .order_by(Briefing.published_at.desc(), Briefing.id.desc())
        )
    )


def newest_to_build(audit: Audit) -> Briefing | None:
    """The version the command line builds: the newest published one, else the newest draft."""
    return db.session.scalar(
        select(Briefing)
        .where(Briefing.audit_id == audit.id)
        .order_by((Briefing.state == BriefingState.PUBLISHED).desc(), Briefing.number.desc())
        .limit(1)
    )


def unpublished_version(audit: Audit) -> Briefing | None:
    """The draft (or approved) version being worked on, if any: there is at most one."""
    return db.session.scalar(
        select(Briefing).where(Briefing.audit_id == audit.id, Briefing.state != BriefingState.PUBLISHED)
    )


def disclosure_identifiers(audit: Audit) -> tuple[list[str], list[str]]:
    """What the disclosure check looks for: the audit's case references and the names of everyone known."""
    names = db.session.scalars(select(User.display_name)).all()
    return sorted(case_references(audit)), sorted(set(names))


def disclosure_findings(briefing: Briefing, content: dict | None = None) -> list[Finding]:
    """The disclosure check of the version (or of ``content``, the version as it will be published), with
    the overrides recorded on it."""
    references, names = disclosure_identifiers(briefing.audit)
    return check_content(
        briefing.content if content is None else content,
        case_references=references,
        names=names,
        overrides=briefing.overrides,
    )


def start_draft(audit: Audit, user: User, *, copy_of: Briefing | None = None) -> Briefing:
    """A new draft version: drafted afresh from the audit's data, or a copy of a published version."""
    if audit.state not in DRAFTING_STATES:
        raise BriefingError(NOT_NOW.get(audit.state, NOT_NOW[AuditState.SETUP]))
    working = unpublished_version(audit)
    if working is not None:
        raise BriefingError(
            f"Version {working.number} is still being worked on. Carry on with it, "
            "or publish it, before starting another."
        )
    number = (db.session.scalar(select(func.max(Briefing.number)).where(Briefing.audit_id == audit.id)) or 0) + 1
    content = copy.deepcopy(copy_of.content) if copy_of else content_to_dict(briefing_content(audit))
    content["version"] = f"Version {number} (draft)"
    briefing = Briefing(
        audit_id=audit.id,
        number=number,
        state=BriefingState.DRAFT,
        content=content,
        overrides=[],
        created_by_id=user.id,
    )
    db.session.add(briefing)
    try:
        db.session.flush()
    except IntegrityError:  # someone started the same version a moment ago
        raise BriefingError("Someone else started a new version just now. Reload the page to see it.") from None
    record_event(
        "briefing.created",
        "briefing",
        briefing.id,
        user=user,
        after={"audit_id": audit.id, "number": number, "copy_of": copy_of.number if copy_of else None},
    )
    return briefing


def redrafted_section(briefing: Briefing, fields: tuple[str, ...]) -> dict:
    """The section's content keys drafted afresh from the audit's data and the partnership's settings."""
    fresh = content_to_dict(briefing_content(briefing.audit))
    return {name: fresh[name] for name in fields}


def drafted_charts(audit: Audit) -> list[dict]:
    """The charts the audit's data gives now, to choose from."""
    return content_to_dict(briefing_content(audit))["charts"]


def save_section(
    briefing: Briefing,
    values: dict,
    lock_version: int | None,
    user: User,
    *,
    section: str,
    action: str = "briefing.section_saved",
) -> None:
    """Store new values of some content keys; refused when the version is published or has changed since.

    Saving an approved version withdraws its approval: what was approved is no longer what it says.
    """
    _editable(briefing)
    if lock_version is not None and lock_version != briefing.lock_version:
        raise StaleBriefing("Someone else saved a change to this briefing while you were editing it.")
    before = {name: briefing.content.get(name) for name in values}
    change_version(briefing, user, content={**briefing.content, **values})
    try:
        db.session.flush()
    except StaleDataError:  # saved by someone else between reading the version and writing it
        raise StaleBriefing("Someone else saved a change to this briefing while you were editing it.") from None
    record_event(
        action,
        "briefing",
        briefing.id,
        user=user,
        before={"section": section, **before},
        after={"section": section, **values},
    )


def _editable(briefing: Briefing) -> None:
    if briefing.state == BriefingState.PUBLISHED:
        raise BriefingError(
            f"Version {briefing.number} is published and can never change. Start a new version to make changes."
        )


# ------------------------------------------------------------------ every change goes through one door


def change_version(
    briefing: Briefing, user: User | None, *, content: dict | None = None, overrides: list[dict] | None = None
) -> bool:
    """Change what a version says or lets through: the one place every change to a version passes.

    A change to an approved version withdraws its approval (what was approved is no longer what
    it says): the trail records who withdrew it and the approver is told after the commit.
    Returns whether an approval was withdrawn. ``briefing_approval`` catches any change made
    some other way.
    """
    _editable(briefing)
    was_approved = briefing.state == BriefingState.APPROVED
    if content is not None:
        briefing.content = content
    if overrides is not None:
        briefing.overrides = overrides
    if was_approved:
        withdraw_approval(briefing, user)
    return was_approved


def add_override(briefing: Briefing, hit: dict, reason: str, user: User) -> None:
    """Let one hit (kind, exact text, section) through, with the reason and who decided."""
    override = {
        **{k: hit[k] for k in ("kind", "text", "section")},
        "reason": reason,
        "by": user.id,
        "by_name": user.display_name,
        "at": utcnow().isoformat(timespec="seconds"),
    }
    others = [
        o
        for o in briefing.overrides
        if (o["kind"], o["text"], o["section"]) != (hit["kind"], hit["text"], hit["section"])
    ]
    change_version(briefing, user, overrides=[*others, override])
    db.session.flush()
    record_event("briefing.override", "briefing", briefing.id, user=user, after=override)


def remove_override(briefing: Briefing, key: tuple[str, str, str], user: User) -> bool:
    """No longer let one hit (kind, exact text, section) through; False when it had no override."""
    kept = [o for o in briefing.overrides if (o["kind"], o["text"], o["section"]) != key]
    if len(kept) == len(briefing.overrides):
        _editable(briefing)
        return False
    change_version(briefing, user, overrides=kept)
    db.session.flush()
    record_event(
        "briefing.override_removed", "briefing", briefing.id, user=user, before={"kind": key[0], "section": key[2]}
    )
    return True


def approve(briefing: Briefing, user: User, unresolved: int) -> None:
    """Approve a draft whose disclosure check is clean; the author only if the settings allow it."""
    check_move(
        BRIEFING_MOVES,
        briefing.state,
        BriefingState.APPROVED,
        f"Version {briefing.number} is {briefing.state}, so it cannot be approved.",
        BriefingError,
    )
    if briefing.created_by_id == user.id and not get_setting("author_may_approve"):
        raise BriefingError(
            "You started this version, so someone else must approve it. "
            "An administrator can allow authors to approve their own briefings in the settings."
        )
    if user.id in changed_since_approval(briefing):
        raise BriefingError("You changed this version after it was approved, so someone else must approve your change.")
    if unresolved:
        raise BriefingError(
            f"The disclosure check found {unresolved} possible identifier"
            f"{' that has' if unresolved == 1 else 's that have'} not been resolved. "
            "Edit each one away or record why it may stay, then approve."
        )
    briefing.state, briefing.approved_by_id, briefing.approved_at = BriefingState.APPROVED, user.id, utcnow()
    db.session.flush()
    record_event(
        "briefing.approved",
        "briefing",
        briefing.id,
        user=user,
        before={"state": BriefingState.DRAFT},
        after={"state": BriefingState.APPROVED},
    )
    notices.briefing_approved(briefing)


def content_for_publication(briefing: Briefing, today: date | None = None) -> dict:
    """The content as it will be published: this version's number and today's date."""
    return {**briefing.content, "version": f"Version {briefing.number}", "date": long_date(today or date.today())}


def ensure_publishable(briefing: Briefing, unresolved: int) -> None:
    """Raise BriefingError unless the version is approved and its check still has nothing unresolved."""
    check_move(
        BRIEFING_MOVES,
        briefing.state,
        BriefingState.PUBLISHED,
        f"Version {briefing.number} must be approved before it is published.",
        BriefingError,
    )
    if unresolved:
        raise BriefingError(
            "The disclosure check now finds something new (perhaps a name added to the system "
            "since approval). Resolve it and approve the briefing again."
        )


def publish(
    briefing: Briefing,
    user: User,
    *,
    content: dict,
    pdf: bytes,
    html: str,
    unresolved: int,
    published_at: datetime | None = None,
) -> None:
    """Keep the published PDF (with its SHA-256) and web page for good; the audit moves to published."""
    ensure_publishable(briefing, unresolved)
    briefing.content, briefing.pdf, briefing.html = content, pdf, html
    briefing.sha256 = hashlib.sha256(pdf).hexdigest()
    briefing.state, briefing.published_by_id = BriefingState.PUBLISHED, user.id
    briefing.published_at = published_at or utcnow()  # the date printed in its PDF
    db.session.flush()
    record_event(
        "briefing.published",
        "briefing",
        briefing.id,
        user=user,
        before={"state": BriefingState.APPROVED},
        after={"state": BriefingState.PUBLISHED, "sha256": briefing.sha256},
    )
    mark_published(briefing.audit, user)


def give_public_address(briefing: Briefing, user: User) -> str:
    """The version's public token, made now if it has none; only a published version may have one."""
    if briefing.state != BriefingState.PUBLISHED:
        raise BriefingError("Only a published version can be given a public address.")
    if briefing.public_token is None:
        briefing.public_token = secrets.token_urlsafe(24)  # 32 characters, unguessable
        db.session.flush()
        record_event("briefing.public", "briefing", briefing.id, user=user, after={"public": True})
    return briefing.public_token


def withdraw_public_address(briefing: Briefing, user: User) -> None:
    """Its public address stops working at once (a new one is made if it is given again)."""
    if briefing.public_token is not None:
        briefing.public_token = None
        db.session.flush()
        record_event("briefing.public", "briefing", briefing.id, user=user, after={"public": False})


def public_briefing(token: str) -> Briefing | None:
    """The published version with this public address, or None (never a draft, never a withdrawn address)."""
    if not token or len(token) > 40:
        return None
    return db.session.scalar(
        select(Briefing).where(Briefing.public_token == token, Briefing.state == BriefingState.PUBLISHED)
    )
