"""Form fields shared by every form in the app."""

import datetime as dt
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovTextInput
from wtforms import DateField, Field, IntegerField
from wtforms.validators import InputRequired, Length, NumberRange, StopValidation, ValidationError

from audit_tools.sampling import personal_detail_in
from audit_tools.text import is_blank_looking


class OptionalDateField(DateField):
    """A GOV.UK day/month/year date that may be left blank, with a message that says what to enter.

    The GOV.UK widget needs exactly three raw values to redisplay what was typed,
    so a request that omits the field (or sends it twice) is normalised here
    instead of crashing the page.
    """

    widget = GovDateInput()

    def __init__(
        self, label: str | None = None, validators: list[Any] | None = None, format: str = "%d %m %Y", **kwargs: Any
    ) -> None:
        super().__init__(label, validators, format=format, **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        valuelist = [(v or "").strip() for v in valuelist][:3]
        self.raw_data = valuelist + [""] * (3 - len(valuelist))
        if not any(self.raw_data):
            self.data = None
            return
        try:
            self.data = dt.datetime.strptime(" ".join(self.raw_data), "%d %m %Y").date()
        except ValueError:
            self.data = None
            raise ValueError(f"Enter a real date for ‘{self.label.text}’, for example 27 3 2026.") from None


class VisibleText:
    """Required text that must show something: refuses empty text and text of only spaces or invisible characters
    (zero-width spaces, joiners, soft hyphens, Hangul fillers …), with the project's own message ("Enter a theme
    name"). Every required name and label in the app uses it (tests/app/test_form_text_rules.py walks the forms)."""

    field_flags = {"required": True}

    def __init__(self, message: str) -> None:
        self.message = message

    def __call__(self, _form: FlaskForm, field: Field) -> None:
        if is_blank_looking(field.data if isinstance(field.data, str) else None):
            field.errors[:] = []  # type: ignore[index]  # a list while validating; the stubs say Sequence
            raise StopValidation(self.message)


def at_most(limit: int, name: str) -> Length:
    """A length limit in the GOV.UK style: "Theme name must be 120 characters or fewer"."""
    return Length(max=limit, message=f"{name} must be {limit:,} characters or fewer")


class NoPersonalDetails:
    """A case's reference and attributes are pseudonymous: refuse a value that looks like a name, a full
    date, a postcode, an NHS number, a phone number or an e-mail address (the sample frame's own check)."""

    def __call__(self, _form: FlaskForm, field: Field) -> None:
        if isinstance(field.data, str) and (found := personal_detail_in(field.data)):
            raise ValidationError(
                f"{field.label.text} looks like it holds {found}. Enter pseudonymous details "
                "only: never a name, a date of birth, an address or a contact detail"
            )


def seed_field(description: str) -> IntegerField:
    """The random seed a reproducible draw records (any whole number JavaScript can hold exactly)."""
    return IntegerField(
        "Random seed",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter a seed: any whole number"),
            NumberRange(0, 2**53, "Enter a whole number from 0 to 9,007,199,254,740,992"),
        ],
        description=description,
    )
