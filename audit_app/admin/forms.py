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
}


class InviteForm(FlaskForm):
    email = StringField(
        "E-mail address",
        widget=GovTextInput(),
        validators=[
            VisibleText("Enter the person's work e-mail address"),
            Regexp(
                r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
                message="Enter an e-mail address in the right format, like name@agency.example",
            ),
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
