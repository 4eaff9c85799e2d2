"""Audit set-up for PAQA coordinators: audits, cases, agencies and progress."""

from datetime import date
from decimal import Decimal
from typing import cast

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as BaseResponse
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # not in the WTForms stubs yet

from audit_app.audits.forms import (
    AcknowledgeConcernForm,
    AuditForm,
    CaseAgenciesForm,
    CaseForm,
    UploadForm,
    edit_audit_form,
    extension_field,
)
from audit_app.data import audits as audit_data
from audit_app.data import concerns as concern_data
from audit_app.data import frame_mapping as mapping_data
from audit_app.data import sampling as sampling_data
from audit_app.data.tools import published_versions
from audit_app.data.users import list_agencies, users_with_role
from audit_app.extensions import db
from audit_app.forms import ConfirmForm
from audit_app.input_guard import database_id, page_number
from audit_app.models import Agency, Audit
from audit_app.security import roles_required
from audit_app.transactions import saved
from audit_tools.sampling import FrameError, TableError, case_row, parse_age, read_table
from audit_tools.sampling.frame_mapping import left_out_note, stage_table
from audit_tools.sampling.frame_scan import ScanMemo
from audit_tools.states import AuditState, ConcernState, Role

bp = Blueprint("audits", __name__, url_prefix="/audits")
CASE_EDIT_STATES = (AuditState.SETUP, AuditState.OPEN)
AUDIT_FIELDS = ("title", "topic", "year", "purpose", "scope", "period_start", "period_end", "returns_due", "panel_due")
ADVANCE_ACTIONS: dict[AuditState | None, str] = {  # None: nothing comes next, so no action
    AuditState.OPEN: "Open the audit for returns",
    AuditState.PANEL: "Close returns and reveal them to the panel",
    AuditState.ANALYSIS: "Move to analysis",
    AuditState.CLOSED: "Close the audit",
}
STATE_MESSAGES = {
    AuditState.OPEN: "The audit is open: auditors can now see and complete their returns.",
    AuditState.PANEL: "Returns are closed and revealed to the panel.",
    AuditState.ANALYSIS: "The audit has moved to analysis.",
    AuditState.CLOSED: "The audit is closed. Its published briefing stays in the library and its actions in the "
    "action plan.",
}


def _audit_or_404(audit_id: int) -> Audit:
    audit = audit_data.get_audit(audit_id)
    if audit is None:
        abort(404)
    return audit


def _with_agency_choices(form: FlaskForm, keep: frozenset[int] = frozenset()) -> FlaskForm:
    """Current agencies are offered; a retired one only where it already returns (``keep``)."""
    form.agencies.choices = [SelectChoice(a.id, a.name) for a in list_agencies() if not a.retired or a.id in keep]
    return form


def _chosen_agencies(form: FlaskForm) -> list[Agency]:
    chosen = set(form.agencies.data or [])
    return [a for a in list_agencies() if a.id in chosen]


def _require_case_editing(audit: Audit) -> BaseResponse | None:
    if audit.state not in CASE_EDIT_STATES:
        flash(f"Cases cannot be changed once the audit is in the {audit.state} state.", "error")
        return redirect(url_for("audits.show", audit_id=audit.id))
    return None


@bp.get("/")
@roles_required(Role.COORDINATOR)
def index() -> ResponseReturnValue:
    return render_template("audits/index.html", audits=audit_data.audits_with_case_counts())


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR)
def new() -> ResponseReturnValue:
    form = AuditForm()
    form.tool_version.choices = [
        SelectChoice(v.id, f"{v.tool.name} (version {v.version})") for v in published_versions()
    ]
    if form.validate_on_submit():
        fields = {name: form[name].data for name in AUDIT_FIELDS}  # named, never whatever was posted
        audit = audit_data.create_audit(current_user, tool_version_id=form.tool_version.data, **fields)
        db.session.commit()
        flash("Audit created. Now add the cases to be audited.", "success")
        return redirect(url_for("audits.show", audit_id=audit.id))
    return render_template("audits/new.html", form=form)


def coordinator_choices(audit: Audit) -> list[SelectChoice]:
    """Every active coordinator, and the audit's present lead even if they can no longer act (so the form
    opens as saved and says so)."""
    people = users_with_role(Role.COORDINATOR)
    lead = audit.coordinator
    choices = [SelectChoice("", "Every coordinator")]
    choices += [SelectChoice(str(u.id), f"{u.display_name} ({u.email})") for u in people]
    if lead is not None and lead not in people:
        choices.append(SelectChoice(str(lead.id), f"{lead.display_name} ({lead.email}), who can no longer act"))
    return choices


@bp.route("/<int:audit_id>/edit", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR)
def edit(audit_id: int) -> ResponseReturnValue:
    """Change an audit's details, its due dates and each agency's extension; the trail names what changed."""
    audit = _audit_or_404(audit_id)
    agencies = audit_data.returning_agencies(audit)
    extended = audit_data.extensions(audit)
    stored = {name: getattr(audit, name) for name in audit_data.EDITABLE_FIELDS}
    stored |= {extension_field(a.id): extended.get(a.id) for a in agencies}
    stored["coordinator_id"] = str(audit.coordinator_id or "")
    form = edit_audit_form([(a.id, a.name) for a in agencies], data=stored)
    form.coordinator_id.choices = coordinator_choices(audit)
    if form.validate_on_submit():
        details = {name: form[name].data for name in audit_data.EDITABLE_FIELDS if name != "coordinator_id"}
        with saved("Audit details saved.") as outcome:
            changed = audit_data.update_audit(audit, current_user, **details, coordinator_id=form.lead_id())
            moved = audit_data.set_extensions(
                audit, {a.id: form[extension_field(a.id)].data for a in agencies}, current_user
            )
            if not changed and not moved:
                outcome.success = "Nothing was changed."
        if outcome.ok:
            return redirect(url_for("audits.show", audit_id=audit.id))
    return render_template(
        "audits/edit.html",
        audit=audit,
        form=form,
        extension_fields=[form[extension_field(a.id)] for a in agencies],
    )


@bp.get("/<int:audit_id>")
@roles_required(Role.COORDINATOR)
def show(audit_id: int) -> ResponseReturnValue:
    audit = _audit_or_404(audit_id)
    return render_template(
        "audits/show.html",
        audit=audit,
        grid=audit_data.progress_grid(
            audit,
            show=request.args.get("show", "all"),
            page=page_number(request.args.get("page")),
            agency_id=database_id(request.args.get("agency")),
        ),
        page_size=audit_data.GRID_PAGE_SIZE,
        next_state=audit_data.NEXT_STATE.get(audit.state),
        confirm=ConfirmForm(),
        can_edit_cases=audit.state in CASE_EDIT_STATES,
        sampling=sampling_data.current_sampling(audit),
        has_frame=sampling_data.latest_frame(audit) is not None,
        concerns=concern_data.concerns_of_audit(audit),
    )


@bp.route("/<int:audit_id>/cases/new", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR)
def new_case(audit_id: int) -> ResponseReturnValue:
    audit = _audit_or_404(audit_id)
    if refused := _require_case_editing(audit):
        return refused
    form = _with_agency_choices(CaseForm())
    if form.validate_on_submit():
        # validate_age_years refused an age parse_age cannot read
        row = case_row(
            form.reference.data,
            cast(Decimal, parse_age(form.age_years.data)),
            form.locality.data.strip(),
            form.plan_type.data.strip(),
        )
        with saved(f"Case {row.reference} added.", tell=False) as outcome:
            audit_data.add_cases(audit, [row], current_user, _chosen_agencies(form))
        if outcome.ok:
            return redirect(url_for("audits.show", audit_id=audit.id))
        form.reference.errors.append(str(outcome.error))
    return render_template("audits/case_new.html", audit=audit, form=form)


@bp.route("/<int:audit_id>/cases/upload", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR)
def upload_cases(audit_id: int) -> ResponseReturnValue:
    audit = _audit_or_404(audit_id)
    if refused := _require_case_editing(audit):
        return refused
    form = _with_agency_choices(UploadForm())
    form.source.choices = [form.source.choices[0], *(SelectChoice(s.id, s.label) for s in mapping_data.list_sources())]
    problems: list[str] = []
    if form.validate_on_submit():
        filename = form.file.data.filename or ""
        roles, _not_agencies = mapping_data.source_mapping(mapping_data.get_source(form.source.data))
        with saved(tell=False) as outcome:
            # the frame's reader, staging and checks: columns that identify a person are left out, dates
            # of birth become ages, full agency names and aliases are matched (an equivalent of the
            # mapping step, with the roles suggested from the column names)
            table = read_table(
                form.file.data.read(current_app.config["MAX_CSV_BYTES"] + 1),
                filename,
                max_bytes=current_app.config["MAX_CSV_BYTES"],
                keep_identifying=True,
            )
            memo: ScanMemo = {}
            row_word = "Row" if filename.lower().endswith(".xlsx") else "Line"
            staged = stage_table(table, date.today(), row_word=row_word, memo=memo, leave_out_by_values=False)
            del table  # nothing that identifies a person outlives this line
            rows = mapping_data.mapped_case_rows(
                audit, staged, roles, require_agencies=not form.agencies.data, scan_memo=memo
            )
            cases = audit_data.add_cases(audit, rows, current_user, _chosen_agencies(form))
            outcome.success = f"{len(cases)} case{'s' if len(cases) != 1 else ''} imported." + left_out_note(staged)
        if outcome.ok:
            return redirect(url_for("audits.show", audit_id=audit.id))
        error = outcome.error
        problems = error.problems if isinstance(error, (TableError, FrameError)) else [str(error)]
        form.file.errors.append("The file was not imported. Correct the problems listed and upload it again.")
    return render_template("audits/upload.html", audit=audit, form=form, problems=problems)


@bp.route("/<int:audit_id>/cases/<int:case_id>/agencies", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR)
def case_agencies(audit_id: int, case_id: int) -> ResponseReturnValue:
    audit = _audit_or_404(audit_id)
    case = audit_data.get_case(audit, case_id) or abort(404)
    if refused := _require_case_editing(audit):
        return refused
    form = _with_agency_choices(
        CaseAgenciesForm(data={"agencies": [r.agency_id for r in case.returns]}),
        keep=frozenset(r.agency_id for r in case.returns),
    )
    if form.validate_on_submit():
        with saved(f"Agencies for case {case.reference} saved.", tell=False) as outcome:
            audit_data.set_case_agencies(case, _chosen_agencies(form), current_user)
        if outcome.ok:
            return redirect(url_for("audits.show", audit_id=audit.id))
        form.agencies.errors.append(str(outcome.error))
    return render_template("audits/case_agencies.html", audit=audit, case=case, form=form, confirm=ConfirmForm())


@bp.post("/<int:audit_id>/cases/<int:case_id>/remove")
@roles_required(Role.COORDINATOR)
def remove_case(audit_id: int, case_id: int) -> ResponseReturnValue:
    """Remove a case added by mistake, while no agency has started on it."""
    audit = _audit_or_404(audit_id)
    case = audit_data.get_case(audit, case_id) or abort(404)
    if refused := _require_case_editing(audit):
        return refused
    if ConfirmForm().validate_on_submit():
        with saved(f"Case {case.reference} removed from the audit.") as outcome:
            audit_data.remove_case(case, current_user)
        if not outcome.ok:
            return redirect(url_for("audits.case_agencies", audit_id=audit.id, case_id=case_id))
    return redirect(url_for("audits.show", audit_id=audit.id))


@bp.route("/<int:audit_id>/advance", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR)
def advance(audit_id: int) -> ResponseReturnValue:
    """Confirm, then move the audit to its next state; the page says what will happen first."""
    audit = _audit_or_404(audit_id)
    check = audit_data.transition_check(audit)
    form = ConfirmForm()
    if form.validate_on_submit() and not check.blockers:
        with saved() as outcome:
            outcome.success = STATE_MESSAGES[audit_data.advance(audit, current_user)]
        if outcome.ok:
            return redirect(url_for("audits.show", audit_id=audit.id))
    return render_template(
        "audits/advance.html", audit=audit, check=check, form=form, action=ADVANCE_ACTIONS.get(check.target, "")
    )


@bp.route("/<int:audit_id>/concerns/<int:concern_id>", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR)
def concern(audit_id: int, concern_id: int) -> ResponseReturnValue:
    """A current safeguarding concern: what the auditor did, and the coordinator's acknowledgement."""
    audit = _audit_or_404(audit_id)
    found = concern_data.get_concern_in_audit(audit, concern_id) or abort(404)
    form = AcknowledgeConcernForm()
    if form.validate_on_submit():
        with saved(f"Concern on case {found.ret.case.reference} acknowledged.") as outcome:
            concern_data.acknowledge(found, form.action_taken.data or "", current_user)
        if outcome.ok:
            return redirect(url_for("audits.show", audit_id=audit.id, _anchor="concerns"))
        db.session.refresh(found)  # as it is now: someone may have acknowledged it meanwhile
    page = render_template("audits/concern.html", audit=audit, concern=found, form=form, close_form=ConfirmForm())
    if request.method == "POST" and found.state != ConcernState.RAISED:
        return page, 409  # acknowledged meanwhile: the page shows what was recorded, and what this person typed
    return page


@bp.post("/<int:audit_id>/concerns/<int:concern_id>/close")
@roles_required(Role.COORDINATOR)
def close_concern(audit_id: int, concern_id: int) -> ResponseReturnValue:
    """Close an acknowledged concern: it needs nothing more from the audit."""
    audit = _audit_or_404(audit_id)
    found = concern_data.get_concern_in_audit(audit, concern_id) or abort(404)
    if ConfirmForm().validate_on_submit():
        with saved(f"Concern on case {found.ret.case.reference} closed."):
            concern_data.close(found, current_user)
    else:
        flash("That form had expired. Please try again.", "error")
    return redirect(url_for("audits.show", audit_id=audit.id, _anchor="concerns"))
