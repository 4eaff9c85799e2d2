"""Forms of the tool library and designer."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, RadioField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.2; types-WTForms lacks it
from wtforms.validators import InputRequired, Optional, Regexp

from audit_app.form_fields import VisibleText, at_most
from audit_tools.states import QuestionType
from audit_tools.tools import KEY_PATTERN, QUESTION_TYPES, SLUG_PATTERN

KEY_HELP = (
    "Lower-case letters, digits and underscores, starting with a letter, like child_voice. It cannot change later."
)
TYPE_LABELS: dict[str, str] = {  # QUESTION_TYPES are the plain strings
    QuestionType.SCALE: "Yes / partly / no (with not applicable and not known)",
    QuestionType.SINGLE: "Choose one option",
    QuestionType.MULTIPLE: "Choose any options",
    QuestionType.GRADE: "Judgement: Outstanding to Inadequate",
    QuestionType.NUMBER: "A number",
    QuestionType.DATE: "A date",
    QuestionType.TEXT: "Short text",
    QuestionType.LONGTEXT: "Long text",
}


def _key_field(label: str) -> StringField:
    return StringField(
        label,
        widget=GovTextInput(),
        description=KEY_HELP,
        validators=[VisibleText("Enter a key"), Regexp(KEY_PATTERN, message=KEY_HELP)],
    )


class NewToolForm(FlaskForm):
    name = StringField(
        "Name of the tool",
        widget=GovTextInput(),
        validators=[VisibleText("Enter a name for the tool"), at_most(200, "The name of the tool")],
    )
    slug = StringField(
        "Short name",
        widget=GovTextInput(),
        description="Used in file names and on the command line, like neglect-adolescents-2027",
        validators=[
            VisibleText("Enter a short name"),
            Regexp(
                f"^{SLUG_PATTERN.pattern}$",
                message="Use 2 to 60 lower-case letters, digits and hyphens, starting with a letter or digit",
            ),
        ],
    )
    start_from = SelectField(
        "Start from",
        widget=GovSelect(),
        coerce=int,
        description="Copy the questions of an existing version, or start with an empty tool",
    )
    submit = SubmitField("Create draft tool", widget=GovSubmitInput())


class ImportToolForm(FlaskForm):
    file = FileField("Tool file (JSON)", widget=GovFileInput(), validators=[FileRequired("Choose a tool file")])
    submit = SubmitField("Import tool", widget=GovSubmitInput())


class DetailsForm(FlaskForm):
    name = StringField(
        "Name of the tool",
        widget=GovTextInput(),
        validators=[VisibleText("Enter a name"), at_most(200, "The name of the tool")],
    )
    topic = StringField("Topic", widget=GovTextInput(), validators=[Optional(), at_most(100, "The topic")])
    description = TextAreaField(
        "Description", widget=GovTextArea(), validators=[Optional(), at_most(2000, "The description")]
    )
    submit = SubmitField("Save details", widget=GovSubmitInput())


class SectionForm(FlaskForm):
    key = _key_field("Section key")
    title = StringField(
        "Title", widget=GovTextInput(), validators=[VisibleText("Enter a title"), at_most(200, "The title")]
    )
    description = TextAreaField(
        "Introduction for auditors", widget=GovTextArea(), validators=[Optional(), at_most(2000, "The introduction")]
    )
    judgement = BooleanField(
        "End this section with an optional judgement (Outstanding to Inadequate)", widget=GovCheckboxInput()
    )
    submit = SubmitField("Save section", widget=GovSubmitInput())


class QuestionForm(FlaskForm):
    key = _key_field("Question key")
    type = RadioField(
        "Type of answer",
        widget=GovRadioInput(),
        default=QuestionType.SCALE,
        choices=[SelectChoice(t, TYPE_LABELS[t]) for t in QUESTION_TYPES],
        validators=[InputRequired("Choose the type of answer")],
    )
    text = StringField(
        "Question", widget=GovTextInput(), validators=[VisibleText("Enter the question"), at_most(500, "The question")]
    )
    help = TextAreaField(
        "Help text",
        widget=GovTextArea(),
        validators=[Optional(), at_most(2000, "The help text")],
        description="What auditors should look for in their records",
    )
    required = BooleanField(
        "Auditors must answer this question before submitting", widget=GovCheckboxInput(), default=True
    )
    compare = BooleanField(
        "The panel compares the agencies' answers",
        widget=GovCheckboxInput(),
        default=True,
        description="Untick for a question each agency answers for itself, such as its role with "
        "the child: different answers are expected there, so they are not shown as a "
        "disagreement.",
    )
    options = TextAreaField(
        "Options (for 'choose one' and 'choose any')",
        widget=GovTextArea(),
        validators=[Optional(), at_most(5000, "The options")],
        description="One per line: value | label | score (score optional), like: often | Often | 2",
    )
    exclusive_values = StringField(
        "Answers that cannot be combined with others (for 'choose any')",
        widget=GovTextInput(),
        validators=[Optional(), at_most(500, "The answers that cannot be combined")],
        description="Their values, separated by commas, like: none_identified",
    )
    show_if_question = SelectField("Only show this question when…", widget=GovSelect(), validators=[Optional()])
    show_if_values = StringField(
        "…the answer is one of these values",
        widget=GovTextInput(),
        validators=[Optional(), at_most(500, "The values")],
        description="Separate values with commas, like: no, partly",
    )
    themes = SelectMultipleField("Themes", widget=GovCheckboxesInput(), validators=[Optional()])
    finding = StringField(
        "Finding for the briefing",
        widget=GovTextInput(),
        validators=[Optional(), at_most(300, "The finding")],
        description="Completes the sentence “In 4 of 6 returns, …”",
    )
    chart_title = StringField(
        "Chart title in the briefing",
        widget=GovTextInput(),
        validators=[Optional(), at_most(100, "The chart title")],
        description="Leave empty for no chart",
    )
    guidance_url = StringField(
        "Link to practice guidance", widget=GovTextInput(), validators=[Optional(), at_most(500, "The link")]
    )
    submit = SubmitField("Save question", widget=GovSubmitInput())
