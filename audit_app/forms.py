"""Forms used by more than one blueprint. A form used by one blueprint lives in that blueprint's forms.py."""

from flask_wtf import FlaskForm


class ConfirmForm(FlaskForm):
    """A form with nothing but its CSRF token, for buttons that change state."""
