"""The calibration exercise of an audit: the coordinator's fictional case, each auditor's grades of it,
and what was agreed. An exercise is written while the audit is being set up or is open, graded by every
auditor until the coordinator records what was agreed, and kept with the audit afterwards."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, select

from audit_app.data.events import record_event
from audit_app.extensions import db
from audit_app.models import Audit, CalibrationExercise, CalibrationGrade, User
from audit_tools.reliability import Calibration, MissingGradesError, ModerationError, calibration, graded_definition
from audit_tools.returns import answers as answer_rules
from audit_tools.states import AuditState
from audit_tools.tools import ToolDefinition

MAX_TEXT = 5_000
WRITTEN_IN = (AuditState.SETUP, AuditState.OPEN)


def exercise_of(audit: Audit) -> CalibrationExercise | None:
    return db.session.scalar(select(CalibrationExercise).where(CalibrationExercise.audit_id == audit.id))


def get_exercise(exercise_id: int) -> CalibrationExercise | None:
    return db.session.get(CalibrationExercise, exercise_id)


def start(audit: Audit, summary: str, user: User) -> CalibrationExercise:
    """Write the audit's calibration case (one an audit)."""
    if audit.state not in WRITTEN_IN:
        raise ModerationError("A calibration exercise is written before the audit opens, or while it is open.")
    if exercise_of(audit) is not None:
        raise ModerationError("This audit already has its calibration exercise.")
    exercise = CalibrationExercise(audit_id=audit.id, summary=answer_rules.as_typed(summary), created_by_id=user.id)
    db.session.add(exercise)
    db.session.flush()
    record_event("calibration.started", "audit", audit.id, user=user)
    return exercise


def open_exercises() -> list[CalibrationExercise]:
    """Exercises still taking grades, newest first."""
    return list(
        db.session.scalars(
            select(CalibrationExercise)
            .where(CalibrationExercise.closed_at.is_(None))
            .order_by(CalibrationExercise.id.desc())
        )
    )


def grades_of(exercise: CalibrationExercise, user: User) -> answer_rules.Answers:
    rows = db.session.execute(
        select(CalibrationGrade.question_key, CalibrationGrade.value).where(
            CalibrationGrade.exercise_id == exercise.id, CalibrationGrade.user_id == user.id
        )
    )
    return {key: value for key, value in rows}


def save_grades(
    exercise: CalibrationExercise, answers: answer_rules.Answers, definition: ToolDefinition, user: User
) -> None:
    """Keep (or replace) one auditor's grades of the calibration case; every graded question is needed."""
    if exercise.closed_at is not None:
        raise ModerationError("The coordinator has recorded what was agreed, so grades can no longer change.")
    graded = graded_definition(definition)
    if answer_rules.answer_problems(graded, answers):
        raise ModerationError("Some grades are not options of the audit tool's questions.")
    if missing := answer_rules.missing_required(graded, answers):
        raise MissingGradesError(
            f"Grade every question before sending your grades: {len(missing)} still to grade.",
            [q.key for q in missing],
        )
    db.session.execute(
        delete(CalibrationGrade).where(CalibrationGrade.exercise_id == exercise.id, CalibrationGrade.user_id == user.id)
    )
    db.session.add_all(
        CalibrationGrade(exercise_id=exercise.id, user_id=user.id, question_key=q.key, value=str(answers[q.key]))
        for q in graded.questions
        if answers.get(q.key)
    )
    db.session.flush()
    record_event("calibration.graded", "calibration", exercise.id, user=user)


def record_agreed(exercise: CalibrationExercise, agreed: str, user: User) -> None:
    """Record what the auditors agreed; the exercise then takes no more grades."""
    exercise.agreed = answer_rules.as_typed(agreed)
    exercise.closed_at = exercise.closed_at or datetime.now(UTC)
    db.session.flush()
    record_event("calibration.agreed", "calibration", exercise.id, user=user)


def spread_of(exercise: CalibrationExercise, definition: ToolDefinition) -> Calibration:
    """Every auditor's grades, question by question, and their agreement."""
    rows = db.session.execute(
        select(CalibrationGrade.user_id, CalibrationGrade.question_key, CalibrationGrade.value)
        .where(CalibrationGrade.exercise_id == exercise.id)
        .order_by(CalibrationGrade.user_id)
    )
    gradings: dict[int, dict[str, str]] = {}
    for user_id, key, value in rows:
        gradings.setdefault(user_id, {})[key] = value
    return calibration(definition, list(gradings.values()))
