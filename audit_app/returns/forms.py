"""Forms around a return, other than the return form itself (built by form_builder)."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextArea
from wtforms import SubmitField, TextAreaField
from wtforms.validators import Length, Optional


class NoInvolvementForm(FlaskForm):
    reason = TextAreaField(
        "Why did your agency have no involvement?",
        widget=GovTextArea(),
        validators=[Optional(), Length(max=2000, message="Reason must be 2,000 characters or fewer")],
        description="For example: no record of the child or family in the audit period",
    )
    declare = SubmitField("Declare no involvement", widget=GovSubmitInput())
    withdraw = SubmitField("Withdraw the declaration", widget=GovSubmitInput())
