from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import EqualTo, InputRequired, Length

from audit_app.form_fields import VisibleText, at_most
from audit_tools.password_policy import MAX_LENGTH


class LoginForm(FlaskForm):
    email = StringField(
        "E-mail address",
        widget=GovTextInput(),
        validators=[VisibleText("Enter your e-mail address"), at_most(254, "E-mail address")],
    )
    password = PasswordField(
        "Password", widget=GovPasswordInput(), validators=[InputRequired("Enter your password"), Length(max=MAX_LENGTH)]
    )
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class CodeForm(FlaskForm):
    code = StringField(
        "Code",
        widget=GovTextInput(),
        description="The 6-digit code from your authenticator app, or one of your recovery codes.",
        validators=[VisibleText("Enter the code from your authenticator app"), at_most(20, "Code")],
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())


def _new_password_fields(label: str) -> tuple[PasswordField, PasswordField]:
    return (
        PasswordField(
            label,
            widget=GovPasswordInput(),
            description="At least 12 characters. A few unrelated words together are easy to remember "
            "and hard to guess.",
            validators=[InputRequired("Enter a new password"), Length(max=MAX_LENGTH)],
        ),
        PasswordField(
            "Type the new password again",
            widget=GovPasswordInput(),
            validators=[
                InputRequired("Type the new password again"),
                EqualTo("password", "The two passwords are not the same"),
            ],
        ),
    )


class NewPasswordForm(FlaskForm):
    password, confirm = _new_password_fields("Choose a password")
    submit = SubmitField("Set password", widget=GovSubmitInput())


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        "Current password",
        widget=GovPasswordInput(),
        validators=[InputRequired("Enter your current password"), Length(max=MAX_LENGTH)],
    )
    password, confirm = _new_password_fields("New password")
    submit = SubmitField("Change password", widget=GovSubmitInput())


def _current_factor_fields() -> tuple[PasswordField, StringField]:
    return (
        PasswordField(
            "Your password",
            widget=GovPasswordInput(),
            validators=[InputRequired("Enter your password"), Length(max=MAX_LENGTH)],
        ),
        StringField(
            "Code from your current authenticator app",
            widget=GovTextInput(),
            description="Or one of your recovery codes, if you no longer have the app.",
            validators=[
                VisibleText("Enter the code from your current authenticator app, or a recovery code"),
                at_most(20, "Code"),
            ],
        ),
    )


class ProveItIsYouForm(FlaskForm):
    """What changing a second factor asks for: both of the things the person signs in with now."""

    current_password, current_code = _current_factor_fields()
    submit = SubmitField("Get new recovery codes", widget=GovSubmitInput())


class AddAuthenticatorForm(FlaskForm):
    """Setting up a first authenticator app while signed in asks for the password too."""

    current_password = _current_factor_fields()[0]
    code = StringField(
        "Code from the app",
        widget=GovTextInput(),
        description="For example, 123456",
        validators=[VisibleText("Enter the code from your authenticator app"), at_most(20, "Code")],
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())


class ReplaceAuthenticatorForm(FlaskForm):
    current_password, current_code = _current_factor_fields()
    code = StringField(
        "Code from the new app",
        widget=GovTextInput(),
        description="For example, 123456",
        validators=[VisibleText("Enter the code the new app shows"), at_most(20, "Code")],
    )
    submit = SubmitField("Replace authenticator app", widget=GovSubmitInput())
