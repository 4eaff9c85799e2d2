"""One form builder: a tool definition becomes a WTForms form, field per question key.

Every return form, preview and (later) panel form is built here. The form checks
answers with the domain's rules (``audit_tools.returns.answers``), so the rules live in one place.
It is also the one place where answers and form fields meet: ``form.answers()`` reads a posted form,
``form_data`` and ``filled_return_form`` fill one from stored answers, and ``hidden_pairs`` carries
answers through the conflict page as the fields a browser posts.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovDateInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import Field, HiddenField, RadioField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # not in the WTForms stubs yet

from audit_app.form_fields import OptionalDateField
from audit_tools.returns import answers as answer_rules
from audit_tools.text import shortened
from audit_tools.tools import DATE, GRADE, LONGTEXT, MULTIPLE, NUMBER, SCALE, SINGLE, TEXT, Question, ToolDefinition

# Question type → (field class, GOV.UK widget, extra field arguments). The return form draws radios,
# checkboxes and long text with its own macros in the same markup (templates/returns/_fields.html); the
# widgets serve the other types and the field's own rendering elsewhere.
FIELD_TYPES: dict[str, tuple[type[Field], type, dict[str, Any]]] = {
    SCALE: (RadioField, GovRadioInput, {"validate_choice": False}),
    SINGLE: (RadioField, GovRadioInput, {"validate_choice": False}),
    GRADE: (RadioField, GovRadioInput, {"validate_choice": False}),
    MULTIPLE: (SelectMultipleField, GovCheckboxesInput, {"validate_choice": False}),
    NUMBER: (StringField, GovTextInput, {}),
    DATE: (OptionalDateField, GovDateInput, {}),
    TEXT: (StringField, GovTextInput, {}),
    LONGTEXT: (TextAreaField, GovCharacterCount, {}),
}


class ReturnFormBase(FlaskForm):
    version = HiddenField()
    base = HiddenField()  # the answers this form was opened with, signed (audit_app.saved_base)
    save_draft = SubmitField("Save and come back later", widget=GovSubmitInput())
    submit_return = SubmitField("Submit return", widget=GovSubmitInput())

    definition: ToolDefinition  # set by build_return_form

    def answers(self) -> answer_rules.Answers:
        """The answers exactly as typed (line endings made uniform), blanks left out; dates as ISO strings."""
        result: answer_rules.Answers = {}
        for question in self.definition.questions:
            if question.takes_note:
                note = answer_rules.as_typed(self[note_field_name(question.key)].data or "")
                if note:
                    result[answer_rules.note_key(question.key)] = note
            value = self[field_name(question.key)].data
            if isinstance(value, dt.date):
                value = value.isoformat()
            elif isinstance(value, list):
                value = [v for v in value if v]
            elif isinstance(value, str):
                value = answer_rules.as_typed(value)
            if value:
                result[question.key] = value
        return result

    def validate(self, extra_validators: dict[str, list[Any]] | None = None) -> bool:
        valid = super().validate(extra_validators)
        for key, message in answer_rules.answer_problems(self.definition, self.answers()).items():
            field = (
                self[field_name(key)]
                if key in self.definition.questions_by_key
                else self[note_field_name(answer_rules.question_key_of(key))]
            )
            field.errors = [*field.errors, message]
            valid = False
        return valid

    def mark_missing(self, missing: list[Question]) -> None:
        """Attach "answer this" errors to each required question left blank."""
        for question in missing:
            number = self.definition.number(question.key)
            self[field_name(question.key)].errors = [f"Answer question {number}: {shortened(question.text, 90)}"]


def build_return_form(definition: ToolDefinition, **kwargs: Any) -> ReturnFormBase:
    """A form instance for ``definition``; kwargs go to the form (e.g. ``data=…``)."""
    fields = {field_name(q.key): _field(q) for q in definition.questions}
    fields |= {note_field_name(q.key): _note_field() for q in definition.questions if q.takes_note}
    form_class = type("ReturnForm", (ReturnFormBase,), {**fields, "definition": definition})
    return form_class(**kwargs)


def field_name(question_key: str) -> str:
    """Prefixed so a question key can never clash with a form attribute such as ``data``."""
    return f"q_{question_key}"


def note_field_name(question_key: str) -> str:
    """The evidence note's field beside question ``question_key``."""
    return f"n_{question_key}"


def _note_field() -> TextAreaField:
    return TextAreaField("Evidence from your records (optional)", widget=GovCharacterCount())


def _field(question: Question) -> Field:
    field_class, widget, extra = FIELD_TYPES[question.type]
    if question.is_choice:
        extra = {**extra, "choices": [SelectChoice(o.value, o.label) for o in question.options]}
    return field_class(question.text, description=question.help, widget=widget(), **extra)


def filled_return_form(definition: ToolDefinition, answers: answer_rules.Answers, **hidden: Any) -> ReturnFormBase:
    """The return form showing stored ``answers``; ``hidden`` fills the hidden fields (``version``, ``base``)."""
    return build_return_form(definition, data={**form_data(definition, answers), **hidden})


def hidden_pairs(definition: ToolDefinition, answers: answer_rules.Answers) -> list[tuple[str, str]]:
    """Every answer as the (field name, value) pairs the form posts; dates as the form's day/month/year."""
    pairs = []
    for question in definition.questions:
        value = answers.get(question.key)
        if not value:
            continue
        if question.type == DATE:
            day = dt.date.fromisoformat(cast(str, value))  # a date question's answer is one ISO date
            pairs += [(field_name(question.key), str(part)) for part in (day.day, day.month, day.year)]
        else:
            pairs += [(field_name(question.key), v) for v in (value if isinstance(value, list) else [value])]
    return pairs + [(note_field_name(key), note) for key, note in answer_rules.notes_of(answers).items()]


def form_data(definition: ToolDefinition, answers: answer_rules.Answers) -> dict:
    """Stored answers in the shape the form expects (dates as date objects)."""
    data: dict[str, object] = {}
    for question in definition.questions:
        value: object = answers.get(question.key)
        if question.type == DATE and isinstance(value, str) and value:
            value = dt.date.fromisoformat(value)
        if value:
            data[field_name(question.key)] = value
        if answers.get(answer_rules.note_key(question.key)):
            data[note_field_name(question.key)] = answers[answer_rules.note_key(question.key)]
    return data
