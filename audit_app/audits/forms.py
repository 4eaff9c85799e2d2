"""Forms for setting up an audit and its cases."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput, GovFileInput, GovSelect, GovSubmitInput, GovTextArea, GovTextInput,
)
from wtforms import IntegerField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from audit_app.form_fields import OptionalDateField
from audit_tools.sample_frame import REFERENCE_PATTERN, parse_age


class AuditForm(FlaskForm):
    title = StringField("Title", widget=GovTextInput(), validators=[InputRequired("Enter a title"), Length(max=200)],
                        description="For example, Multi-agency neglect audit 2026")
    topic = StringField("Topic", widget=GovTextInput(), validators=[InputRequired("Enter the topic"), Length(max=100)],
                        description="One or two words used in the briefing title, such as Neglect")
    year = IntegerField("Year", widget=GovTextInput(),
                        validators=[InputRequired("Enter the year as a number, like 2026"),
                                    NumberRange(2000, 2100, "Enter a year between 2000 and 2100")])
    tool_version = SelectField("Audit tool", widget=GovSelect(), coerce=int,
                               validators=[InputRequired("Choose an audit tool")])
    purpose = TextAreaField("Purpose", widget=GovTextArea(), validators=[Optional(), Length(max=2000)],
                            description="Why the partnership is running this audit")
    scope = TextAreaField("Scope", widget=GovTextArea(), validators=[Optional(), Length(max=2000)],
                          description="Which children and which period of work the audit looks at")
    period_start = OptionalDateField("Period audited: from", description="For example, 1 10 2025")
    period_end = OptionalDateField("Period audited: to")
    returns_due = OptionalDateField("Returns due by")
    submit = SubmitField("Create audit", widget=GovSubmitInput())

    def validate_period_end(self, field):
        if field.data and self.period_start.data and field.data < self.period_start.data:
            raise ValidationError("The end of the period must be after its start")


class AgencyChoiceMixin:
    agencies = SelectMultipleField("Agencies that audit this case", widget=GovCheckboxesInput(), coerce=int,
                                   description="Each ticked agency is asked for one return on the case")


class CaseForm(AgencyChoiceMixin, FlaskForm):
    reference = StringField("Case reference", widget=GovTextInput(),
                            validators=[InputRequired("Enter the case reference"),
                                        Regexp(REFERENCE_PATTERN, message="Use 1 to 40 letters, digits, '-', '_' "
                                               "or '/', starting with a letter or digit")],
                            description="A pseudonymous reference, never the child's name, like NA26-07")
    age_years = StringField("Age in years", widget=GovTextInput(),
                            validators=[InputRequired("Enter the child's age in years, like 1.5")],
                            description="Whole or half years, like 1.5 — never a date of birth")
    locality = StringField("Locality", widget=GovTextInput(),
                           validators=[InputRequired("Enter the locality"), Length(max=80)])
    plan_type = StringField("Plan type", widget=GovTextInput(),
                            validators=[InputRequired("Enter the plan type"), Length(max=80)],
                            description="For example, Child protection plan – neglect")
    submit = SubmitField("Add case", widget=GovSubmitInput())

    def validate_age_years(self, field):
        if parse_age(field.data or "") is None:
            raise ValidationError("Enter an age in years from 0 to 17, like 1.5")


class UploadForm(AgencyChoiceMixin, FlaskForm):
    file = FileField("CSV file", widget=GovFileInput(), validators=[FileRequired("Choose a CSV file to upload")])
    submit = SubmitField("Upload cases", widget=GovSubmitInput())


class CaseAgenciesForm(AgencyChoiceMixin, FlaskForm):
    submit = SubmitField("Save agencies", widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    """A form with nothing but its CSRF token, for buttons that change state."""
