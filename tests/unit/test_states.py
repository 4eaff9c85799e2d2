"""The named states and the one transition table per workflow (audit_tools.states)."""

from __future__ import annotations

import pytest

from audit_tools.errors import WorkbenchError
from audit_tools.states import (
    AUDIT_MOVES,
    BRIEFING_MOVES,
    CONCERN_MOVES,
    RETURN_MOVES,
    TOOL_MOVES,
    AuditState,
    BriefingState,
    ConcernState,
    MoveRefused,
    QuestionType,
    ReturnState,
    Role,
    ToolState,
    check_move,
    may_move,
)
from audit_tools.tools import QUESTION_TYPES, SCALE

TABLES = [
    (AUDIT_MOVES, AuditState, AuditState.SETUP),
    (RETURN_MOVES, ReturnState, ReturnState.DRAFT),
    (BRIEFING_MOVES, BriefingState, BriefingState.DRAFT),
    (TOOL_MOVES, ToolState, ToolState.DRAFT),
    (CONCERN_MOVES, ConcernState, ConcernState.RAISED),
]
# Sorted: a set's order changes from one process to the next, and the parallel test workers must collect the
# same tests in the same order.
ALLOWED = [
    (table, state, target) for table, _, _ in TABLES for state, targets in table.items() for target in sorted(targets)
]


def test_members_are_the_stored_strings():
    assert [s.value for s in AuditState] == ["setup", "open", "panel", "analysis", "published", "closed"]
    assert [s.value for s in ReturnState] == ["draft", "submitted", "returned", "accepted", "no_involvement"]
    assert [s.value for s in BriefingState] == ["draft", "approved", "published"]
    assert [s.value for s in ToolState] == ["draft", "published", "retired"]
    assert [r.value for r in Role] == [
        "admin",
        "coordinator",
        "auditor",
        "panel",
        "editor",
        "viewer",
        "quality_assurance",
    ]
    assert ReturnState.SUBMITTED == "submitted" and f"{ReturnState.SUBMITTED}" == "submitted"
    assert str(Role.ADMIN) == "admin" and {"open": 1}[AuditState.OPEN] == 1


def test_question_type_keeps_the_old_names():
    assert QUESTION_TYPES == ("scale", "single", "multiple", "grade", "number", "date", "text", "longtext")
    assert SCALE is QuestionType.SCALE and SCALE == "scale"


@pytest.mark.parametrize(("table", "enum", "start"), TABLES)
def test_every_state_has_a_row(table, enum, start):
    assert set(table) == set(enum)
    assert all(target in enum for targets in table.values() for target in targets)


@pytest.mark.parametrize(("table", "enum", "start"), TABLES)
def test_every_state_is_reachable_from_the_start(table, enum, start):
    seen, todo = {start}, [start]
    while todo:
        for target in table[todo.pop()]:
            if target not in seen:
                seen.add(target)
                todo.append(target)
    assert seen == set(enum)


@pytest.mark.parametrize(("table", "state", "target"), ALLOWED)
def test_every_allowed_move_passes(table, state, target):
    assert may_move(table, state, target)
    check_move(table, state, target)
    check_move(table, state.value, target.value)  # a plain string read from the database moves the same


def test_the_allowed_moves_are_exactly_these():
    assert {(str(s), str(t)) for s, ts in RETURN_MOVES.items() for t in ts} == {
        ("draft", "submitted"),
        ("draft", "no_involvement"),
        ("returned", "submitted"),
        ("returned", "no_involvement"),
        ("submitted", "returned"),
        ("submitted", "accepted"),
        ("no_involvement", "draft"),
    }
    assert {(str(s), str(t)) for s, ts in AUDIT_MOVES.items() for t in ts} == {
        ("setup", "open"),
        ("open", "panel"),
        ("panel", "analysis"),
        ("analysis", "published"),
        ("published", "closed"),
    }
    assert {(str(s), str(t)) for s, ts in BRIEFING_MOVES.items() for t in ts} == {
        ("draft", "approved"),
        ("approved", "published"),
        ("approved", "draft"),
    }
    assert {(str(s), str(t)) for s, ts in TOOL_MOVES.items() for t in ts} == {
        ("draft", "published"),
        ("published", "retired"),
    }
    assert {(str(s), str(t)) for s, ts in CONCERN_MOVES.items() for t in ts} == {
        ("raised", "acknowledged"),
        ("acknowledged", "closed"),
    }


def test_a_refused_move_raises_a_workbench_error_with_a_clear_message():
    with pytest.raises(MoveRefused, match="Something accepted cannot become submitted.") as refused:
        check_move(RETURN_MOVES, ReturnState.ACCEPTED, ReturnState.SUBMITTED)
    assert isinstance(refused.value, WorkbenchError)
    assert not may_move(BRIEFING_MOVES, "published", "draft")
    assert not may_move(AUDIT_MOVES, "no such state", "open")


def test_a_refusal_can_be_the_callers_own_error_and_words():
    class ReturnError(ValueError):
        pass

    with pytest.raises(ReturnError, match="^Only a submitted return can be accepted; this one is draft.$"):
        check_move(
            RETURN_MOVES,
            "draft",
            ReturnState.ACCEPTED,
            "Only a submitted return can be accepted; this one is draft.",
            ReturnError,
        )
