"""Named states, roles and question types, and one pure transition table per workflow.

Each enumeration is a ``StrEnum``: a member *is* the string stored in the database (and written
in tool files), so ``AuditState.OPEN == "open"`` and nothing stored changes. A workflow is one
enum, one table (state -> the states it may move to) and the one function ``check_move``: a new
workflow adds the three, and the data layer calls ``check_move`` before it changes a state.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import TypeVar, cast

from audit_tools.errors import WorkbenchError


class AuditState(StrEnum):
    """An audit's year: set up, open for returns, with the panel, analysed, briefing published, closed."""

    SETUP = "setup"
    OPEN = "open"
    PANEL = "panel"
    ANALYSIS = "analysis"
    PUBLISHED = "published"
    CLOSED = "closed"


class ReturnState(StrEnum):
    """One agency's return on one case."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"  # sent back to the agency for amendment
    ACCEPTED = "accepted"
    NO_INVOLVEMENT = "no_involvement"  # the agency declared it had nothing to do with the child


class BriefingState(StrEnum):
    """One version of an audit's learning briefing."""

    DRAFT = "draft"
    APPROVED = "approved"
    PUBLISHED = "published"


class NotificationState(StrEnum):
    """One message in the notification ledger: waiting to be sent after its transaction commits, sent,
    kept in the outbox (no MAIL_SERVER), or failed (the SMTP server refused or did not answer)."""

    WAITING = "waiting"
    SENT = "sent"
    KEPT = "kept"
    FAILED = "failed"


class ToolState(StrEnum):
    """One version of an audit tool: a draft changes; a published or retired version never does."""

    DRAFT = "draft"
    PUBLISHED = "published"
    RETIRED = "retired"


class ConcernState(StrEnum):
    """A current safeguarding concern an auditor raised: the coordinator acknowledges it, then closes it."""

    RAISED = "raised"
    ACKNOWLEDGED = "acknowledged"  # the coordinator has seen it and says what they did
    CLOSED = "closed"


class ModerationState(StrEnum):
    """One sampled return's moderation: a moderator named, their blind grading submitted, then reconciled."""

    ASSIGNED = "assigned"  # the moderator grades blind; the first return stays hidden from them
    SUBMITTED = "submitted"  # both gradings are in: the coordinator compares and settles differences
    RECONCILED = "reconciled"


class Role(StrEnum):
    """What a person may do; a person may hold several."""

    ADMIN = "admin"
    COORDINATOR = "coordinator"
    AUDITOR = "auditor"
    PANEL = "panel"
    EDITOR = "editor"
    VIEWER = "viewer"
    # A member of the partnership's quality-assurance group: moderates the returns they are named for, of any
    # agency, and sees nothing else of an agency's work (docs/DECISIONS.md, "Quality-assurance moderators").
    QUALITY = "quality_assurance"


class QuestionType(StrEnum):
    """The kinds of question an audit tool asks (the ``type`` of a question in a tool file)."""

    SCALE = "scale"
    SINGLE = "single"
    MULTIPLE = "multiple"
    GRADE = "grade"
    NUMBER = "number"
    DATE = "date"
    TEXT = "text"
    LONGTEXT = "longtext"


# ------------------------------------------------------------------ one transition table per workflow

# The audit moves on one step at a time; "analysis -> published" happens when a briefing is published.
AUDIT_MOVES: Mapping[AuditState, frozenset[AuditState]] = {
    AuditState.SETUP: frozenset({AuditState.OPEN}),
    AuditState.OPEN: frozenset({AuditState.PANEL}),
    AuditState.PANEL: frozenset({AuditState.ANALYSIS}),
    AuditState.ANALYSIS: frozenset({AuditState.PUBLISHED}),
    AuditState.PUBLISHED: frozenset({AuditState.CLOSED}),
    AuditState.CLOSED: frozenset(),
}

# A return starts as a draft; the coordinator accepts it or sends it back; "no involvement" can be withdrawn.
RETURN_MOVES: Mapping[ReturnState, frozenset[ReturnState]] = {
    ReturnState.DRAFT: frozenset({ReturnState.SUBMITTED, ReturnState.NO_INVOLVEMENT}),
    ReturnState.RETURNED: frozenset({ReturnState.SUBMITTED, ReturnState.NO_INVOLVEMENT}),
    ReturnState.SUBMITTED: frozenset({ReturnState.RETURNED, ReturnState.ACCEPTED}),
    ReturnState.ACCEPTED: frozenset(),
    ReturnState.NO_INVOLVEMENT: frozenset({ReturnState.DRAFT}),
}

# A version is approved, then published; a change to an approved version withdraws the approval.
BRIEFING_MOVES: Mapping[BriefingState, frozenset[BriefingState]] = {
    BriefingState.DRAFT: frozenset({BriefingState.APPROVED}),
    BriefingState.APPROVED: frozenset({BriefingState.PUBLISHED, BriefingState.DRAFT}),
    BriefingState.PUBLISHED: frozenset(),  # a published version never changes: a later one is a new row
}

# A tool version is drafted, published once, and may later be retired; neither can change again.
TOOL_MOVES: Mapping[ToolState, frozenset[ToolState]] = {
    ToolState.DRAFT: frozenset({ToolState.PUBLISHED}),
    ToolState.PUBLISHED: frozenset({ToolState.RETIRED}),
    ToolState.RETIRED: frozenset(),
}


# A concern is acknowledged (with the action taken) before it can be closed; a closed concern stays closed.
CONCERN_MOVES: Mapping[ConcernState, frozenset[ConcernState]] = {
    ConcernState.RAISED: frozenset({ConcernState.ACKNOWLEDGED}),
    ConcernState.ACKNOWLEDGED: frozenset({ConcernState.CLOSED}),
    ConcernState.CLOSED: frozenset(),
}


# A moderator submits once; the coordinator reconciles once. Neither is undone: both originals are kept.
MODERATION_MOVES: Mapping[ModerationState, frozenset[ModerationState]] = {
    ModerationState.ASSIGNED: frozenset({ModerationState.SUBMITTED}),
    ModerationState.SUBMITTED: frozenset({ModerationState.RECONCILED}),
    ModerationState.RECONCILED: frozenset(),
}


class MoveRefused(WorkbenchError):
    """A change of state the workflow's table does not allow."""


# One workflow's state enum: a table, its keys and its targets are all of the same workflow.
S = TypeVar("S", bound=str)


def may_move(table: Mapping[S, frozenset[S]], state: str, target: S) -> bool:
    """Whether the table lets a row in ``state`` move to ``target`` (an unknown state moves nowhere)."""
    # ``state`` is the plain string a row stores; a StrEnum key hashes and compares as that string.
    return target in table.get(cast(S, state), frozenset())


def check_move(
    table: Mapping[S, frozenset[S]],
    state: str,
    target: S,
    message: str | None = None,
    error: type[Exception] = MoveRefused,
) -> None:
    """Raise ``error`` (with ``message``, or a plain one) unless the table allows ``state -> target``.

    The data layer passes its own refusal (``ReturnError``, ``BriefingError``...) so the views that
    catch it are unchanged.
    """
    if not may_move(table, state, target):
        raise error(message or f"Something {state} cannot become {target}.")
