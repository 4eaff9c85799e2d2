"""Drawing the sample: import a sample frame, draw a reproducible sample, exclude and replace cases."""

import csv
import io
import secrets
from typing import cast

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput
from werkzeug.wrappers import Response as BaseResponse
from wtforms import SelectMultipleField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # not in the WTForms stubs yet

from audit_app.audits.forms import AmendmentForm, ExcludeForm, SamplingForm
from audit_app.audits.routes import _audit_or_404, _chosen_agencies, _with_agency_choices, bp
from audit_app.data import audits as audit_data
from audit_app.data import reminders as reminder_data
from audit_app.data import returns as return_data
from audit_app.data import sampling as sampling_data
from audit_app.data.assignments import agency_auditors, set_assignments
from audit_app.data.tools import definition_of
from audit_app.extensions import db
from audit_app.forms import ConfirmForm
from audit_app.links import external_url
from audit_app.mail import mail_configured
from audit_app.models import Agency, Audit, Return, User
from audit_app.security import roles_required
from audit_app.transactions import saved
from audit_tools.files import spreadsheet_safe
from audit_tools.returns import is_visible
from audit_tools.sampling import SamplingPlan
from audit_tools.states import Role


@bp.route("/<int:audit_id>/sample", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR)
def sample(audit_id: int) -> ResponseReturnValue:
    """Choose how to draw the sample, with the seed that makes it reproducible."""
    audit = _audit_or_404(audit_id)
    frame = sampling_data.latest_frame(audit)
    if frame is None:
        flash("Import a sample frame first: the list of children the sample is drawn from.", "info")
        return redirect(url_for("audits.frame", audit_id=audit.id))
    form = _with_agency_choices(SamplingForm(data={"seed": secrets.randbelow(1_000_000)}))
    form.strata.choices = [SelectChoice(c, c.replace("_", " ").capitalize()) for c in sampling_data.stratifiable(frame)]
    if form.validate_on_submit():
        plan = SamplingPlan(
            form.method.data,
            form.size.data or 0,
            tuple(form.strata.data or ()),
            form.allocation.data or "proportional",
            form.minimum_per_stratum.data or 0,
            tuple(line.strip() for line in (form.manual_references.data or "").splitlines() if line.strip()),
        )
        with saved(tell=False) as outcome:
            sampling, _ = sampling_data.draw(audit, frame, plan, form.seed.data, current_user, _chosen_agencies(form))
            outcome.success = sampling.statement
        if outcome.ok:
            return redirect(url_for("audits.show", audit_id=audit.id))
        form.method.errors.append(str(outcome.error))
    return render_template(
        "audits/sample.html",
        audit=audit,
        form=form,
        frame=frame,
        sampling=sampling_data.current_sampling(audit),
        confirm=ConfirmForm(),
    )


@bp.post("/<int:audit_id>/sample/discard")
@roles_required(Role.COORDINATOR)
def discard_sample(audit_id: int) -> ResponseReturnValue:
    audit = _audit_or_404(audit_id)
    if ConfirmForm().validate_on_submit():
        with saved("The sample was discarded. You can draw it again."):
            sampling_data.discard_sample(audit, current_user)
    return redirect(url_for("audits.sample", audit_id=audit.id))


@bp.route("/<int:audit_id>/cases/<int:case_id>/exclude", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR)
def exclude_case(audit_id: int, case_id: int) -> ResponseReturnValue:
    """Exclude a sampled case with a reason; a replacement is drawn from the same group."""
    audit = _audit_or_404(audit_id)
    case = audit_data.get_case(audit, case_id) or abort(404)
    form = ExcludeForm()
    if form.validate_on_submit():
        with saved(tell=False) as outcome:
            # the reason is validated: VisibleText
            replacement = sampling_data.exclude_case(case, cast(str, form.reason.data), current_user)
            outcome.success = f"Case {case.reference} excluded. " + (
                f"Case {replacement.reference} was drawn to replace it."
                if replacement
                else "No case is left in its group to replace it."
            )
        if outcome.ok:
            return redirect(url_for("audits.show", audit_id=audit.id))
        form.reason.errors = [*form.reason.errors, str(outcome.error)]
    return render_template("audits/exclude.html", audit=audit, case=case, form=form)


@bp.get("/<int:audit_id>/outstanding.csv")
@roles_required(Role.COORDINATOR)
def outstanding_csv(audit_id: int) -> ResponseReturnValue:
    """Who owes what, as a spreadsheet for chasing returns."""
    audit = _audit_or_404(audit_id)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Agency", "Case", "State", "Last saved by", "Due"])
    for item in audit_data.outstanding_returns(audit):
        writer.writerow(
            [
                spreadsheet_safe(item.agency),
                spreadsheet_safe(item.reference),
                item.state,
                spreadsheet_safe(item.last_saved_by),
                item.due.isoformat() if item.due else "",
            ]
        )
    return Response(
        buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="outstanding-returns-audit-{audit.id}.csv"'},
    )


@bp.post("/<int:audit_id>/reminders")
@roles_required(Role.COORDINATOR)
def send_reminders(audit_id: int) -> ResponseReturnValue:
    """E-mail every auditor whose agency still owes returns (kept in the outbox with no MAIL_SERVER)."""
    audit = _audit_or_404(audit_id)
    if ConfirmForm().validate_on_submit():
        with saved() as outcome:
            sent = reminder_data.send_reminders(audit, external_url("returns.index"), current_user)
            plural = "s" if sent != 1 else ""
            if not sent:
                outcome.success = "Nobody owes a return."
            elif mail_configured():
                outcome.success = f"{sent} reminder{plural} sent."
            else:
                were = "was" if sent == 1 else "were"
                outcome.success = f"E-mail is not set up, so {sent} reminder{plural} {were} kept in the outbox instead."
    return redirect(url_for("audits.show", audit_id=audit.id))


@bp.route("/<int:audit_id>/auditors", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR)
def auditors(audit_id: int) -> ResponseReturnValue:
    """Name the auditors who do each agency's returns (none named: any of the agency's auditors)."""
    audit = _audit_or_404(audit_id)
    groups = agency_auditors(audit)
    form = _auditors_form(groups)
    if form.validate_on_submit():
        chosen = {
            agency.id: [int(v) for v in form[f"agency_{agency.id}"].data or []] for agency, _users, _named in groups
        }
        set_assignments(audit, chosen, current_user)
        db.session.commit()
        flash("Auditors saved.", "success")
        return redirect(url_for("audits.show", audit_id=audit.id))
    return render_template("audits/auditors.html", audit=audit, form=form, groups=groups)


def _auditors_form(groups: list[tuple[Agency, list[User], set[int]]]) -> FlaskForm:
    fields = {
        f"agency_{agency.id}": SelectMultipleField(
            agency.name,
            widget=GovCheckboxesInput(),
            coerce=int,
            default=sorted(named),
            choices=[SelectChoice(u.id, f"{u.display_name} ({u.email})") for u in users],
            description="Leave all unticked to let any of this agency's auditors do its returns",
        )
        for agency, users, named in groups
    }
    return type("AuditorsForm", (ConfirmForm,), fields)()


@bp.route("/<int:audit_id>/returns/<int:return_id>", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR)
def review_return(audit_id: int, return_id: int) -> ResponseReturnValue:
    """A submitted return, for the coordinator to accept or send back for amendment with a reason."""
    audit = _audit_or_404(audit_id)
    ret = return_data.get_return_in_audit(audit, return_id) or abort(404)
    definition = definition_of(audit.tool_version)
    form = AmendmentForm()
    if request.method == "POST" and request.form.get("accept"):
        return _accept(audit, ret)
    if form.validate_on_submit():
        with saved(tell=False) as outcome:
            return_data.return_for_amendment(ret, cast(str, form.reason.data), current_user)  # validated: VisibleText
            outcome.success = (
                f"The return from {ret.agency.name} on case {ret.case.reference} has been returned for amendment."
            )
        if outcome.ok:
            return redirect(url_for("audits.show", audit_id=audit.id))
        form.reason.errors = [str(outcome.error)]
    answers = return_data.load_answers(ret, definition)
    return render_template(
        "audits/review_return.html",
        audit=audit,
        ret=ret,
        definition=definition,
        answers=answers,
        shown=lambda question: is_visible(question, answers),
        form=form,
        confirm=ConfirmForm(),
    )


def _accept(audit: Audit, ret: Return) -> BaseResponse:
    if ConfirmForm().validate_on_submit():
        with saved(f"The return from {ret.agency.name} on case {ret.case.reference} is accepted.") as outcome:
            return_data.accept_return(ret, current_user)
        if not outcome.ok:
            return redirect(url_for("audits.review_return", audit_id=audit.id, return_id=ret.id))
    return redirect(url_for("audits.show", audit_id=audit.id))
