"""The return form's own field macros (returns/_fields.html) write the same markup as the GOV.UK widgets.

Each shape a question takes is rendered both ways — blank, answered, with a hint, with an error, with
text that must be escaped — and the two must match once whitespace between tags is set aside. The
GOV.UK widgets are asked not to write an empty hint (they otherwise add an empty ``govuk-hint`` and
point ``aria-describedby`` at it), which is the one way the macros differ on purpose.
"""

import re

import pytest
from flask import render_template_string

from audit_app.form_builder import build_return_form
from audit_tools.tools import parse_definition

HOSTILE = '<script>alert("x")</script> & "quotes"'
TOOL = {
    "schema_version": 1,
    "slug": "markup",
    "name": "Markup",
    "topic": "Neglect",
    "description": "",
    "sections": [
        {
            "key": "s",
            "title": "S",
            "description": "",
            "questions": [
                {"key": "seen", "type": "scale", "text": "Seen alone?", "help": f"Think {HOSTILE}"},
                {
                    "key": "plan",
                    "type": "single",
                    "text": "Plan",
                    "options": [
                        {"value": "smart", "label": f"SMART {HOSTILE}", "score": 1},
                        {"value": "vague", "label": "Vague"},
                    ],
                },
                {
                    "key": "factors",
                    "type": "multiple",
                    "text": "Factors",
                    "options": [
                        {"value": "a", "label": "A & B"},
                        {"value": "b", "label": "C"},
                        {"value": "c", "label": "D"},
                    ],
                },
                {"key": "story", "type": "longtext", "text": "Story", "help": "What happened"},
                {"key": "summary", "type": "longtext", "text": "Summary", "required": False},
                {"key": "overall_judgement", "type": "grade", "text": "Overall", "overall": True},
            ],
        }
    ],
}
DEFINITION = parse_definition(TOOL)
FILLED = {
    "q_seen": "partly",
    "q_plan": "smart",
    "q_factors": ["a", "c"],
    "q_story": f"Line one\n{HOSTILE}",
    "q_overall_judgement": "good",
    "n_seen": HOSTILE,
    "n_factors": "Seen in the chronology",
}


def tidy(html) -> str:
    return (
        re.sub(r">\s+<", "><", re.sub(r"\s+", " ", str(html)))
        .replace("> ", ">")
        .replace(" <", "<")
        .replace('" >', '">')
        .strip()
    )


def _without_empty_hint(field, params: dict) -> dict:
    return params if field.description else {**params, "hint": None}


def govuk_widgets(form) -> list[str]:
    """Every field rendered by the GOV.UK widget, with the parameters the return form used to pass them."""
    rendered = []
    for question in DEFINITION.questions:
        field = form[f"q_{question.key}"]
        if question.type == "longtext":
            rendered.append(
                field(
                    params=_without_empty_hint(
                        field,
                        {"label": {"text": question.text, "classes": "govuk-label--s"}, "maxlength": 10000, "rows": 5},
                    )
                )
            )
        else:
            rendered.append(
                field(
                    params=_without_empty_hint(
                        field,
                        {
                            "fieldset": {"legend": {"text": question.text, "classes": "govuk-fieldset__legend--s"}},
                            "classes": "govuk-checkboxes--small"
                            if question.type == "multiple"
                            else "govuk-radios--small",
                        },
                    )
                )
            )
        if question.takes_note:
            note = form[f"n_{question.key}"]
            rendered.append(
                note(
                    params=_without_empty_hint(
                        note,
                        {
                            "label": {"text": f"Evidence for {question.key}"},
                            "maxlength": 2000,
                            "rows": 2,
                            "classes": "app-evidence-note",
                            "formGroup": {"classes": "app-evidence-note-group"},
                        },
                    )
                )
            )
    return [tidy(html) for html in rendered]


MACROS = """{% import "returns/_fields.html" as fields %}
{%- for question in definition.questions %}
  {%- set field = form['q_' ~ question.key] %}
  {%- if question.type == 'longtext' %}{{ fields.counted_textarea(field, question.text, 10000, 5, 'govuk-label--s') }}
  {%- else %}{{ fields.choices(field, 'checkboxes' if question.type == 'multiple' else 'radios', question.text) }}
  {%- endif %}@@@
  {%- if question.takes_note %}{{ fields.counted_textarea(form['n_' ~ question.key], 'Evidence for ' ~ question.key,
       2000, 2, group_class='app-evidence-note-group', textarea_class='app-evidence-note') }}@@@{% endif %}
{%- endfor %}"""


def field_macros(form) -> list[str]:
    return [
        tidy(part)
        for part in render_template_string(MACROS, form=form, definition=DEFINITION).split("@@@")
        if part.strip()
    ]


@pytest.mark.parametrize(
    "data, errors",
    [
        ({}, False),
        (FILLED, False),
        (FILLED, True),
        ({}, True),
    ],
    ids=["blank", "answered", "answered-with-errors", "blank-with-errors"],
)
def test_field_macros_write_the_govuk_markup(app, data, errors):
    with app.test_request_context():
        form = build_return_form(DEFINITION, data=data, meta={"csrf": False})
        if errors:
            for field in form:
                field.errors = [f"Problem with {field.name}: {HOSTILE}"]
        expected, actual = govuk_widgets(form), field_macros(form)
    assert len(actual) == len(expected) == 10
    for want, got in zip(expected, actual, strict=False):
        assert got == want
    assert HOSTILE not in "".join(actual) and "&lt;script&gt;" in "".join(actual)
