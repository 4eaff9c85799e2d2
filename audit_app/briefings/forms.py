"""Forms of the briefing composer, the disclosure check and the briefing settings.

Section forms are built from ``sections.SECTIONS``, so a limit is written once and every
message names the box it is about ("Finding 3 must be 2,000 characters or fewer").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovFileInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    Field,
    Form,
    HiddenField,
    IntegerField,
    RadioField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields import FieldList, FormField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.2; types-WTForms lacks it
from wtforms.form import BaseForm
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from audit_app.concurrency import version_of
from audit_app.data.branding import contrast_problem
from audit_app.form_fields import VisibleText
from audit_tools.briefing import LABEL_LENGTH, MAX_ITEMS, Part, Section, is_blank
from audit_tools.text import is_blank_looking

REASON_LENGTH = 1000
COLOUR_HELP = "Enter the colour as # and six hexadecimal digits, like #1d70b8"


def max_length(limit: int) -> Callable[[BaseForm, Field], None]:
    """A length check whose message names the box, whatever its label is when validated."""

    def check(_form: BaseForm, field: Field) -> None:
        if field.data and len(field.data) > limit:
            raise ValidationError(
                f"{field.label.text} must be {limit:,} characters or fewer (it has {len(field.data):,})"
            )

    return check


def web_address(_form: BaseForm, field: Field) -> None:
    value = (field.data or "").strip()
    if not value:
        return
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or re.search(r"\s", value):
        raise ValidationError(
            f"{field.label.text} must be a web address starting with https:// or http://, "
            "like https://www.example.org/training"
        )


def _part_field(part: Part, *, required: bool = False) -> StringField:
    field = TextAreaField if part.multiline else StringField
    widget = GovTextArea() if part.multiline else GovTextInput()
    checks: list[object] = [VisibleText(f"Enter the {part.label.lower()}")] if required else []
    checks += [max_length(part.max_length)] + ([web_address] if part.url else [])
    return field(part.label, widget=widget, description=part.hint, validators=checks)


@dataclass(frozen=True)
class ItemRow:
    entry: FormField
    index: int  # from 0, as the buttons' values count
    adding: bool
    up: bool
    down: bool

    @property
    def number(self) -> int:
        return self.index + 1


class LockedForm(FlaskForm):
    """Carries the version of the briefing the page was made from, to catch a save over someone else's."""

    lock_version = HiddenField()

    def lock(self) -> int | None:
        return version_of(self.lock_version.data)


class ListFormBase(LockedForm):
    section: Section

    def label_items(self) -> None:
        """Name each box after its item, so labels and messages say which one ("Finding 3")."""
        for number, entry in enumerate(self.items.entries, start=1):
            for part in self.section.parts:
                noun = self.section.noun.capitalize()
                text = f"{noun} {number}" if self.section.plain else f"{part.label} of {self.section.noun} {number}"
                entry.form[part.name].label.text = text

    def all_items(self) -> list[dict]:
        """What is in the boxes, in order, empty ones too (button numbers count them)."""
        return [
            {part.name: entry.form[part.name].data or "" for part in self.section.parts} for entry in self.items.entries
        ]

    def typed_items(self) -> list[dict]:
        """What is in the boxes, in order, without the empty ones."""
        return [item for item in self.all_items() if not is_blank(item)]

    def rows(self) -> list[ItemRow]:
        """Each item's boxes with the buttons it gets; a last empty item is the box to add one."""
        entries = self.items.entries
        adding = bool(entries) and is_blank(self.all_items()[-1]) and not entries[-1].form.errors
        last = len(entries) - (2 if adding else 1)
        return [
            ItemRow(entry, n, adding and n == len(entries) - 1, 0 < n <= last, n < last)
            for n, entry in enumerate(entries)
        ]

    def validate(self, extra_validators: Mapping[str, Sequence[Any]] | None = None) -> bool:
        self.label_items()
        valid = super().validate(extra_validators)
        for number, entry in enumerate(self.items.entries, start=1):
            item = {part.name: entry.form[part.name].data or "" for part in self.section.parts}
            missing = [part for part in self.section.parts if part.required and is_blank_looking(item[part.name])]
            for part in missing if not is_blank(item) else ():
                entry.form[part.name].errors = [
                    *entry.form[part.name].errors,
                    (
                        f"Enter the {part.label.lower()} of {self.section.noun} {number}, or empty its boxes "
                        "to remove it"
                    ),
                ]
                valid = False
        return valid

    def too_many(self) -> str | None:
        if len(self.typed_items()) > MAX_ITEMS:
            return f"A section can have up to {MAX_ITEMS} {self.section.noun}s. Remove one before adding another"
        return None


def list_form(section: Section) -> type[ListFormBase]:
    """The form class for one list section: a box (or a few) per item and one more to add an item."""
    item_form = type(f"{section.key.title()}ItemForm", (Form,), {p.name: _part_field(p) for p in section.parts})
    return type(
        f"{section.key.title()}Form",
        (ListFormBase,),
        {"section": section, "items": FieldList(FormField(item_form), max_entries=MAX_ITEMS + 1)},
    )


def fields_form(section: Section) -> type[LockedForm]:
    """The form class for a section of single boxes (the title block, the definition)."""
    fields = {part.name: _part_field(part, required=part.required) for part in section.parts}
    return type(f"{section.key.title()}Form", (LockedForm,), fields)


class ChartsForm(LockedForm):
    charts = SelectMultipleField(
        "Charts to show",
        widget=GovCheckboxesInput(),
        coerce=int,
        description="Each chart is shown with a table of its numbers. Choose up to three that tell the story best.",
        validators=[Optional()],
    )


def _stripped(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class OverrideForm(FlaskForm):
    """Let one possible identifier through, saying why. The hit is named by hidden fields, checked on the server."""

    hit = HiddenField()
    kind = HiddenField()
    text = HiddenField()
    section = HiddenField()
    reason = TextAreaField(
        "Why may this stay in the briefing?",
        widget=GovTextArea(),
        filters=[_stripped],
        validators=[
            VisibleText("Enter why this may stay in the briefing"),
            Length(max=REASON_LENGTH, message=f"The reason must be {REASON_LENGTH:,} characters or fewer"),
        ],
    )


class RemoveOverrideForm(FlaskForm):
    """Stop letting one possible identifier through; the hit is named by hidden fields."""

    kind = HiddenField()
    text = HiddenField()
    section = HiddenField()


THRESHOLD_HELP = "Enter a whole number from 1 to 20 for the counts to hide"


class WholeNumberField(IntegerField):
    """A whole number whose error says what to enter, not "Not a valid integer value"."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        text = (valuelist[0] if valuelist else "").strip()
        self.data = int(text) if re.fullmatch(r"[0-9]{1,4}", text) else None
        if text and self.data is None:
            raise ValueError(THRESHOLD_HELP)


def _colour(_form: FlaskForm, field: Field) -> None:
    problem = contrast_problem(field.data.lower()) if field.data else None
    if problem:
        raise ValidationError(problem)


class SettingsForm(FlaskForm):
    partnership_name = StringField(
        "Partnership name",
        widget=GovTextInput(),
        validators=[VisibleText("Enter the partnership's name"), max_length(LABEL_LENGTH)],
    )
    series_title = StringField(
        "Series title",
        widget=GovTextInput(),
        description="Printed above each briefing's title, like Eyes On",
        validators=[VisibleText("Enter the series title"), max_length(LABEL_LENGTH)],
    )
    accent_colour = StringField(
        "Accent colour",
        widget=GovTextInput(),
        description=COLOUR_HELP + ". It must be dark enough to read on white.",
        validators=[VisibleText("Enter the accent colour"), Regexp(r"^#[0-9a-fA-F]{6}$", message=COLOUR_HELP), _colour],
    )
    definition = TextAreaField(
        "Definition of the topic",
        widget=GovTextArea(),
        description="Shown under “What we mean by …” in each new briefing",
        validators=[max_length(2000)],
    )
    suppression_threshold = WholeNumberField(
        "Hide counts up to",
        widget=GovTextInput(),
        description="In briefings, any count from 1 up to this number is shown as “fewer than …”, so that no "
        "child or family can be recognised. A whole number from 1 to 20; most partnerships use 5.",
        validators=[InputRequired(THRESHOLD_HELP), NumberRange(1, 20, message=THRESHOLD_HELP)],
    )
    author_may_approve = RadioField(
        "Can the person who started a briefing also approve it?",
        widget=GovRadioInput(),
        choices=[SelectChoice("no", "No, someone else must approve it"), SelectChoice("yes", "Yes")],
        validators=[InputRequired("Choose whether authors can approve their own briefings")],
    )
    submit = SubmitField("Save settings", widget=GovSubmitInput())


class LogoForm(FlaskForm):
    logo = FileField(
        "Logo file",
        widget=GovFileInput(),
        description="A PNG or JPEG image, at most 1 MB and 2,000 by 2,000 pixels",
        validators=[FileRequired("Choose a PNG or JPEG file of the logo")],
    )
    submit = SubmitField("Upload logo", widget=GovSubmitInput())
