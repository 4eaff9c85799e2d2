"""Forms for learning points, recommendations, progress updates, categories and the action plan's filters."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    Form,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.2; types-WTForms lacks it
from wtforms.validators import InputRequired, Length, Optional

from audit_app.form_fields import OptionalDateField, VisibleText
from audit_app.models import AUDIENCES, RAG_STATES
from audit_tools.learning import RAG_WORDS
from audit_tools.returns import as_typed

TEXT_LIMIT = 2000
AUDIENCE_LABELS = {"managers": "Managers", "practitioners": "Practitioners", "inter_agency": "Inter-agency learning"}


def _optional_int(value: str | int | None) -> int | None:
    """A select's value as a number; the blank "choose…" option is None."""
    return int(value) if value not in (None, "") else None


def _as_typed(text: str | None) -> str | None:
    """Line endings as one "\n" and nothing but blanks as "", so the text is stored as it was typed."""
    return as_typed(text) if text else text


def _long_text(label: str, noun: str, hint: str = "") -> TextAreaField:
    return TextAreaField(
        label,
        widget=GovCharacterCount(),
        description=hint,
        filters=[_as_typed],
        validators=[
            VisibleText(f"Enter the {noun}"),
            Length(max=TEXT_LIMIT, message=f"{noun[0].upper() + noun[1:]} must be 2,000 characters or fewer"),
        ],
    )


def _rag_field(label: str) -> RadioField:
    return RadioField(
        label,
        widget=GovRadioInput(),
        choices=[SelectChoice(r, RAG_WORDS[r]) for r in RAG_STATES],
        validators=[InputRequired("Choose a status")],
    )


class LearningPointForm(FlaskForm):
    audience = RadioField(
        "Who is this learning for?",
        widget=GovRadioInput(),
        choices=[SelectChoice(a, AUDIENCE_LABELS[a]) for a in AUDIENCES],
        validators=[InputRequired("Choose who this learning is for")],
    )
    text = _long_text(
        "Learning point",
        "learning point",
        "Say what was found and what should change, in plain words. Never name a child or family.",
    )
    themes = SelectMultipleField(
        "Themes this learning comes from",
        widget=GovCheckboxesInput(),
        coerce=int,
        description="The evidence count shows in how many cases these themes were confirmed",
    )
    submit = SubmitField("Save learning point", widget=GovSubmitInput())


class RecommendationForm(FlaskForm):
    text = _long_text("Recommendation", "recommendation")
    category = SelectField("Category", widget=GovSelect(), validators=[InputRequired("Choose a category")])
    lead_agency = SelectField(
        "Lead agency", widget=GovSelect(), coerce=_optional_int, validators=[InputRequired("Choose the lead agency")]
    )
    timeframe = StringField(
        "Time frame",
        widget=GovTextInput(),
        description="As the briefing will say it, for example By March 2027",
        validators=[Optional(), Length(max=120, message="Time frame must be 120 characters or fewer")],
    )
    due_date = OptionalDateField("Due date", description="The date the action plan checks, for example 31 3 2027")
    rag = _rag_field("Status now")
    submit = SubmitField("Save recommendation", widget=GovSubmitInput())


class ProgressUpdateForm(FlaskForm):
    text = _long_text(
        "Progress update", "progress update", "What has been done since the last update, and what is next"
    )
    rag = _rag_field("Status after this update")
    submit = SubmitField("Add progress update", widget=GovSubmitInput())


class CategoryForm(FlaskForm):
    name = StringField(
        "Category name",
        widget=GovTextInput(),
        validators=[
            VisibleText("Enter the category name"),
            Length(max=120, message="Category name must be 120 characters or fewer"),
        ],
    )
    submit = SubmitField("Add category", widget=GovSubmitInput())


class ActionPlanFilters(Form):
    """The action plan's filters, read from the query string (a GET form: nothing changes, so no CSRF)."""

    audit = SelectField("Audit", widget=GovSelect(), coerce=_optional_int, validators=[Optional()])
    lead_agency = SelectField("Lead agency", widget=GovSelect(), coerce=_optional_int, validators=[Optional()])
    category = SelectField("Category", widget=GovSelect(), validators=[Optional()])
    rag = SelectField(
        "Status",
        widget=GovSelect(),
        validators=[Optional()],
        choices=[SelectChoice("", "Any status")] + [SelectChoice(r, RAG_WORDS[r]) for r in RAG_STATES],
    )
    overdue = BooleanField("Overdue only", widget=GovCheckboxInput(), validators=[Optional()])
