from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovSelect, GovSubmitInput, GovTextInput
from wtforms import SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # not in the WTForms stubs yet
from wtforms.validators import InputRequired, Length, Regexp

from audit_app.form_fields import VisibleText, at_most
from audit_app.models import ROLES
from audit_tools.states import Role

ROLE_LABELS: dict[str, str] = {
    Role.ADMIN: "Administrator",
    Role.COORDINATOR: "PAQA coordinator",
    Role.AUDITOR: "Agency auditor",
    Role.PANEL: "Panel member",
    Role.EDITOR: "Business unit editor",
    Role.VIEWER: "Viewer (published briefings)",
    Role.QUALITY: "Quality-assurance group (moderates the returns they are named for)",
}


EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
EMAIL_FORMAT = "Enter an e-mail address in the right format, like name@agency.example"


class InviteForm(FlaskForm):
    email = StringField(
        "E-mail address",
        widget=GovTextInput(),
        validators=[
            VisibleText("Enter the person's work e-mail address"),
            Regexp(EMAIL_PATTERN, message=EMAIL_FORMAT),
            Length(max=254, message="E-mail address must be 254 characters or fewer"),
        ],
    )
    display_name = StringField(
        "Name as others will see it",
        widget=GovTextInput(),
        validators=[VisibleText("Enter the person's name"), at_most(120, "Name")],
    )
    roles = SelectMultipleField(
        "Roles",
        widget=GovCheckboxesInput(),
        choices=[SelectChoice(role, ROLE_LABELS[role]) for role in ROLES],
        validators=[InputRequired("Choose at least one role")],
    )
    agency = SelectField("Agency", widget=GovSelect(), description="Needed for agency auditors.", coerce=str)
    submit = SubmitField("Create the invitation", widget=GovSubmitInput())


class DisableForm(FlaskForm):
    submit = SubmitField("Disable", widget=GovSubmitInput())


class PersonForm(FlaskForm):
    """An administrator changes a person's roles and agency (name and e-mail address stay theirs)."""

    roles = SelectMultipleField(
        "Roles",
        widget=GovCheckboxesInput(),
        choices=[SelectChoice(role, ROLE_LABELS[role]) for role in ROLES],
        validators=[InputRequired("Choose at least one role")],
    )
    agency = SelectField("Agency", widget=GovSelect(), description="Needed for agency auditors.", coerce=str)
    submit = SubmitField("Save changes", widget=GovSubmitInput())


class AgencyForm(FlaskForm):
    name = StringField(
        "Agency name",
        widget=GovTextInput(),
        validators=[VisibleText("Enter the agency's name"), at_most(120, "Agency name")],
    )
    short_name = StringField(
        "Short name",
        widget=GovTextInput(),
        description="Used in case files and tables, for example CSC.",
        validators=[VisibleText("Enter a short name"), at_most(20, "Short name")],
    )
    sector = StringField(
        "Sector",
        widget=GovTextInput(),
        description="For example health, police, education or local authority.",
        validators=[VisibleText("Enter the sector"), at_most(40, "Sector")],
    )
    safeguarding_lead_email = StringField(
        "Safeguarding lead's e-mail address",
        widget=GovTextInput(),
        description="Told at once when an auditor in this agency raises a safeguarding concern.",
        validators=[
            VisibleText("Enter the e-mail address of the agency's safeguarding lead"),
            Regexp(EMAIL_PATTERN, message=EMAIL_FORMAT),
            Length(max=254, message="E-mail address must be 254 characters or fewer"),
        ],
    )
    submit = SubmitField("Save", widget=GovSubmitInput())
