"""Importing a sample frame: upload, then say what each column is (the mapping step), then import.

The uploaded file itself is never kept. It is read in the request that receives it; columns that
identify a person are left out there and then (``stage_table``) and only the rest is kept, in the
database, until the coordinator has chosen the mapping (see docs/PSEUDONYMS.md).
"""

from __future__ import annotations

import hashlib
from datetime import date

from flask import abort, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # not in the WTForms stubs yet
from wtforms.validators import Optional, ValidationError

from audit_app.audits.forms import FrameUploadForm
from audit_app.audits.routes import _audit_or_404, bp
from audit_app.data import frame_mapping as mapping_data
from audit_app.data import sampling as sampling_data
from audit_app.form_fields import VisibleText, at_most
from audit_app.models import Audit, FrameSource, StagedFrame
from audit_app.security import roles_required
from audit_app.transactions import saved
from audit_tools.privacy import key_from_environment
from audit_tools.sampling import FrameError, TableError, read_table
from audit_tools.sampling.frame_mapping import (
    NOT_AN_AGENCY,
    ROLE_LABELS,
    ColumnRole,
    FrameMapping,
    StagedTable,
    is_workbench_format,
    left_out_note,
    normalise_agency,
    parse_bands,
    stage_table,
    suggested_mapping,
    unmatched_agencies,
)
from audit_tools.sampling.frame_scan import ScanMemo
from audit_tools.states import Role


def _pseudonym_key() -> bytes | None:
    try:
        return key_from_environment(current_app.config.get("PSEUDONYM_KEY"))
    except ValueError:
        return None


@bp.route("/<int:audit_id>/frame", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR)
def frame(audit_id: int) -> ResponseReturnValue:
    """Upload the list of candidate cases; a known export imports at once, anything else is mapped first."""
    audit = _audit_or_404(audit_id)
    form = FrameUploadForm()
    sources = mapping_data.list_sources()
    form.source.choices = [
        SelectChoice(0, "Somewhere new: show me its columns"),
        *(SelectChoice(s.id, s.label) for s in sources),
    ]
    problems: list[str] = []
    if form.validate_on_submit():
        filename = form.file.data.filename or "frame"
        data = form.file.data.read(current_app.config["MAX_FRAME_BYTES"] + 1)
        source = mapping_data.get_source(form.source.data)
        with saved(tell=False, refusals=(TableError, FrameError)) as outcome:
            table = read_table(data, filename, max_bytes=current_app.config["MAX_FRAME_BYTES"], keep_identifying=True)
            digest = hashlib.sha256(data).hexdigest()
            memo: ScanMemo = {}  # the values scanned for personal details, for this request only
            staged = stage_table(table, date.today(), row_word=mapping_data.row_word_of(filename), memo=memo)
            del table, data  # nothing that identifies a person outlives this line
            row = _stage_or_import(audit, staged, source, filename, digest, memo)
            del memo
            outcome.success = "" if row is not None else _imported(staged)
        if outcome.ok:
            if row is not None:
                return redirect(
                    url_for(
                        "audits.map_frame", audit_id=audit.id, staged_id=row.id, source=source.id if source else None
                    )
                )
            return redirect(url_for("audits.sample", audit_id=audit.id))
        problems = outcome.error.problems if isinstance(outcome.error, (TableError, FrameError)) else []
        form.file.errors.append("The frame was not imported. Correct the problems listed and upload it again.")
    return render_template(
        "audits/frame.html", audit=audit, form=form, problems=problems, frame=sampling_data.latest_frame(audit)
    )


def _imported(staged: StagedTable) -> str:
    return "Sample frame imported." + left_out_note(staged)


def _stage_or_import(
    audit: Audit, staged: StagedTable, source: FrameSource | None, filename: str, digest: str, memo: ScanMemo
) -> StagedFrame | None:
    """Import at once when nothing needs a choice (the workbench's own columns, or a remembered source
    that covers every column); otherwise keep the staged upload for the mapping page."""
    roles, not_agencies = mapping_data.source_mapping(source)
    mapping = suggested_mapping(staged, roles)
    mapping = FrameMapping(mapping.roles, not_agencies)
    covered = source is not None and set(staged.columns) <= set(roles) and not set(roles) - set(staged.columns)
    if (covered or (source is None and is_workbench_format(staged))) and not unmatched_agencies(
        staged, mapping, mapping_data.agency_names()
    ):
        try:
            mapping_data.import_mapped(
                audit,
                staged,
                mapping,
                filename=filename,
                digest=digest,
                user=current_user,
                pseudonym_key=_pseudonym_key(),
                numbers_agency=mapping_data.numbers_agency_of(source),
                number_key=current_app.config.get("CASE_NUMBER_KEY"),
                scan_memo=memo,
            )
            return None
        except FrameError:
            if source is None:
                raise
    return mapping_data.stage_upload(audit, current_user, filename, digest, staged)


@bp.route("/<int:audit_id>/frame/<int:staged_id>", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR)
def map_frame(audit_id: int, staged_id: int) -> ResponseReturnValue:
    """Say what each column of the uploaded frame is, match its agency names, and import it."""
    audit = _audit_or_404(audit_id)
    row = mapping_data.staged_upload(audit, current_user, staged_id) or abort(404)
    staged = mapping_data.staged_table(row)
    source_id = request.args.get("source", type=int)
    roles, not_agencies = mapping_data.source_mapping(mapping_data.get_source(source_id))
    suggested = suggested_mapping(staged, roles)
    posted = _posted_roles(staged) if request.method == "POST" else suggested.roles
    unmatched = unmatched_agencies(staged, FrameMapping(posted, not_agencies), mapping_data.agency_names())
    form = _mapping_form(staged, suggested, unmatched)
    problems: list[str] = []
    if form.validate_on_submit():
        choices = {**not_agencies, **{name: form[_agency_field(name)].data for name, _ in unmatched}}
        mapping = FrameMapping(posted, {normalise_agency(k): v for k, v in choices.items()})
        numbers_agency = mapping_data.get_agency(form.numbers_agency.data)
        with saved(tell=False, refusals=FrameError) as outcome:
            mapping_data.save_aliases(mapping.agencies)
            if form.remember_as.data and form.remember_as.data.strip():
                mapping_data.remember(form.remember_as.data.strip(), mapping, current_user, numbers_agency)
            mapping_data.import_mapped(
                audit,
                staged,
                mapping,
                filename=row.upload_file,
                digest=row.sha256,
                user=current_user,
                pseudonym_key=_pseudonym_key(),
                numbers_agency=numbers_agency,
                number_key=current_app.config.get("CASE_NUMBER_KEY"),
            )
            mapping_data.discard_staged(row)
            outcome.success = _imported(staged)
        if outcome.ok:
            return redirect(url_for("audits.sample", audit_id=audit.id))
        problems = outcome.error.problems if isinstance(outcome.error, FrameError) else [str(outcome.error)]
    return render_template(
        "audits/frame_map.html",
        audit=audit,
        staged=staged,
        upload=row,
        form=form,
        unmatched=unmatched,
        agency_field=_agency_field,
        problems=problems,
    )


def _posted_roles(staged: StagedTable) -> dict[str, ColumnRole]:
    roles = {}
    for index, column in enumerate(staged.columns):
        value = request.form.get(f"role_{index}", ColumnRole.LEAVE_OUT)
        roles[column] = ColumnRole(value) if value in ColumnRole.__members__.values() else ColumnRole.LEAVE_OUT
    return roles


def _agency_field(name: str) -> str:
    return "agency_" + hashlib.sha256(normalise_agency(name).encode()).hexdigest()[:12]


def _mapping_form(staged: StagedTable, suggested: FrameMapping, unmatched: list[tuple[str, int]]) -> FlaskForm:
    fields: dict[str, object] = {}
    for index, column in enumerate(staged.columns):
        allowed = (
            [ColumnRole.DATE_OF_BIRTH, ColumnRole.LEAVE_OUT]
            if column in staged.birth_columns
            else [r for r in ColumnRole if r != ColumnRole.DATE_OF_BIRTH]
        )
        fields[f"role_{index}"] = SelectField(
            f"What is the column {column}?",
            widget=GovSelect(),
            default=str(suggested.roles[column]),
            choices=[SelectChoice(str(r), ROLE_LABELS[r]) for r in allowed],
        )
    agencies = [SelectChoice(a.short_name, a.name) for a in mapping_data.partnership_agencies()]
    for name, _rows in unmatched:
        fields[_agency_field(name)] = SelectField(
            name,
            widget=GovSelect(),
            choices=[SelectChoice("?", "Choose an agency"), *agencies, SelectChoice(NOT_AN_AGENCY, "Not an agency")],
            default="?",
            validators=[_chosen],
        )
    fields["numbers_agency"] = SelectField(
        "Whose case numbers are in the case number column?",
        widget=GovSelect(),
        default="",
        choices=[SelectChoice("", "Do not keep them: pseudonyms only"), *agencies],
        description="Kept encrypted, and shown only to that agency's auditors and the coordinators, so they can "
        "find the child's record. Removed by the retention run.",
    )
    fields["remember_as"] = StringField(
        "Remember this mapping as (optional)",
        widget=GovTextInput(),
        validators=[Optional(), at_most(120, "The name of the source")],
        description="For example: Our case system's CP export. Choose it when you next upload, to import in one step.",
    )
    fields["submit"] = SubmitField("Import the sample frame", widget=GovSubmitInput())
    return type("FrameMappingForm", (FlaskForm,), fields)()


def _chosen(_form: FlaskForm, field: SelectField) -> None:
    if field.data == "?":
        raise ValidationError(f"Choose the agency that {field.label.text!r} stands for, or 'Not an agency'")


class AgeBandsForm(FlaskForm):
    bands = TextAreaField(
        "Age bands",
        widget=GovTextArea(),
        validators=[VisibleText("Enter the age bands"), at_most(2000, "The age bands")],
        description="One band a line, youngest first: its label, a comma, and the age in whole years it ends "
        "before. For example: 0-2, 3",
    )
    submit = SubmitField("Save the age bands", widget=GovSubmitInput())


@bp.route("/age-bands", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR)
def age_bands() -> ResponseReturnValue:
    """The partnership's age bands, used when a frame gives ages in years (or dates of birth) but no band."""
    current = mapping_data.age_bands()
    form = AgeBandsForm(data={"bands": "\n".join(f"{label}, {upper}" for upper, label in current)})
    if form.validate_on_submit():
        try:
            bands = parse_bands(form.bands.data or "")
        except ValueError as error:
            form.bands.errors = [str(error)]
        else:
            with saved("Age bands saved. Frames imported from now on use them."):
                mapping_data.set_age_bands(bands, current_user)
            return redirect(url_for("audits.age_bands"))
    return render_template("audits/age_bands.html", form=form, bands=current)
