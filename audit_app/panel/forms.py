"""The panel's record of a case: the agreed judgement, why, who disagreed, and the learning."""

from __future__ import annotations

from typing import Any, cast

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount, GovRadioInput, GovSubmitInput
from werkzeug.datastructures import MultiDict
from wtforms import HiddenField, RadioField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # not in the WTForms stubs yet
from wtforms.validators import Length, ValidationError

from audit_tools.returns import as_typed
from audit_tools.tools import Question

MAX_LENGTH = 5_000
NOT_AGREED = ""  # the agreed_grade stored while the panel has not agreed a judgement


def _text(label: str, name: str, description: str) -> TextAreaField:
    too_long = f"{name} must be {MAX_LENGTH:,} characters or fewer"
    return TextAreaField(
        label,
        widget=GovCharacterCount(),
        description=description,
        validators=[Length(max=MAX_LENGTH, message=too_long)],
    )


class PanelRecordForm(FlaskForm):
    version = HiddenField()
    base = HiddenField()  # the record this form was opened with, signed (audit_app.saved_base)
    agreed_grade = RadioField(
        "The panel's agreed overall judgement", widget=GovRadioInput(), validate_choice=False, default=NOT_AGREED
    )
    rationale = _text(
        "Why the panel agreed this judgement",
        "Rationale",
        "What in the agencies' returns and the panel's discussion supports it",
    )
    dissent = _text(
        "Did any agency disagree? (optional)",
        "Dissent",
        "Which agency disagreed and why. Name the agency, never a person.",
    )
    learning = _text(
        "Learning for the partnership (optional)",
        "Learning",
        "What this case teaches the partnership about working together",
    )
    save = SubmitField("Save the panel's record", widget=GovSubmitInput())

    def __init__(self, overall: Question | None, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.overall = overall
        options = overall.options if overall else ()
        self.agreed_grade.choices = [SelectChoice(o.value, o.label) for o in options] + [
            SelectChoice(NOT_AGREED, "Not agreed yet")
        ]

    def values(self) -> dict[str, str]:
        """The record as typed, with line endings made uniform; blank text is stored as ""."""
        return {
            "agreed_grade": self.agreed_grade.data or NOT_AGREED,
            **{name: as_typed(self[name].data or "") for name in ("rationale", "dissent", "learning")},
        }

    def check(self, values: dict[str, str]) -> PanelRecordForm:
        """The same form filled with ``values`` (a conflict's resolution) and validated by the same rules."""
        form = PanelRecordForm(self.overall, formdata=MultiDict(values), meta={"csrf": False})
        form.validate()
        return form

    def validate_agreed_grade(self, field: RadioField) -> None:
        allowed = {choice.value for choice in cast("list[SelectChoice]", field.choices)}  # as __init__ sets them
        if (field.data or NOT_AGREED) not in allowed:
            raise ValidationError("Choose one of the judgements listed, or ‘Not agreed yet’")

    def validate_rationale(self, field: TextAreaField) -> None:
        if self.agreed_grade.data and not as_typed(field.data or ""):
            raise ValidationError("Explain why the panel agreed this judgement")
