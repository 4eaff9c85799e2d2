"""Agency auditors' returns: "My returns" and the return form."""

import logging

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from audit_app import concurrency
from audit_app.concurrency import CHOOSE
from audit_app.data import concerns as concern_data
from audit_app.data import returns as return_data
from audit_app.data.moderation import blind_moderations
from audit_app.data.settings import get_setting
from audit_app.data.tools import definition_of
from audit_app.form_builder import (
    ReturnFormBase,
    build_return_form,
    field_name,
    filled_return_form,
    hidden_pairs,
    note_field_name,
)
from audit_app.input_guard import page_number
from audit_app.models import Return
from audit_app.rescue import restored_form
from audit_app.returns.forms import NoInvolvementForm
from audit_app.security import roles_required
from audit_app.transactions import flash_form_problems, saved
from audit_tools.returns import answers as answer_rules
from audit_tools.returns import concerns as concern_rules
from audit_tools.returns import is_visible
from audit_tools.states import AuditState, ReturnState, Role
from audit_tools.text import shortened, uk_time
from audit_tools.tools import ToolDefinition

bp = Blueprint("returns", __name__, url_prefix="/returns")
log = logging.getLogger(__name__)
bp.add_app_template_global(field_name)  # the return form, its preview and the conflict page name fields alike
bp.add_app_template_global(note_field_name)
bp.add_app_template_global(answer_rules.note_key)
bp.add_app_template_global(concern_rules.action_keys, "concern_action_keys")
bp.add_app_template_global(lambda: concern_rules.PROMPT_TITLE, "concern_prompt_title")
bp.add_app_template_global(lambda: get_setting("escalation_route"), "escalation_route")


@bp.get("/")
@roles_required(Role.AUDITOR)
def index() -> ResponseReturnValue:
    """Every audit the auditor has returns on: the open audits' returns listed (a page of each), the rest counted
    with a link to read them, so the page stays short however many years of audits there are."""
    show = _chosen_filter()
    audits = return_data.my_audits(current_user) if current_user.agency_id else []
    listed = {
        mine.audit.id: return_data.my_returns_page(current_user, mine, show)
        for mine in audits
        if mine.audit.state == AuditState.OPEN
    }
    return render_template(
        "returns/index.html",
        audits=audits,
        listed=listed,
        show=show,
        page_size=return_data.RETURNS_PAGE_SIZE,
        blind=blind_moderations(current_user),
    )


@bp.get("/audits/<int:audit_id>")
@roles_required(Role.AUDITOR)
def audit(audit_id: int) -> ResponseReturnValue:
    """One audit's returns for this auditor, a page at a time; 404 for an audit they have none on."""
    found = return_data.my_audits(current_user, audit_id) if current_user.agency_id else []
    if not found:
        abort(404)
    show = _chosen_filter()
    return render_template(
        "returns/audit.html",
        mine=found[0],
        found=return_data.my_returns_page(current_user, found[0], show, page_number(request.args.get("page"))),
        show=show,
        page_size=return_data.RETURNS_PAGE_SIZE,
        blind=blind_moderations(current_user),
    )


def _chosen_filter() -> str:
    show = request.args.get("show", "all")
    return show if show in return_data.RETURN_FILTERS else "all"


@bp.route("/<int:return_id>", methods=["GET", "POST"])
@roles_required(Role.AUDITOR)
def edit(return_id: int) -> ResponseReturnValue:
    """The return form; a submitted return (or a closed audit) shows the answers read-only."""
    ret = return_data.get_return_for_user(return_id, current_user) or abort(404)
    definition = definition_of(ret.case.audit.tool_version)
    answers = return_data.load_answers(ret, definition)
    if request.method == "GET":
        return _show(ret, definition, answers)
    form = build_return_form(definition)
    if not return_data.is_editable(ret):
        return _refuse_locked(ret, form, definition)
    mine, answered = _settled(ret, definition, form, answers)
    if mine is None:
        return answered  # the form again, or the conflict page
    return _save(ret, definition, form, answers, mine)


def _show(ret: Return, definition: ToolDefinition, answers: answer_rules.Answers) -> ResponseReturnValue:
    """The return as it is saved: read-only once submitted or closed, else the form (or typed work brought back)."""
    if not return_data.is_editable(ret):
        return render_template(
            "returns/view.html",
            ret=ret,
            definition=definition,
            answers=answers,
            shown=lambda question: is_visible(question, answers),
            withdraw=NoInvolvementForm(),
        )
    if request.args.get("restore"):
        return _restore(ret, definition, request.args["restore"])
    return _render_form(
        ret,
        filled_return_form(definition, answers, version=ret.version, base=_base_token(ret, answers)),
        definition,
    )


def _settled(
    ret: Return, definition: ToolDefinition, form: ReturnFormBase, answers: answer_rules.Answers
) -> tuple[answer_rules.Answers | None, ResponseReturnValue]:
    """The answers to save (and nothing to show), or None and the page to show instead: the form with its
    problems, or the conflict page when the form was opened from other answers or choices are still open."""
    resolving = concurrency.resolving()
    if not form.validate_on_submit():
        if resolving:  # back to the conflict page: the plain form would let these answers overwrite the save
            return None, _conflict(ret, definition, form, problems=_form_problems(form), status=400)
        return None, _render_form(ret, form, definition)
    mine = form.answers()
    if not resolving and concurrency.opened_from_other(form, "return", ret.id, answers):
        return None, _conflict(ret, definition, form)  # opened from other answers than those saved now
    if resolving:
        merge = answer_rules.merge_answers(definition, concurrency.posted_base(form, "return", ret.id), answers, mine)
        chosen = concurrency.posted_resolution()
        mine, unsettled = answer_rules.resolve(definition, merge, answers, mine, chosen.choices, chosen.combined)
        if unsettled:
            return None, _conflict(ret, definition, form, problems={key: CHOOSE for key in unsettled}, status=400)
    if unanswered := concern_rules.missing_actions(definition, mine):
        if resolving:
            problems = {q.key: concern_rules.ACTION_REQUIRED for q in unanswered}
            return None, _conflict(ret, definition, form, problems=problems, status=400)
        for question in unanswered:  # the form again with what was typed, the field named in the summary
            form[field_name(question.key)].errors = [concern_rules.ACTION_REQUIRED]
        return None, (_render_form(ret, form, definition), 400)
    return mine, ""


def _save(
    ret: Return,
    definition: ToolDefinition,
    form: ReturnFormBase,
    answers: answer_rules.Answers,
    mine: answer_rules.Answers,
) -> ResponseReturnValue:
    """Save (and perhaps submit) the settled answers, then say what happened."""
    with saved(tell=False, refusals=(return_data.InvalidAnswersError, return_data.StaleReturnError)) as outcome:
        missing = return_data.save_return(
            ret,
            mine,
            definition,
            current_user,
            concurrency.posted_version(form),
            submit=form.submit_return.data,
            stored=answers,
        )
        concern_data.raise_concerns(ret, definition, mine, current_user)
    if isinstance(outcome.error, return_data.InvalidAnswersError):  # only a resolution reaches this
        return _conflict(ret, definition, form, problems=outcome.error.problems, status=400)
    if outcome.error is not None:
        return _conflict(ret, definition, form)
    if missing:
        form.mark_missing(missing)
        form.version.data = str(ret.version)  # a hidden field's text
        form.base.data = _base_token(ret, return_data.load_answers(ret, definition))
        note = (
            f"Your answers have been saved as a draft. {len(missing)} required "
            f"question{'s' if len(missing) != 1 else ''} still need an answer before you can submit."
        )
        return _render_form(ret, form, definition, error_description=note), 422
    if concern_rules.raises_concern(definition, mine):
        flash(concern_rules.banner_text(get_setting("escalation_route")), "escalation")
    if ret.state == ReturnState.SUBMITTED:
        flash(f"Return for case {ret.case.reference} submitted. Thank you.", "success")
        return redirect(url_for("returns.index"))
    flash("Draft saved. You can come back to it at any time.", "success")
    return redirect(url_for("returns.edit", return_id=ret.id))


@bp.post("/<int:return_id>/no-involvement")
@roles_required(Role.AUDITOR)
def no_involvement(return_id: int) -> ResponseReturnValue:
    """Declare (or withdraw) that the agency had no involvement with the child in the audit period."""
    ret = return_data.get_return_for_user(return_id, current_user) or abort(404)
    form = NoInvolvementForm()
    if form.validate_on_submit():
        with saved(
            "Your declaration has been withdrawn: the return is a draft again."
            if form.withdraw.data
            else f"Recorded: your agency had no involvement with case {ret.case.reference}."
        ) as outcome:
            if form.withdraw.data:
                return_data.withdraw_no_involvement(ret, current_user)
            else:
                return_data.declare_no_involvement(ret, form.reason.data or "", current_user)
        if not outcome.ok:
            return redirect(url_for("returns.edit", return_id=ret.id))
        return redirect(
            url_for("returns.index") if not form.withdraw.data else url_for("returns.edit", return_id=ret.id)
        )
    flash_form_problems(form)
    return redirect(url_for("returns.edit", return_id=ret.id))


@bp.post("/<int:return_id>/autosave")
@roles_required(Role.AUDITOR)
def autosave(return_id: int) -> ResponseReturnValue:
    """Save a draft while the auditor types (JavaScript only); answers in JSON, never a page."""
    ret = return_data.get_return_for_user(return_id, current_user) or abort(404)
    definition = definition_of(ret.case.audit.tool_version)
    form = build_return_form(definition)
    if not return_data.is_editable(ret):
        return jsonify(saved=False, message="This return can no longer be changed."), 409
    if not form.validate_on_submit():
        return jsonify(saved=False, message="Not saved yet: some answers need correcting."), 400
    with saved(tell=False, refusals=return_data.StaleReturnError) as outcome:
        mine = form.answers()
        return_data.save_answers(ret, mine, definition, current_user, concurrency.posted_version(form))
        raised = concern_data.raise_concerns(ret, definition, mine, current_user)
        base = _base_token(ret, return_data.load_answers(ret, definition))  # the form now starts from this save
    if not outcome.ok:
        return jsonify(
            saved=False,
            message="Someone else has saved this return. Press “Save and come back "
            "later” to compare your answers with theirs.",
        ), 409
    message = f"Draft saved at {uk_time(ret.updated_at)}."
    if raised:
        message += " " + concern_rules.told_text(bool(ret.agency.safeguarding_lead_email))
    return jsonify(saved=True, version=ret.version, base=base, message=message)


def _conflict(
    ret: Return,
    definition: ToolDefinition,
    form: ReturnFormBase,
    problems: dict[str, str] | None = None,
    status: int = 409,
) -> tuple[str, int]:
    """Someone saved in between: merge what only one side changed, ask about what both changed, lose nothing.

    ``problems`` (answer or note key → message, or ``CHOOSE``) come from a resolution that could not be saved.
    """
    concurrency.read_fresh()
    stored = return_data.load_answers(ret, definition)
    mine, base = form.answers(), concurrency.posted_base(form, "return", ret.id)
    merge = answer_rules.merge_answers(definition, base, stored, mine)
    shared = concurrency.conflict_context(
        "return",
        ret.id,
        return_data.current_version(ret.id),
        base,
        merge,
        problems,
        lambda key, message: _described(definition, key, message),
    )
    return render_template(
        "returns/conflict.html",
        ret=ret,
        form=form,
        definition=definition,
        mine=mine,
        saved=stored,
        hidden_values=hidden_pairs(definition, mine),
        clashes=answer_rules.differences(definition, merge.clashes),
        kept_theirs=answer_rules.differences(definition, merge.kept_theirs),
        kept_mine=answer_rules.differences(definition, merge.kept_mine),
        **shared,
    ), status


def _described(definition: ToolDefinition, key: str, message: str) -> str | None:
    """A problem of the conflict page in words, naming the question by number (None: not a question now)."""
    question = definition.questions_by_key.get(answer_rules.question_key_of(key))
    if question is None:
        return None
    what = f"{definition.number(question.key)} {shortened(question.text, 60)}" + (
        " (evidence note)" if key.endswith(answer_rules.NOTE_SUFFIX) else ""
    )
    return f"Choose which answer to keep for {what}" if message == CHOOSE else f"{what}: {message}"


def _form_problems(form: ReturnFormBase) -> dict[str, str]:
    """The posted form's errors by answer or note key (a resolution's answers travel in hidden fields)."""
    problems = {}
    for name, messages in form.errors.items():
        if name.startswith(("q_", "n_")):
            key = name[2:] if name.startswith("q_") else answer_rules.note_key(name[2:])
            problems[key] = messages[0]
    return problems


def _base_token(ret: Return, answers: answer_rules.Answers) -> str:
    """The signed base the return form carries: fingerprints of the answers saved at the version it holds."""
    return concurrency.base_token("return", ret.id, ret.version, answers)


def _restore(ret: Return, definition: ToolDefinition, token: str) -> BaseResponse | str:
    """What was typed before the session or form expired, merged over the saved answers; not saved until
    the auditor saves."""
    form = restored_form(ret, definition, token)
    if form is None:
        flash(
            "What you typed could not be brought back: it is kept for one day, in the browser you typed it in.", "error"
        )
        return redirect(url_for("returns.edit", return_id=ret.id))
    flash(
        "Your session had ended, so what you typed was kept for you. It has not been saved yet: check it, then save.",
        "info",
    )
    return _render_form(ret, form, definition)


def _refuse_locked(ret: Return, form: ReturnFormBase, definition: ToolDefinition) -> tuple[str, int]:
    """The return closed while the auditor was typing: keep what they typed on screen to copy."""
    note = (
        "This return can no longer be changed: it has been submitted or the audit has closed for returns. "
        "Nothing was saved. Your answers are shown below so that you can copy them."
    )
    return render_template(
        "returns/edit.html",
        ret=ret,
        form=form,
        definition=definition,
        field_name=field_name,
        error_description=note,
        locked=True,
        sections_status=answer_rules.section_status(definition, form.answers()),
    ), 409


def _render_form(ret: Return, form: ReturnFormBase, definition: ToolDefinition, error_description: str = "") -> str:
    """The return form; each section's status reflects the answers as they stand on this page."""
    return render_template(
        "returns/edit.html",
        ret=ret,
        form=form,
        definition=definition,
        field_name=field_name,
        error_description=error_description,
        locked=False,
        no_involvement=NoInvolvementForm(),
        sections_status=answer_rules.section_status(definition, form.answers()),
    )
