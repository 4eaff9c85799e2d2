"""Forms of the moderation pages: drawing the sample, naming a moderator, and reconciling differences."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount, GovRadioInput, GovSelect, GovSubmitInput, GovTextInput
from wtforms import IntegerField, RadioField, SelectField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # not in the WTForms stubs yet
from wtforms.validators import InputRequired, Length, NumberRange

from audit_app.data.moderation import MAX_REASON
from audit_app.form_fields import VisibleText, seed_field
from audit_tools.reliability import DEFAULT_MINIMUM, DEFAULT_RATE
from audit_tools.tools import Question


class DrawForm(FlaskForm):
    rate_percent = IntegerField(
        "Share of submitted returns to moderate (per cent)",
        widget=GovTextInput(),
        default=DEFAULT_RATE,
        validators=[
            InputRequired("Enter the share as a whole number, like 10"),
            NumberRange(1, 100, "Enter a whole number from 1 to 100"),
        ],
        description="Rounded up to a whole return",
    )
    minimum = IntegerField(
        "Fewest returns to moderate",
        widget=GovTextInput(),
        default=DEFAULT_MINIMUM,
        validators=[
            InputRequired("Enter the fewest returns as a whole number, like 2"),
            NumberRange(1, 1000, "Enter a whole number from 1 to 1,000"),
        ],
    )
    seed = seed_field("Recorded with the sample: the same returns, share and seed always draw the same returns")
    submit = SubmitField("Draw the moderation sample", widget=GovSubmitInput())


class ModeratorForm(FlaskForm):
    moderator = SelectField(
        "Moderator", widget=GovSelect(), coerce=int, validators=[InputRequired("Choose the moderator")]
    )
    submit = SubmitField("Name the moderator", widget=GovSubmitInput())


class ReconcileFormBase(FlaskForm):
    submit = SubmitField("Record the agreed grades", widget=GovSubmitInput())
    keys: tuple[str, ...] = ()

    def agreed(self) -> dict[str, tuple[str, str]]:
        """Question key → (agreed value, reason)."""
        return {key: (self[f"agreed_{key}"].data or "", self[f"reason_{key}"].data or "") for key in self.keys}


def reconcile_form(questions: list[tuple[str, Question]], **kwargs: Any) -> ReconcileFormBase:
    """A form asking, for each (number, question) the two gradings answered differently, the agreed
    answer and why."""
    fields: dict[str, Any] = {}
    for number, question in questions:
        fields[f"agreed_{question.key}"] = RadioField(
            f"Agreed answer to question {number}",
            widget=GovRadioInput(),
            choices=[SelectChoice(o.value, o.label) for o in question.options],
            validators=[InputRequired(f"Choose the agreed answer to question {number}")],
        )
        fields[f"reason_{question.key}"] = TextAreaField(
            f"Why this answer (question {number})",
            widget=GovCharacterCount(),
            validators=[
                VisibleText(f"Give the reason for the agreed answer to question {number}"),
                Length(max=MAX_REASON, message=f"The reason must be {MAX_REASON:,} characters or fewer"),
            ],
        )
    keys = tuple(q.key for _, q in questions)
    form_class = type("ReconcileForm", (ReconcileFormBase,), {**fields, "keys": keys})
    return form_class(**kwargs)


class CalibrationForm(FlaskForm):
    summary = TextAreaField(
        "The fictional case",
        widget=GovCharacterCount(),
        validators=[
            VisibleText("Enter the short fictional case the auditors will grade"),
            Length(max=5_000, message="The case must be 5,000 characters or fewer"),
        ],
        description="A few paragraphs about an invented child and family: no real names, dates or places",
    )
    submit = SubmitField("Start the calibration exercise", widget=GovSubmitInput())


class AgreedForm(FlaskForm):
    agreed = TextAreaField(
        "What the auditors agreed",
        widget=GovCharacterCount(),
        validators=[
            VisibleText("Enter what the auditors agreed"),
            Length(max=5_000, message="What was agreed must be 5,000 characters or fewer"),
        ],
        description="For example, how to grade a plan that names tasks but no dates. Grading then closes.",
    )
    submit = SubmitField("Record what was agreed", widget=GovSubmitInput())
