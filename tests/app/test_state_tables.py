"""The data layer's state sets agree with the transition tables, and the stored values are the enums' values."""

from __future__ import annotations

from sqlalchemy import CheckConstraint

from audit_app import models
from audit_app.data import audits, returns
from audit_tools.states import (
    AUDIT_MOVES,
    RETURN_MOVES,
    AuditState,
    BriefingState,
    ReturnState,
    Role,
    ToolState,
    may_move,
)


def test_moving_an_audit_on_follows_the_table():
    assert all(may_move(AUDIT_MOVES, state, target) for state, target in audits.NEXT_STATE.items())
    # the one move not made by "move on" is made by publishing a briefing
    assert {(s, t) for s, ts in AUDIT_MOVES.items() for t in ts} - set(audits.NEXT_STATE.items()) == {
        (AuditState.ANALYSIS, AuditState.PUBLISHED)
    }


def test_a_return_is_editable_exactly_in_the_states_that_may_be_submitted():
    assert set(returns.EDITABLE_STATES) == {s for s in ReturnState if may_move(RETURN_MOVES, s, ReturnState.SUBMITTED)}
    assert set(audits.DONE_STATES) == set(ReturnState) - set(returns.EDITABLE_STATES)


def test_the_stored_values_and_check_constraints_are_unchanged():
    assert models.ROLES == ("admin", "coordinator", "auditor", "panel", "editor", "viewer", "quality_assurance")
    assert models.AUDIT_STATES == ("setup", "open", "panel", "analysis", "published", "closed")
    assert models.RETURN_STATES == ("draft", "submitted", "returned", "accepted", "no_involvement")
    assert models.TOOL_STATES == ("draft", "published", "retired")
    assert models.BRIEFING_STATES == ("draft", "approved", "published")
    assert all(type(v) is str for v in models.ROLES + models.AUDIT_STATES + models.RETURN_STATES)
    checks = {
        c.name: str(c.sqltext)
        for table in models.db.metadata.tables.values()
        for c in table.constraints
        if isinstance(c, CheckConstraint)
    }
    assert checks["ck_returns_known_state"] == (
        "state IN ('draft', 'submitted', 'returned', 'accepted', 'no_involvement')"
    )
    assert checks["ck_returns_counted_follows_state"] == "counted = (state IN ('submitted', 'accepted'))"
    assert checks["ck_audits_known_state"] == ("state IN ('setup', 'open', 'panel', 'analysis', 'published', 'closed')")
    assert checks["ck_user_roles_known_role"] == (
        "role IN ('admin', 'coordinator', 'auditor', 'panel', 'editor', 'viewer', 'quality_assurance')"
    )  # the quality-assurance group's role: migration 0025
    columns = (
        models.Audit.__table__.c.state,
        models.Return.__table__.c.state,
        models.Briefing.__table__.c.state,
        models.ToolVersion.__table__.c.status,
    )
    defaults = {(c.table.name, c.name): c.default.arg for c in columns}
    assert defaults == {
        ("audits", "state"): AuditState.SETUP,
        ("returns", "state"): ReturnState.DRAFT,
        ("briefings", "state"): BriefingState.DRAFT,
        ("tool_versions", "status"): ToolState.DRAFT,
    }
    assert Role.ADMIN in models.ROLES
