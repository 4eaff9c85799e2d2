"""Forms of the coding-reliability pages: drawing the sample of excerpts, naming the second coder, the second
coding itself, and the agreed themes where the two codings differ."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextInput
from wtforms import IntegerField, SelectField, SelectMultipleField, SubmitField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # not in the WTForms stubs yet
from wtforms.validators import InputRequired, NumberRange

from audit_app.data.coding_reliability import DEFAULT_MINIMUM, DEFAULT_RATE
from audit_app.form_fields import seed_field


class ExcerptDrawForm(FlaskForm):
    rate_percent = IntegerField(
        "Share of the excerpts to code again (per cent)",
        widget=GovTextInput(),
        default=DEFAULT_RATE,
        validators=[
            InputRequired("Enter the share as a whole number, like 20"),
            NumberRange(1, 100, "Enter a whole number from 1 to 100"),
        ],
        description="Rounded up to a whole excerpt",
    )
    minimum = IntegerField(
        "Fewest excerpts to code again",
        widget=GovTextInput(),
        default=DEFAULT_MINIMUM,
        validators=[
            InputRequired("Enter the fewest excerpts as a whole number, like 5"),
            NumberRange(1, 1000, "Enter a whole number from 1 to 1,000"),
        ],
    )
    seed = seed_field("Recorded with the sample: the same excerpts, share and seed always draw the same excerpts")
    submit = SubmitField("Draw the coding sample", widget=GovSubmitInput())


class CoderForm(FlaskForm):
    coder = SelectField(
        "Second coder",
        widget=GovSelect(),
        coerce=int,
        validators=[InputRequired("Choose the second coder")],
        description="A coordinator or editor who coded none of the sampled excerpts",
    )
    submit = SubmitField("Name the second coder", widget=GovSubmitInput())


class ThemesByExcerptBase(FlaskForm):
    """One set of theme checkboxes per sampled excerpt, named ``excerpt_<item key>``."""

    items: tuple[int, ...] = ()

    def chosen(self) -> dict[int, list[int]]:
        """Item key → the theme keys ticked."""
        return {item: list(self[f"excerpt_{item}"].data or []) for item in self.items}


def themes_by_excerpt_form(offered: dict[int, list[tuple[int, str]]], **kwargs: Any) -> ThemesByExcerptBase:
    """A form with, for each item key, checkboxes of the themes ``offered`` for it (theme key, name)."""
    fields: dict[str, Any] = {
        f"excerpt_{item}": SelectMultipleField(
            f"Themes of excerpt {n}", coerce=int, choices=[SelectChoice(v, label) for v, label in choices]
        )
        for n, (item, choices) in enumerate(offered.items(), start=1)
    }
    form_class = type("ThemesByExcerptForm", (ThemesByExcerptBase,), {**fields, "items": tuple(offered)})
    return form_class(**kwargs)
