"""Moderation pages: the coordinator draws the sample and names moderators; a moderator grades a sampled
case blind; once both gradings are in, the two are compared side by side and the coordinator settles
each difference. The blind rule is the data layer's (``data.moderation``); these views only ask it."""

from __future__ import annotations

import secrets

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from audit_app.data import calibration as calibration_data
from audit_app.data import moderation as moderation_data
from audit_app.data.audits import get_audit
from audit_app.data.tools import definition_of
from audit_app.form_builder import ReturnFormBase, build_return_form, field_name, filled_return_form
from audit_app.models import Audit, Moderation, User
from audit_app.moderation.forms import DrawForm, ModeratorForm, reconcile_form
from audit_app.security import roles_required
from audit_app.transactions import flash_form_problems, saved
from audit_tools.reliability import MissingGradesError, graded_definition
from audit_tools.states import ModerationState, Role
from audit_tools.text import shortened
from audit_tools.tools import ToolDefinition

bp = Blueprint("moderation", __name__, url_prefix="/moderation")


def _audit_or_404(audit_id: int) -> Audit:
    return get_audit(audit_id) or abort(404)


def _moderation_or_404(audit: Audit, moderation_id: int) -> Moderation:
    return moderation_data.get_moderation(audit, moderation_id) or abort(404)


def _moderator_forms(moderations: list[Moderation]) -> dict[int, ModeratorForm]:
    forms = {}
    for moderation in moderations:
        form = ModeratorForm(prefix=f"m{moderation.id}", data={"moderator": moderation.moderator_id})
        people = [(p.id, _moderator_label(p)) for p in moderation_data.moderator_choices(moderation)]
        form.moderator.choices = [(0, "Choose a moderator"), *people] if people else []
        forms[moderation.id] = form
    return forms


def _moderator_label(person: User) -> str:
    return f"{person.display_name} (quality-assurance group)" if person.has_role(Role.QUALITY) else person.display_name


def _render_sample(audit: Audit, draw_form: DrawForm | None = None) -> str:
    moderations = moderation_data.moderations_of(audit)
    return render_template(
        "moderation/sample.html",
        audit=audit,
        sample=moderation_data.sample_of(audit),
        moderations=moderations,
        moderator_forms=_moderator_forms(moderations),
        pool=len(moderation_data.submitted_returns(audit)),
        form=draw_form or DrawForm(data={"seed": secrets.randbelow(1_000_000)}),
    )


@bp.get("/audits/<int:audit_id>")
@roles_required(Role.COORDINATOR)
def sample(audit_id: int) -> ResponseReturnValue:
    return _render_sample(_audit_or_404(audit_id))


@bp.post("/audits/<int:audit_id>/draw")
@roles_required(Role.COORDINATOR)
def draw(audit_id: int) -> ResponseReturnValue:
    audit = _audit_or_404(audit_id)
    form = DrawForm()
    if not form.validate_on_submit():
        return _render_sample(audit, form), 400
    with saved("The moderation sample has been drawn.") as outcome:
        rate, minimum, seed = form.rate_percent.data or 0, form.minimum.data or 0, form.seed.data or 0  # validated
        drawn = moderation_data.draw(audit, rate, minimum, seed, current_user)
        outcome.success = f"The moderation sample has been drawn: {len(drawn.moderations)} returns."
    if not outcome.ok:
        return _render_sample(audit, form), 409
    return redirect(url_for("moderation.sample", audit_id=audit.id))


@bp.post("/audits/<int:audit_id>/<int:moderation_id>/moderator")
@roles_required(Role.COORDINATOR)
def name_moderator(audit_id: int, moderation_id: int) -> ResponseReturnValue:
    audit = _audit_or_404(audit_id)
    moderation = _moderation_or_404(audit, moderation_id)
    form = _moderator_forms([moderation])[moderation.id]
    if not form.validate_on_submit():  # back to the sample, the problem linked to this case's choice
        flash_form_problems(form)
        return redirect(url_for("moderation.sample", audit_id=audit.id))
    with saved(field=form.moderator.id) as outcome:
        moderator = moderation_data.name_moderator(moderation, form.moderator.data, current_user)
        outcome.success = f"{moderator.display_name} will moderate case {moderation.ret.case.reference}."
    return redirect(url_for("moderation.sample", audit_id=audit.id)) if outcome.ok else (_render_sample(audit), 409)


# ---------------------------------------------------------------- the moderator


MODERATORS = (Role.AUDITOR, Role.QUALITY)  # an auditor of the agency, or the quality-assurance group


@bp.get("/")
@roles_required(*MODERATORS)
def mine() -> ResponseReturnValue:
    return render_template(
        "moderation/mine.html",
        moderations=moderation_data.moderations_for(current_user),
        exercises=calibration_data.open_exercises() if current_user.has_role(Role.AUDITOR) else [],
    )


def _own_or_404(moderation_id: int) -> Moderation:
    return moderation_data.moderation_for_moderator(moderation_id, current_user) or abort(404)


def _questions(definition: ToolDefinition, form: ReturnFormBase) -> list[tuple[str, object]]:
    graded = graded_definition(definition)
    return [(f"{definition.number(q.key)} {q.text}", form[field_name(q.key)]) for q in graded.questions]


def mark_ungraded(form: ReturnFormBase, definition: ToolDefinition, error: Exception | None) -> None:
    """After a grading submitted incomplete, put "grade this" on each question left out, so the error summary
    links to every one (numbered as in the whole tool, as the page numbers them)."""
    for key in error.keys if isinstance(error, MissingGradesError) else ():
        question = definition.question(key)
        form[field_name(key)].errors = [f"Grade question {definition.number(key)}: {shortened(question.text, 90)}"]


def _render_grade(moderation: Moderation, definition: ToolDefinition, form: ReturnFormBase, error: str = "") -> str:
    return render_template(
        "moderation/grade.html",
        moderation=moderation,
        audit=moderation.ret.case.audit,
        questions=_questions(definition, form),
        form=form,
        error_description=error,
    )


@bp.route("/<int:moderation_id>/grade", methods=["GET", "POST"])
@roles_required(*MODERATORS)
def grade(moderation_id: int) -> ResponseReturnValue:
    """The moderator's blind grading: the graded questions only, and nothing of the first return."""
    moderation = _own_or_404(moderation_id)
    if moderation.state != ModerationState.ASSIGNED:
        return render_template("moderation/submitted.html", moderation=moderation)
    definition = definition_of(moderation.ret.case.audit.tool_version)
    graded = graded_definition(definition)
    if request.method == "GET":
        return _render_grade(
            moderation, definition, filled_return_form(graded, moderation_data.second_grades(moderation))
        )
    form = build_return_form(graded)  # what was posted, not what was stored
    if not form.validate_on_submit():
        return _render_grade(moderation, definition, form), 400
    submitting = bool(form.submit_return.data)
    message = "Your grading has been submitted." if submitting else "Your grades have been saved."
    with saved(message, tell=False) as outcome:
        moderation_data.save_grading(moderation, form.answers(), definition, current_user, submitting)
    if not outcome.ok:
        mark_ungraded(form, definition, outcome.error)
        return _render_grade(moderation, definition, form, str(outcome.error)), 400
    if submitting:
        return redirect(url_for("moderation.compare", moderation_id=moderation.id))
    return redirect(url_for("moderation.grade", moderation_id=moderation.id))


@bp.get("/<int:moderation_id>/compare")
@roles_required(*MODERATORS)
def compare(moderation_id: int) -> ResponseReturnValue:
    """Both gradings side by side for the moderator, once theirs is in; refused (403) before."""
    moderation = _own_or_404(moderation_id)
    if moderation.state == ModerationState.ASSIGNED:
        return render_template("moderation/blind.html", moderation=moderation), 403
    definition = definition_of(moderation.ret.case.audit.tool_version)
    return render_template(
        "moderation/compare.html",
        moderation=moderation,
        audit=moderation.ret.case.audit,
        definition=definition,
        marks=moderation_data.marks(moderation, definition),
        form=None,
    )


# ---------------------------------------------------------------- the coordinator reconciles


def _differing(moderation: Moderation, definition: ToolDefinition) -> list[tuple[str, object]]:
    return [
        (number, definition.question(g.question_key))
        for number, g, mark in moderation_data.marks(moderation, definition)
        if mark != "same"
    ]


@bp.route("/audits/<int:audit_id>/<int:moderation_id>/reconcile", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR)
def reconcile(audit_id: int, moderation_id: int) -> ResponseReturnValue:
    audit = _audit_or_404(audit_id)
    moderation = _moderation_or_404(audit, moderation_id)
    definition = definition_of(audit.tool_version)
    if moderation.state == ModerationState.ASSIGNED:
        return render_template("moderation/waiting.html", audit=audit, moderation=moderation)
    form = reconcile_form(_differing(moderation, definition))  # type: ignore[arg-type]
    status = 200
    if form.is_submitted():
        if form.validate():
            with saved("The agreed grades have been recorded and are now the counted answers.") as outcome:
                moderation_data.reconcile(moderation, form.agreed(), definition, current_user)
            if outcome.ok:
                return redirect(url_for("moderation.reconcile", audit_id=audit.id, moderation_id=moderation.id))
            status = 409
        else:
            status = 400
    return render_template(
        "moderation/compare.html",
        moderation=moderation,
        audit=audit,
        definition=definition,
        marks=moderation_data.marks(moderation, definition),
        form=form if moderation.state == ModerationState.SUBMITTED else None,
    ), status
