"""Calibration pages (added to the moderation blueprint): the coordinator writes a fictional case, every
auditor grades it with the audit's tool, and the coordinator sees the spread and records what was agreed."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from audit_app.data import calibration as calibration_data
from audit_app.data.audits import get_audit
from audit_app.data.tools import definition_of
from audit_app.form_builder import ReturnFormBase, build_return_form, field_name, filled_return_form
from audit_app.models import Audit, CalibrationExercise
from audit_app.moderation.forms import AgreedForm, CalibrationForm
from audit_app.moderation.routes import bp, mark_ungraded
from audit_app.security import roles_required
from audit_app.transactions import saved
from audit_tools.reliability import graded_definition
from audit_tools.states import Role


def _render_exercise(audit: Audit, form: CalibrationForm | None = None, agreed: AgreedForm | None = None) -> str:
    exercise = calibration_data.exercise_of(audit)
    definition = definition_of(audit.tool_version)
    return render_template(
        "moderation/calibration.html",
        audit=audit,
        exercise=exercise,
        spread=calibration_data.spread_of(exercise, definition) if exercise else None,
        form=form or CalibrationForm(),
        agreed_form=agreed or AgreedForm(data={"agreed": exercise.agreed if exercise else ""}),
    )


@bp.get("/audits/<int:audit_id>/calibration")
@roles_required(Role.COORDINATOR)
def calibration(audit_id: int) -> ResponseReturnValue:
    return _render_exercise(get_audit(audit_id) or abort(404))


@bp.post("/audits/<int:audit_id>/calibration")
@roles_required(Role.COORDINATOR)
def start_calibration(audit_id: int) -> ResponseReturnValue:
    audit = get_audit(audit_id) or abort(404)
    form = CalibrationForm()
    if not form.validate_on_submit():
        return _render_exercise(audit, form=form), 400
    with saved("The calibration exercise has started: every auditor can now grade the case.") as outcome:
        calibration_data.start(audit, form.summary.data or "", current_user)
    if not outcome.ok:
        return _render_exercise(audit, form=form), 409
    return redirect(url_for("moderation.calibration", audit_id=audit.id))


@bp.post("/audits/<int:audit_id>/calibration/agreed")
@roles_required(Role.COORDINATOR)
def calibration_agreed(audit_id: int) -> ResponseReturnValue:
    audit = get_audit(audit_id) or abort(404)
    exercise = calibration_data.exercise_of(audit) or abort(404)
    form = AgreedForm()
    if not form.validate_on_submit():
        return _render_exercise(audit, agreed=form), 400
    with saved("What was agreed has been recorded; the exercise is kept with the audit."):
        calibration_data.record_agreed(exercise, form.agreed.data or "", current_user)
    return redirect(url_for("moderation.calibration", audit_id=audit.id))


def _render_grading(exercise: CalibrationExercise, form: ReturnFormBase, error: str = "") -> str:
    definition = definition_of(exercise.audit.tool_version)
    graded = graded_definition(definition)
    return render_template(
        "moderation/calibration_grade.html",
        exercise=exercise,
        questions=[(f"{definition.number(q.key)} {q.text}", form[field_name(q.key)]) for q in graded.questions],
        form=form,
        error_description=error,
    )


@bp.route("/calibration/<int:exercise_id>", methods=["GET", "POST"])
@roles_required(Role.AUDITOR)
def calibration_grade(exercise_id: int) -> ResponseReturnValue:
    """An auditor grades the fictional case (any agency's auditor: the case belongs to none)."""
    exercise = calibration_data.get_exercise(exercise_id) or abort(404)
    definition = definition_of(exercise.audit.tool_version)
    graded = graded_definition(definition)
    if request.method == "GET":
        return _render_grading(exercise, filled_return_form(graded, calibration_data.grades_of(exercise, current_user)))
    form = build_return_form(graded)
    if not form.validate_on_submit():
        return _render_grading(exercise, form), 400
    with saved("Your grades of the calibration case have been sent.", tell=False) as outcome:
        calibration_data.save_grades(exercise, form.answers(), definition, current_user)
    if not outcome.ok:
        mark_ungraded(form, definition, outcome.error)
        return _render_grading(exercise, form, str(outcome.error)), 400
    return redirect(url_for("moderation.mine"))
