"""Forms for setting up an audit and its cases."""

from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    Field,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # not in the WTForms stubs yet
from wtforms.validators import InputRequired, NumberRange, Optional, Regexp, ValidationError

from audit_app.form_fields import NoPersonalDetails, OptionalDateField, VisibleText, at_most, seed_field
from audit_tools.sampling import REFERENCE_PATTERN, parse_age


class AuditForm(FlaskForm):
    title = StringField(
        "Title",
        widget=GovTextInput(),
        validators=[VisibleText("Enter a title"), at_most(200, "Title")],
        description="For example, Multi-agency neglect audit 2026",
    )
    topic = StringField(
        "Topic",
        widget=GovTextInput(),
        validators=[VisibleText("Enter the topic"), at_most(100, "Topic")],
        description="One or two words used in the briefing title, such as Neglect",
    )
    year = IntegerField(
        "Audit year",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter the year as a number, like 2026"),
            NumberRange(2000, 2100, "Enter a year between 2000 and 2100"),
        ],
    )
    tool_version = SelectField(
        "Audit tool", widget=GovSelect(), coerce=int, validators=[InputRequired("Choose an audit tool")]
    )
    purpose = TextAreaField(
        "Purpose",
        widget=GovTextArea(),
        validators=[Optional(), at_most(2000, "Purpose")],
        description="Why the partnership is running this audit",
    )
    scope = TextAreaField(
        "Scope",
        widget=GovTextArea(),
        validators=[Optional(), at_most(2000, "Scope")],
        description="Which children and which period of work the audit looks at",
    )
    period_start = OptionalDateField("Period audited: from", description="For example, 1 10 2025")
    period_end = OptionalDateField("Period audited: to")
    returns_due = OptionalDateField("Returns due by")
    panel_due = OptionalDateField("Panel meets on")
    submit = SubmitField("Create audit", widget=GovSubmitInput())

    def validate_panel_due(self, field: Field) -> None:
        if field.data and self.returns_due.data and field.data < self.returns_due.data:
            raise ValidationError("The panel must meet after the returns are due")

    def validate_period_end(self, field: Field) -> None:
        if field.data and self.period_start.data and field.data < self.period_start.data:
            raise ValidationError("The end of the period must be after its start")


class EditAuditForm(FlaskForm):
    """The details of an audit that may change after it is created; agencies' extensions are added per audit."""

    title = AuditForm.title
    purpose = AuditForm.purpose
    scope = AuditForm.scope
    period_start = AuditForm.period_start
    period_end = AuditForm.period_end
    returns_due = AuditForm.returns_due
    panel_due = AuditForm.panel_due
    coordinator_id = SelectField(
        "Lead coordinator",
        widget=GovSelect(),
        coerce=str,
        validate_choice=False,  # checked below, with a message that says what to do
        description="Told at once of a current safeguarding concern, and of returns as they are submitted. "
        "With no lead, every coordinator is told.",
    )
    submit = SubmitField("Save changes", widget=GovSubmitInput())
    validate_panel_due = AuditForm.validate_panel_due
    validate_period_end = AuditForm.validate_period_end

    extension_names: list[tuple[int, str]] = []

    def validate_coordinator_id(self, field: SelectField) -> None:
        if field.data not in {str(value) for value, *_ in field.iter_choices()}:
            raise ValidationError("Choose a coordinator from the list, or ‘Every coordinator’")

    def lead_id(self) -> int | None:
        """The chosen lead coordinator's id; None for every coordinator."""
        return int(self.coordinator_id.data) if self.coordinator_id.data else None

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        returns_due = self["returns_due"].data
        for agency_id, name in self.extension_names:
            field = self[extension_field(agency_id)]
            if field.data is None or field.errors:
                continue
            if returns_due is None:
                field.errors.append(f"Set the returns due date before giving {name} more time")
                ok = False
            elif field.data <= returns_due:
                field.errors.append(f"The date for {name} must be after the returns due date")
                ok = False
        return ok


def extension_field(agency_id: int) -> str:
    return f"extension_{agency_id}"


def edit_audit_form(agencies: list[tuple[int, str]], **kwargs: Any) -> EditAuditForm:
    """The edit form with one optional 'more time' date for each agency that returns on the audit."""

    class Form(EditAuditForm):
        pass

    for agency_id, name in agencies:
        setattr(
            Form,
            extension_field(agency_id),
            OptionalDateField(f"{name}: returns due by", description="Leave blank for the audit's returns due date"),
        )
    Form.extension_names = agencies
    return Form(**kwargs)


class AgencyChoiceMixin:
    agencies = SelectMultipleField(
        "Agencies that audit this case",
        widget=GovCheckboxesInput(),
        coerce=int,
        description="Each ticked agency is asked for one return on the case",
    )


class CaseForm(AgencyChoiceMixin, FlaskForm):
    reference = StringField(
        "Case reference",
        widget=GovTextInput(),
        validators=[
            VisibleText("Enter the case reference"),
            Regexp(
                f"^{REFERENCE_PATTERN.pattern}$",
                message="Use 1 to 40 letters, digits, '-', '_' or '/', starting with a letter or digit",
            ),
            NoPersonalDetails(),
        ],
        description="A pseudonymous reference, never the child's name, like NA26-07",
    )
    age_years = StringField(
        "Age in years",
        widget=GovTextInput(),
        validators=[VisibleText("Enter the child's age in years, like 1.5")],
        description="Whole or half years, like 1.5 — never a date of birth",
    )
    locality = StringField(
        "Locality",
        widget=GovTextInput(),
        validators=[VisibleText("Enter the locality"), at_most(80, "Locality"), NoPersonalDetails()],
    )
    plan_type = StringField(
        "Plan type",
        widget=GovTextInput(),
        validators=[VisibleText("Enter the plan type"), at_most(80, "Plan type"), NoPersonalDetails()],
        description="For example, Child protection plan – neglect",
    )
    submit = SubmitField("Add case", widget=GovSubmitInput())

    def validate_age_years(self, field: Field) -> None:
        if parse_age(field.data or "") is None:
            raise ValidationError("Enter an age in years from 0 to 17, like 1.5")


class UploadForm(AgencyChoiceMixin, FlaskForm):
    file = FileField(
        "Cases file (CSV or Excel .xlsx)",
        widget=GovFileInput(),
        validators=[FileRequired("Choose the CSV or Excel file of cases to upload")],
    )
    source = SelectField(
        "Where is the file from?",
        widget=GovSelect(),
        coerce=int,
        default=0,
        choices=[SelectChoice(0, "Somewhere new: recognise its columns by their names")],
        description="A source's mapping is remembered on the sample frame's mapping page; choose it to use it here",
    )
    submit = SubmitField("Upload cases", widget=GovSubmitInput())


class CaseAgenciesForm(AgencyChoiceMixin, FlaskForm):
    submit = SubmitField("Save agencies", widget=GovSubmitInput())


class FrameUploadForm(FlaskForm):
    file = FileField(
        "Sample frame (CSV or Excel .xlsx)",
        widget=GovFileInput(),
        validators=[FileRequired("Choose the sample frame file")],
    )
    source = SelectField(
        "Where is the file from?",
        widget=GovSelect(),
        coerce=int,
        default=0,
        choices=[SelectChoice(0, "Somewhere new: show me its columns")],
        description="Choose a source whose mapping was remembered to import its export in one step",
    )
    submit = SubmitField("Import the sample frame", widget=GovSubmitInput())


class SamplingForm(AgencyChoiceMixin, FlaskForm):
    method = RadioField(
        "How should the cases be chosen?",
        widget=GovRadioInput(),
        default="random",
        choices=[
            SelectChoice("random", "At random from the whole frame"),
            SelectChoice("stratified", "At random within groups (stratified)"),
            SelectChoice("manual", "Chosen by the PAQA sub-group (manual pick)"),
        ],
        validators=[InputRequired("Choose how the cases should be chosen")],
    )
    size = IntegerField(
        "Number of cases",
        widget=GovTextInput(),
        validators=[Optional(), NumberRange(1, 500, "Enter a number of cases from 1 to 500")],
        description="Partnerships usually audit 4 to 12 children",
    )
    strata = SelectMultipleField(
        "Group by (for stratified sampling)", widget=GovCheckboxesInput(), validators=[Optional()]
    )
    allocation = RadioField(
        "Cases per group",
        widget=GovRadioInput(),
        default="proportional",
        choices=[
            SelectChoice("proportional", "In proportion to each group's size"),
            SelectChoice("equal", "The same number from each group"),
        ],
        validators=[Optional()],
    )
    minimum_per_stratum = IntegerField(
        "At least this many from each group",
        widget=GovTextInput(),
        default=0,
        validators=[Optional(), NumberRange(0, 50, "Enter a number from 0 to 50")],
    )
    manual_references = TextAreaField(
        "References to include (for a manual pick)",
        widget=GovTextArea(),
        validators=[Optional(), at_most(20_000, "The list of references")],
        description="One reference per line, exactly as in the frame",
    )
    seed = seed_field("Recorded with the sample: the same frame, choices and seed always draw the same cases")
    submit = SubmitField("Draw the sample", widget=GovSubmitInput())


class ExcludeForm(FlaskForm):
    reason = TextAreaField(
        "Why is this case being excluded?",
        widget=GovTextArea(),
        validators=[VisibleText("Give the reason for excluding the case"), at_most(2000, "The reason")],
        description="For example: the family moved out of the area before the audit period",
    )
    submit = SubmitField("Exclude and draw a replacement", widget=GovSubmitInput())


class AmendmentForm(FlaskForm):
    reason = TextAreaField(
        "What needs amending?",
        widget=GovTextArea(),
        validators=[VisibleText("Say what needs amending"), at_most(2000, "What needs amending")],
        description="The auditor sees this at the top of the return. Do not include case details.",
    )
    submit = SubmitField("Return for amendment", widget=GovSubmitInput())


class AcknowledgeConcernForm(FlaskForm):
    """The coordinator acknowledges a current safeguarding concern, saying what they did (required)."""

    action_taken = TextAreaField(
        "What action have you taken?",
        widget=GovTextArea(),
        validators=[VisibleText("Say what action you have taken about the concern"), at_most(5000, "The action")],
        description="For example, who you told and what was agreed, using roles rather than names",
    )
