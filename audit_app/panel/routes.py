"""The multi-agency panel: every agency's return on a case side by side, and what the panel agreed."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from audit_app.data import panel as panel_data
from audit_app.data.audits import REVEALED_STATES, get_case
from audit_app.data.tools import definition_of
from audit_app.extensions import db
from audit_app.panel.forms import MAX_LENGTH, PanelRecordForm
from audit_app.results_access import results_audit_or_404 as _audit_or_404
from audit_app.security import roles_required
from audit_tools.panel import compare_by_section, count_differences, overall_judgements

bp = Blueprint("panel", __name__, url_prefix="/audits")

RECORDERS = ("panel", "coordinator")  # editors may read the panel's pages but not record on them


def _case_or_404(audit, case_id: int):
    case = get_case(audit, case_id)
    if case is None or not case.included:
        abort(404)
    return case


def _not_revealed(audit):
    """Coordinators follow the audit throughout: tell them when the panel opens rather than refuse them."""
    return render_template("panel/not_yet.html", audit=audit)


@bp.get("/<int:audit_id>/panel")
@roles_required("coordinator", "panel", "editor")
def index(audit_id: int):
    audit = _audit_or_404(audit_id)
    if audit.state not in REVEALED_STATES:
        return _not_revealed(audit)
    definition = definition_of(audit.tool_version)
    return render_template("panel/index.html", audit=audit, overall=definition.overall_question,
                           rows=panel_data.panel_cases(audit, definition), panel_open=panel_data.is_panel_open(audit))


@bp.get("/<int:audit_id>/panel/<int:case_id>")
@roles_required("coordinator", "panel", "editor")
def case(audit_id: int, case_id: int):
    audit = _audit_or_404(audit_id)
    case = _case_or_404(audit, case_id)
    if audit.state not in REVEALED_STATES:
        return _not_revealed(audit)
    record = panel_data.panel_record(case)
    definition = definition_of(audit.tool_version)
    form = PanelRecordForm(definition.overall_question,
                           data={**_stored(record), "version": record.version if record else 0})
    return _render_case(audit, case, form)


@bp.post("/<int:audit_id>/panel/<int:case_id>")
@roles_required(*RECORDERS)
def save(audit_id: int, case_id: int):
    """Save the panel's record; a stale form or a closed panel keeps what was typed on screen."""
    audit = _audit_or_404(audit_id)
    case = _case_or_404(audit, case_id)
    if audit.state not in REVEALED_STATES:
        return _not_revealed(audit), 409
    form = PanelRecordForm(definition_of(audit.tool_version).overall_question)
    if not panel_data.is_panel_open(audit):
        return _render_case(audit, case, form, unsaved=form.values(), error_description=(
            f"The panel's record can no longer be changed: the audit has moved on to {audit.state}. Nothing was "
            "saved. What you typed is shown below so that you can copy it.")), 409
    if not form.validate_on_submit():
        return _render_case(audit, case, form), 400
    try:
        panel_data.save_panel_record(case, form.values(), current_user, _posted_version(form))
    except panel_data.StalePanelRecordError:
        db.session.rollback()
        return _conflict(audit, case, form)
    db.session.commit()
    flash(f"The panel's record for case {case.reference} has been saved.", "success")
    return redirect(url_for("panel.case", audit_id=audit.id, case_id=case.id))


def _conflict(audit, case, form):
    """Someone saved in between: show their record beside the form, which still holds what this person typed."""
    db.session.expire_all()
    form.version.data = panel_data.current_version(case)
    return _render_case(audit, case, form, theirs=panel_data.panel_record(case), error_description=(
        "Someone else saved the panel's record for this case while you were working on it. Nothing has been "
        "overwritten and nothing you typed has been lost: their record is shown above yours. Combine the two, "
        "then save again.")), 409


def _stored(record) -> dict[str, str]:
    return {name: getattr(record, name) for name in panel_data.RECORD_FIELDS} if record else {}


def _posted_version(form) -> int | None:
    try:
        return int(form.version.data)
    except (TypeError, ValueError):
        return None  # missing or garbled: treated as a stale form, never as "current"


def _render_case(audit, case, form, **extra):
    """The case page: returns side by side, each agency's overall judgement, and the panel's record."""
    definition = definition_of(audit.tool_version)
    returns = panel_data.case_returns(case)
    answers = panel_data.answers_by_agency(returns, definition)
    only_differences = request.args.get("differ") == "1"
    return render_template(
        "panel/case.html", audit=audit, case=case, definition=definition, returns=returns, form=form,
        sections=compare_by_section(definition, answers, only_differences=only_differences),
        only_differences=only_differences, differences=count_differences(definition, answers),
        overall=overall_judgements(definition, answers), record=panel_data.panel_record(case),
        editable=panel_data.is_panel_open(audit) and current_user.has_role(*RECORDERS), max_length=MAX_LENGTH, **extra)
