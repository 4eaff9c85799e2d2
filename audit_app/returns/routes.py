"""Agency auditors' returns: "My returns" and the return form."""

import datetime as dt

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from audit_app.data import returns as return_data
from audit_app.data.settings import get_setting
from audit_app.data.tools import definition_of
from audit_app.extensions import db
from audit_app.form_builder import build_return_form, field_name, form_data, note_field_name
from audit_app.rescue import restored_form
from audit_app.saved_base import read_base, sign_base
from audit_app.returns.forms import NoInvolvementForm
from audit_app.security import roles_required
from audit_tools.returns import answers as answer_rules
from audit_tools.returns import is_visible
from audit_tools.merge import fingerprints
from audit_tools.text import shortened
from audit_tools.states import QuestionType, ReturnState, Role

bp = Blueprint("returns", __name__, url_prefix="/returns")
bp.add_app_template_global(field_name)  # the return form, its preview and the conflict page name fields alike
bp.add_app_template_global(note_field_name)
bp.add_app_template_global(answer_rules.note_key)


@bp.get("/")
@roles_required(Role.AUDITOR)
def index():
    groups = return_data.returns_by_audit(current_user) if current_user.agency_id else []
    return render_template("returns/index.html", groups=groups)


@bp.route("/<int:return_id>", methods=["GET", "POST"])
@roles_required(Role.AUDITOR)
def edit(return_id: int):
    """The return form; a submitted return (or a closed audit) shows the answers read-only."""
    ret = return_data.get_return_for_user(return_id, current_user) or abort(404)
    definition = definition_of(ret.case.audit.tool_version)
    answers = return_data.load_answers(ret, definition)
    if request.method == "GET":
        if not return_data.is_editable(ret):
            return render_template("returns/view.html", ret=ret, definition=definition, answers=answers,
                                   shown=lambda question: is_visible(question, answers), withdraw=NoInvolvementForm())
        if request.args.get("restore"):
            return _restore(ret, definition, request.args["restore"])
        return _render_form(ret, build_return_form(definition, data={**form_data(definition, answers),
                                                                     "version": ret.version,
                                                                     "base": _base_token(ret, answers)}), definition)
    form = build_return_form(definition)
    if not return_data.is_editable(ret):
        return _refuse_locked(ret, form, definition)
    resolving = bool(request.form.get("resolve_conflict"))
    if not form.validate_on_submit():
        if resolving:  # back to the conflict page: the plain form would let these answers overwrite the save
            return _conflict(ret, definition, form, problems=_form_problems(form), status=400)
        return _render_form(ret, form, definition)
    mine = form.answers()
    if not resolving and _posted_base(ret, form) not in (None, fingerprints(answers)):
        return _conflict(ret, definition, form)  # opened from other answers than those saved now: never overwrite them
    if resolving:
        merge = answer_rules.merge_answers(definition, _posted_base(ret, form), answers, mine)
        mine, unsettled = answer_rules.resolve(definition, merge, answers, mine, _prefixed("choice_"),
                                               _prefixed("merged_"))
        if unsettled:
            return _conflict(ret, definition, form, problems={key: CHOOSE for key in unsettled}, status=400)
    try:
        missing = return_data.save_return(ret, mine, definition, current_user,
                                          _posted_version(form), submit=form.submit_return.data)
    except return_data.InvalidAnswersError as error:  # only a resolution reaches this: the form checked the rest
        db.session.rollback()
        return _conflict(ret, definition, form, problems=error.problems, status=400)
    except return_data.StaleReturnError:
        db.session.rollback()
        return _conflict(ret, definition, form)
    db.session.commit()
    if missing:
        form.mark_missing(missing)
        form.version.data, form.base.data = ret.version, _base_token(ret, return_data.load_answers(ret, definition))
        note = (f"Your answers have been saved as a draft. {len(missing)} required "
                f"question{'s' if len(missing) != 1 else ''} still need an answer before you can submit.")
        return _render_form(ret, form, definition, error_description=note), 422
    if answer_rules.raises_concern(definition, mine):
        flash(ESCALATION_HEADING + " " + get_setting("escalation_route"), "escalation")
    if ret.state == ReturnState.SUBMITTED:
        flash(f"Return for case {ret.case.reference} submitted. Thank you.", "success")
        return redirect(url_for("returns.index"))
    flash("Draft saved. You can come back to it at any time.", "success")
    return redirect(url_for("returns.edit", return_id=ret.id))


@bp.post("/<int:return_id>/no-involvement")
@roles_required(Role.AUDITOR)
def no_involvement(return_id: int):
    """Declare (or withdraw) that the agency had no involvement with the child in the audit period."""
    ret = return_data.get_return_for_user(return_id, current_user) or abort(404)
    form = NoInvolvementForm()
    if form.validate_on_submit():
        try:
            if form.withdraw.data:
                return_data.withdraw_no_involvement(ret, current_user)
            else:
                return_data.declare_no_involvement(ret, form.reason.data or "", current_user)
        except return_data.ReturnError as error:
            db.session.rollback()
            flash(str(error), "error")
            return redirect(url_for("returns.edit", return_id=ret.id))
        db.session.commit()
        flash("Your declaration has been withdrawn: the return is a draft again." if form.withdraw.data else
              f"Recorded: your agency had no involvement with case {ret.case.reference}.", "success")
        return redirect(url_for("returns.index") if not form.withdraw.data else url_for("returns.edit", return_id=ret.id))
    flash("That form had expired. Please try again.", "error")
    return redirect(url_for("returns.edit", return_id=ret.id))


@bp.post("/<int:return_id>/autosave")
@roles_required(Role.AUDITOR)
def autosave(return_id: int):
    """Save a draft while the auditor types (JavaScript only); answers in JSON, never a page."""
    ret = return_data.get_return_for_user(return_id, current_user) or abort(404)
    definition = definition_of(ret.case.audit.tool_version)
    form = build_return_form(definition)
    if not return_data.is_editable(ret):
        return jsonify(saved=False, message="This return can no longer be changed."), 409
    if not form.validate_on_submit():
        return jsonify(saved=False, message="Not saved yet: some answers need correcting."), 400
    try:
        return_data.save_answers(ret, form.answers(), definition, current_user, _posted_version(form))
    except return_data.StaleReturnError:
        db.session.rollback()
        return jsonify(saved=False, message="Someone else has saved this return. Press “Save and come back "
                                            "later” to compare your answers with theirs."), 409
    base = _base_token(ret, return_data.load_answers(ret, definition))  # the form now starts from this save
    db.session.commit()
    return jsonify(saved=True, version=ret.version, base=base,
                   message=f"Draft saved at {ret.updated_at:%H:%M} (UTC).")


CHOOSE = "choose"  # a problem that is not a broken rule: the clash has no choice yet


def _conflict(ret, definition, form, problems: dict[str, str] | None = None, status: int = 409):
    """Someone saved in between: merge what only one side changed, ask about what both changed, lose nothing.

    ``problems`` (answer or note key → message, or ``CHOOSE``) come from a resolution that could not be saved.
    """
    db.session.expire_all()
    saved = return_data.load_answers(ret, definition)
    mine, base = form.answers(), _posted_base(ret, form)
    merge = answer_rules.merge_answers(definition, base, saved, mine)
    version = return_data.current_version(ret.id)
    return render_template(
        "returns/conflict.html", ret=ret, form=form, definition=definition, mine=mine, saved=saved, version=version,
        base_token=sign_base("return", ret.id, version, base), hidden_values=_hidden_values(definition, mine),
        clashes=answer_rules.differences(definition, merge.clashes),
        kept_theirs=answer_rules.differences(definition, merge.kept_theirs),
        kept_mine=answer_rules.differences(definition, merge.kept_mine),
        choices=_prefixed("choice_") if problems else {}, combined=_prefixed("merged_"),
        problems=_problem_list(definition, merge, problems or {})), status


def _problem_list(definition, merge, problems: dict[str, str]) -> list[dict]:
    """GOV.UK error-summary entries, each linking to the choice (or combined text) it is about."""
    listed = []
    for key, message in problems.items():
        question = definition.questions_by_key.get(answer_rules.question_key_of(key))
        if question is None:
            continue
        what = f"{definition.number(question.key)} {shortened(question.text, 60)}" + \
            (" (evidence note)" if key.endswith(answer_rules.NOTE_SUFFIX) else "")
        if message == CHOOSE:
            listed.append({"text": f"Choose which answer to keep for {what}", "href": f"#choice_{key}-mine"})
        elif key in merge.clashes and request.form.get(f"choice_{key}") == "merged":
            listed.append({"text": f"{what}: {message}", "href": f"#merged_{key}"})
        elif key in merge.clashes:
            listed.append({"text": f"{what}: {message}", "href": f"#choice_{key}-mine"})
        else:
            listed.append({"text": f"{what}: {message}", "href": f"#kept-{key}"})
    if problems and not listed:
        listed.append({"text": "Some answers need correcting. Check your choices, then save again.",
                       "href": "#save-choices"})
    return listed


def _form_problems(form) -> dict[str, str]:
    """The posted form's errors by answer or note key (a resolution's answers travel in hidden fields)."""
    problems = {}
    for name, messages in form.errors.items():
        if name.startswith(("q_", "n_")):
            key = name[2:] if name.startswith("q_") else answer_rules.note_key(name[2:])
            problems[key] = messages[0]
    return problems


def _prefixed(prefix: str) -> dict[str, str]:
    return {k.removeprefix(prefix): v for k, v in request.form.items() if k.startswith(prefix)}


def _base_token(ret, answers) -> str:
    """The signed base the return form carries: fingerprints of the answers saved at the version it holds."""
    return sign_base("return", ret.id, ret.version, fingerprints(answers))


def _posted_base(ret, form):
    """The answers the posted form started from; None (ask about everything) when missing or garbled."""
    return read_base(form.base.data, "return", ret.id, _posted_version(form))


def _hidden_values(definition, answers) -> list[tuple[str, str]]:
    """Every answer as (field name, value) pairs for hidden inputs; dates as the form's day/month/year."""
    pairs = []
    for question in definition.questions:
        value = answers.get(question.key)
        if not value:
            continue
        if question.type == QuestionType.DATE:
            day = dt.date.fromisoformat(value)
            pairs += [(field_name(question.key), str(part)) for part in (day.day, day.month, day.year)]
        else:
            pairs += [(field_name(question.key), v) for v in (value if isinstance(value, list) else [value])]
    return pairs + [(note_field_name(key), note) for key, note in answer_rules.notes_of(answers).items()]


def _restore(ret, definition, token: str):
    """What was typed before the session or form expired, merged over the saved answers; not saved until
    the auditor saves."""
    form = restored_form(ret, definition, token)
    if form is None:
        flash("What you typed could not be brought back: it is kept for one day, in the browser you typed it in.",
              "error")
        return redirect(url_for("returns.edit", return_id=ret.id))
    flash("Your session had ended, so what you typed was kept for you. It has not been saved yet: "
          "check it, then save.", "info")
    return _render_form(ret, form, definition)


ESCALATION_HEADING = "You recorded a current safeguarding concern about this child."


def _posted_version(form) -> int | None:
    try:
        return int(form.version.data)
    except (TypeError, ValueError):
        return None  # missing or garbled: treated as a stale form, never as "current"


def _refuse_locked(ret, form, definition):
    """The return closed while the auditor was typing: keep what they typed on screen to copy."""
    note = ("This return can no longer be changed: it has been submitted or the audit has closed for returns. "
            "Nothing was saved. Your answers are shown below so that you can copy them.")
    return render_template("returns/edit.html", ret=ret, form=form, definition=definition, field_name=field_name,
                           error_description=note, locked=True,
                           sections_status=answer_rules.section_status(definition, form.answers())), 409


def _render_form(ret, form, definition, error_description: str = ""):
    """The return form; each section's status reflects the answers as they stand on this page."""
    return render_template("returns/edit.html", ret=ret, form=form, definition=definition, field_name=field_name,
                           error_description=error_description, locked=False, no_involvement=NoInvolvementForm(),
                           sections_status=answer_rules.section_status(definition, form.answers()))
