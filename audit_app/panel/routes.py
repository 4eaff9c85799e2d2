"""The multi-agency panel: every agency's return on a case side by side, and what the panel agreed."""

from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from audit_app import concurrency
from audit_app.concurrency import CHOOSE
from audit_app.data import panel as panel_data
from audit_app.data.audits import REVEALED_STATES, get_case
from audit_app.data.tools import definition_of
from audit_app.input_guard import page_number
from audit_app.models import Audit, Case, PanelRecord
from audit_app.panel.forms import MAX_LENGTH, PanelRecordForm
from audit_app.results_access import results_audit_or_404 as _audit_or_404
from audit_app.security import roles_required
from audit_app.transactions import saved
from audit_tools.returns import compare_by_section, count_differences, overall_judgements
from audit_tools.states import Role

bp = Blueprint("panel", __name__, url_prefix="/audits")

RECORDERS = (Role.PANEL, Role.COORDINATOR)  # editors may read the panel's pages but not record on them


def _case_or_404(audit: Audit, case_id: int) -> Case:
    case = get_case(audit, case_id)
    if case is None or not case.included:
        abort(404)
    return case


def _not_revealed(audit: Audit) -> str:
    """Coordinators follow the audit throughout: tell them when the panel opens rather than refuse them."""
    return render_template("panel/not_yet.html", audit=audit)


@bp.get("/<int:audit_id>/panel")
@roles_required(Role.COORDINATOR, Role.PANEL, Role.EDITOR)
def index(audit_id: int) -> ResponseReturnValue:
    audit = _audit_or_404(audit_id)
    if audit.state not in REVEALED_STATES:
        return _not_revealed(audit)
    definition = definition_of(audit.tool_version)
    show = request.args.get("show", "all")
    if show not in panel_data.SHOWN:
        show = "all"
    return render_template(
        "panel/index.html",
        audit=audit,
        overall=definition.overall_question,
        found=panel_data.panel_cases(audit, definition, show, page_number(request.args.get("page"))),
        show=show,
        page_size=panel_data.PAGE_SIZE,
        panel_open=panel_data.is_panel_open(audit),
    )


@bp.get("/<int:audit_id>/panel/<int:case_id>")
@roles_required(Role.COORDINATOR, Role.PANEL, Role.EDITOR)
def case(audit_id: int, case_id: int) -> ResponseReturnValue:
    audit = _audit_or_404(audit_id)
    case = _case_or_404(audit, case_id)
    if audit.state not in REVEALED_STATES:
        return _not_revealed(audit)
    record = panel_data.panel_record(case)
    definition = definition_of(audit.tool_version)
    version = record.version if record else 0
    form = PanelRecordForm(
        definition.overall_question,
        data={**_stored(record), "version": version, "base": _base_token(case, version, record)},
    )
    return _render_case(audit, case, form)


@bp.post("/<int:audit_id>/panel/<int:case_id>")
@roles_required(*RECORDERS)
def save(audit_id: int, case_id: int) -> ResponseReturnValue:
    """Save the panel's record; a stale form or a closed panel keeps what was typed on screen."""
    audit = _audit_or_404(audit_id)
    case = _case_or_404(audit, case_id)
    if audit.state not in REVEALED_STATES:
        return _not_revealed(audit), 409
    form = PanelRecordForm(definition_of(audit.tool_version).overall_question)
    if not panel_data.is_panel_open(audit):
        return _render_case(
            audit,
            case,
            form,
            unsaved=form.values(),
            error_description=(
                f"The panel's record can no longer be changed: the audit has moved on to {audit.state}. Nothing was "
                "saved. What you typed is shown below so that you can copy it."
            ),
        ), 409
    resolving = concurrency.resolving()
    if not form.validate_on_submit():
        if resolving:  # back to the choices: the plain form would let this record overwrite the other save
            return _conflict(audit, case, form, problems=_problems(form.errors), status=400)
        return _render_case(audit, case, form), 400
    values = form.values()
    if not resolving and concurrency.opened_from_other(form, "panel", case.id, panel_data.record_values(case)):
        return _conflict(audit, case, form)  # opened from another record than the one saved now: never overwrite it
    if resolving:
        stored = panel_data.record_values(case)
        merge = panel_data.merge_record(concurrency.posted_base(form, "panel", case.id), stored, values)
        chosen = concurrency.posted_resolution()
        values, unsettled = panel_data.resolve_record(merge, stored, form.values(), chosen.choices, chosen.combined)
        checked = form.check(values)  # exactly the rules of any save
        problems = {name: CHOOSE for name in unsettled} | _problems(checked.errors)
        if problems:
            return _conflict(audit, case, form, problems=problems, status=400)
        values = checked.values()
    with saved(
        f"The panel's record for case {case.reference} has been saved.",
        tell=False,
        refusals=panel_data.StalePanelRecordError,
    ) as outcome:
        panel_data.save_panel_record(case, values, current_user, concurrency.posted_version(form))
    if not outcome.ok:
        return _conflict(audit, case, form)
    return redirect(url_for("panel.case", audit_id=audit.id, case_id=case.id))


LABELS = {
    "agreed_grade": "Agreed overall judgement",
    "rationale": "Why the panel agreed it",
    "dissent": "Disagreement",
    "learning": "Learning for the partnership",
}


def _conflict(
    audit: Audit, case: Case, form: PanelRecordForm, problems: dict[str, str] | None = None, status: int = 409
) -> ResponseReturnValue:
    """Someone saved in between: merge what only one person changed, ask about what both changed, lose nothing."""
    concurrency.read_fresh()
    stored, mine = panel_data.record_values(case), form.values()
    base = concurrency.posted_base(form, "panel", case.id)
    merge = panel_data.merge_record(base, stored, mine)
    shared = concurrency.conflict_context(
        "panel", case.id, panel_data.current_version(case), base, merge, problems, _described
    )
    listed = shared.pop("problems")
    conflict = {
        "saved": stored,
        "mine": mine,
        "merge": merge,
        "labels": LABELS,
        "text_fields": panel_data.TEXT_FIELDS,
        **shared,
    }
    return _render_case(
        audit,
        case,
        PanelRecordForm(form.overall, formdata=None),
        conflict=conflict,
        problems=listed,
        theirs=panel_data.panel_record(case),
    ), status


def _described(name: str, message: str) -> str:
    return f"Choose which to keep for ‘{LABELS[name]}’" if message == CHOOSE else message


def _problems(errors: dict) -> dict[str, str]:
    return {name: messages[0] for name, messages in errors.items() if name in LABELS}


def _base_token(case: Case, version: int, record: PanelRecord | None) -> str:
    """The signed base the record form carries: fingerprints of the record stored at the version it holds."""
    return concurrency.base_token("panel", case.id, version, _stored(record))


def _stored(record: PanelRecord | None) -> dict[str, str]:
    return {name: getattr(record, name) for name in panel_data.RECORD_FIELDS} if record else {}


def _render_case(audit: Audit, case: Case, form: PanelRecordForm, **extra: Any) -> str:
    """The case page: returns side by side, each agency's overall judgement, and the panel's record."""
    definition = definition_of(audit.tool_version)
    returns = panel_data.case_returns(case)
    answers = panel_data.answers_by_agency(returns, definition)
    only_differences = request.args.get("differ") == "1"
    return render_template(
        "panel/case.html",
        audit=audit,
        case=case,
        definition=definition,
        returns=returns,
        form=form,
        sections=compare_by_section(definition, answers, only_differences=only_differences),
        only_differences=only_differences,
        differences=count_differences(definition, answers),
        overall=overall_judgements(definition, answers),
        record=panel_data.panel_record(case),
        editable=panel_data.is_panel_open(audit) and current_user.has_role(*RECORDERS),
        max_length=MAX_LENGTH,
        **extra,
    )
