"""Forms of the theme codebook and of coding an audit's excerpts."""

from collections.abc import Callable
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovSelect, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import Field, Form, HiddenField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.2; types-WTForms lacks it
from wtforms.validators import AnyOf, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from audit_app.data.coding import DECISIONS, SOURCE_LABELS, CodingFilters
from audit_app.data.themes import name_taken
from audit_app.form_fields import VisibleText, at_most
from audit_tools.learning import (
    MAX_CATEGORY,
    MAX_DESCRIPTION,
    MAX_KEYWORD,
    MAX_KEYWORDS,
    MAX_NAME,
    control_problem,
    formula_problem,
    keyword_problems,
    split_keywords,
)

SHOW_CHOICES = [SelectChoice("todo", "Still to code"), SelectChoice("all", "All excerpts")]
SOURCE_CHOICES = [SelectChoice("", "All kinds of text")] + [SelectChoice(k, v) for k, v in SOURCE_LABELS.items()]


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _sentence(problem: str) -> str:
    return problem[:1].upper() + problem[1:]


def _safe_text(column: str) -> Callable[[FlaskForm, Field], None]:
    """Refuse what a spreadsheet would run as a formula, and invisible control characters (as CSV import does)."""

    def check(_form: FlaskForm, field: Field) -> None:
        problem = formula_problem(column, field.data or "") or control_problem(column, field.data or "")
        if problem:
            raise ValidationError(_sentence(problem))

    return check


class ThemeForm(FlaskForm):
    name = StringField(
        "Name",
        widget=GovTextInput(),
        filters=[_strip],
        validators=[VisibleText("Enter a theme name"), at_most(MAX_NAME, "Theme name"), _safe_text("name")],
    )
    category = StringField(
        "Category (optional)",
        widget=GovTextInput(),
        filters=[_strip],
        description="The codebook groups themes by category, such as child focus or working together",
        validators=[
            Optional(),
            Length(max=MAX_CATEGORY, message=f"Category must be {MAX_CATEGORY} characters or fewer"),
            _safe_text("category"),
        ],
    )
    description = TextAreaField(
        "Description (optional)",
        widget=GovTextArea(),
        filters=[_strip],
        description="What this theme covers, so that everyone codes to it in the same way",
        validators=[
            Optional(),
            Length(max=MAX_DESCRIPTION, message=(f"Description must be {MAX_DESCRIPTION:,} characters or fewer")),
            _safe_text("description"),
        ],
    )
    keywords = TextAreaField(
        "Keywords (optional)",
        widget=GovTextArea(),
        filters=[_strip],
        description=(
            f"One per line, or separated by semicolons: up to {MAX_KEYWORDS} keywords of up to {MAX_KEYWORD} "
            "characters. Text that mentions a keyword, or another form of its words (assessed for assessment), "
            "is suggested for this theme. Write an abbreviation in capitals, such as SEND, to match it only when "
            "it is written in capitals."
        ),
    )
    submit = SubmitField("Save theme", widget=GovSubmitInput())

    def __init__(self, *args: Any, theme_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.theme_id = theme_id

    def validate_name(self, field: Field) -> None:
        if field.data and name_taken(field.data, self.theme_id):
            raise ValidationError("There is already a theme with this name. Choose a different name.")

    def validate_keywords(self, field: Field) -> None:
        problem = control_problem("keywords", field.data or "")
        problems = ([problem] if problem else []) + keyword_problems(split_keywords(field.data or ""))
        if problems:
            raise ValidationError("; ".join(_sentence(p) for p in problems))

    def values(self) -> dict:
        return {
            "name": self.name.data,
            "category": self.category.data or "",
            "description": self.description.data or "",
            "keywords": split_keywords(self.keywords.data or ""),
        }


class ImportCodebookForm(FlaskForm):
    file = FileField(
        "Codebook file (CSV)",
        widget=GovFileInput(),
        validators=[FileRequired("Choose a CSV file")],
        description="Columns: name, description, keywords, category, slug. Only name is required.",
    )
    submit = SubmitField("Check the file", widget=GovSubmitInput())


class ConfirmImportForm(FlaskForm):
    codebook = HiddenField(validators=[InputRequired()])  # the checked file, base64-encoded
    digest = HiddenField(validators=[InputRequired()])  # what the person saw would change


class CodingFilterForm(Form):
    """The coding page's filters, read from the query string (a GET form: nothing changes, so no CSRF)."""

    show = SelectField("Show", widget=GovSelect(), choices=SHOW_CHOICES, default="todo", validators=[Optional()])
    theme = SelectField("Theme", widget=GovSelect(), validators=[Optional()])
    source = SelectField("Kind of text", widget=GovSelect(), choices=SOURCE_CHOICES, validators=[Optional()])
    page = IntegerField(validators=[Optional(), NumberRange(min=1)])

    def filters(self) -> CodingFilters:
        """The valid filters; a value that is not allowed is ignored rather than refused."""
        self.validate()
        theme = self.theme.data if not self.theme.errors and (self.theme.data or "").isdigit() else None
        return CodingFilters(
            show="all" if self.show.data == "all" else "todo",
            theme_id=int(theme) if theme else None,
            source=self.source.data if not self.source.errors and self.source.data else None,
            page=self.page.data if not self.page.errors and self.page.data else 1,
        )


class _ExcerptAction(FlaskForm):
    """Every button on the coding page also sends the page's filters (read with ``CodingFilterForm``) and the
    anchor of the next excerpt, where the page goes back to if this one leaves the filtered list."""

    after = HiddenField(validators=[Optional(), Regexp(r"^excerpt-[a-z]+-[a-z0-9_-]{1,130}$")])


class DecisionForm(_ExcerptAction):
    decision = HiddenField(validators=[InputRequired(), AnyOf(list(DECISIONS))])


class AddThemeForm(_ExcerptAction):
    excerpt_source = HiddenField(validators=[InputRequired(), AnyOf(list(SOURCE_LABELS))])
    excerpt_key = HiddenField(validators=[InputRequired(), Length(max=120)])
    theme_id = IntegerField(validators=[InputRequired("Choose a theme to add")])
