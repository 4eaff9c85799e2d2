"""The published JSON Schema for tool files agrees with the importer (no Flask, no database).

The schema checks fields one by one; the importer (``parse_definition``) is the authority and
also checks the cross-field rules. These tests pin the two together: whatever the product ships
or exports passes the schema, and the field-level mistakes a partnership is most likely to make
are refused by both.
"""

from __future__ import annotations

import copy
import json
import re
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from audit_tools.tools import (
    BUILTIN_TOOLS,
    GRADE,
    KEY_PATTERN,
    LONGTEXT,
    MULTIPLE,
    QUESTION_TYPES,
    SCALE,
    SINGLE,
    DefinitionError,
    export_definition,
    load_builtin,
    parse_definition,
)

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads(resources.files("audit_tools.data").joinpath("tool.schema.json").read_text("utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
THEMES = {t["slug"] for t in json.loads(resources.files("audit_tools.data").joinpath("themes.json").read_text("utf-8"))}


def schema_errors(raw) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in VALIDATOR.iter_errors(raw)]


def parser_problems(raw) -> list[str]:
    with pytest.raises(DefinitionError) as error:
        parse_definition(raw)
    return error.value.problems


def tool(*questions) -> dict:
    return {
        "schema_version": 1,
        "slug": "test-tool",
        "name": "T",
        "sections": [{"key": "s", "title": "S", "questions": list(questions)}],
    }


VALID_QUESTION = {
    "key": "q",
    "type": "single",
    "text": "Q",
    "options": [{"value": "a", "label": "A", "score": 2}, {"value": "b", "label": "B"}],
}


# --------------------------------------------------------------------------- the schema itself


def test_schema_is_a_valid_draft_2020_12_schema():
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_schema_uses_the_models_key_pattern_and_question_types():
    assert SCHEMA["$defs"]["key"]["pattern"] == KEY_PATTERN.pattern
    assert SCHEMA["$defs"]["question"]["properties"]["type"]["enum"] == list(QUESTION_TYPES)


def test_schema_description_names_the_rules_it_cannot_express():
    description = SCHEMA["description"].lower()
    for rule in ("unique", "show_if", "cycle", "overall"):
        assert rule in description, rule


# --------------------------------------------------------------------------- what the product ships


@pytest.mark.parametrize("name", BUILTIN_TOOLS)
def test_builtin_tool_file_validates_against_the_schema(name):
    raw, _ = load_builtin(name)
    assert schema_errors(raw) == []


@pytest.mark.parametrize("name", BUILTIN_TOOLS)
def test_exported_builtin_tool_validates_against_the_schema(name):
    _, definition = load_builtin(name)
    exported = export_definition(definition)
    assert schema_errors(exported) == []
    assert schema_errors(json.loads(json.dumps(exported))) == []


def test_minimal_example_in_the_documentation_is_valid_for_both():
    text = (ROOT / "docs" / "tool-schema.md").read_text("utf-8")
    block = re.search(r"## A minimal complete example.*?```json\n(.*?)```", text, re.S)
    assert block, "docs/tool-schema.md has lost its minimal example"
    raw = json.loads(block.group(1))
    assert schema_errors(raw) == []
    assert parse_definition(raw).overall_question.key == "overall_judgement"


# --------------------------------------------------------------------------- the single-agency tool


@pytest.fixture(scope="module")
def practice():
    return load_builtin("neglect_practice_tool.json")[1]


def test_practice_tool_has_the_agreed_shape(practice):
    assert practice.slug == "neglect-practice-single-agency" and practice.topic == "Neglect"
    assert 4 <= len(practice.sections) <= 6
    assert 15 <= len(practice.questions) <= 22
    overall = practice.overall_question
    assert overall is not None and overall.key == "overall_judgement" and overall.type == GRADE
    rationale = practice.question("overall_rationale")
    assert rationale.type == LONGTEXT and rationale.required


def test_practice_tool_uses_scores_charts_show_if_and_known_themes(practice):
    assert any(q.type == SINGLE and any(o.score is not None for o in q.options) for q in practice.questions)
    assert any(q.type == MULTIPLE and q.chart_title for q in practice.questions)
    assert any(q.show_if and practice.question(q.show_if.question).is_choice for q in practice.questions)
    assert {t for q in practice.questions for t in q.themes} <= THEMES
    scales = [q for q in practice.questions if q.type == SCALE]
    assert scales and all(q.finding and q.themes for q in scales)
    assert all(q.finding[0].islower() and not q.finding.endswith(".") for q in scales)
    assert all(q.help.strip() for q in practice.questions)


# --------------------------------------------------------------------------- refused by both


@pytest.mark.parametrize(
    "change, schema_path, parser_problem",
    [
        (
            lambda raw: raw["sections"][0]["questions"][0].update(key="Bad-Key"),
            "sections/0/questions/0/key",
            "sections[0].questions[0].key: must start with a letter",
        ),
        (
            lambda raw: raw["sections"][0].update(key="1st_section"),
            "sections/0/key",
            "sections[0].key: must start with a letter",
        ),
        (
            lambda raw: raw["sections"][0]["questions"][0].update(key="k" * 49),
            "sections/0/questions/0/key",
            "sections[0].questions[0].key: must start with a letter",
        ),
        (
            lambda raw: raw["sections"][0]["questions"][0].update(type="yesno"),
            "sections/0/questions/0/type",
            "sections[0].questions[0].type: 'yesno' is not one of",
        ),
        (
            lambda raw: raw["sections"][0]["questions"][0]["options"][0].update(score=101),
            "sections/0/questions/0/options/0/score",
            "sections[0].questions[0].options[0].score: must be a number",
        ),
        (
            lambda raw: raw["sections"][0]["questions"][0]["options"][0].update(score=-100.5),
            "sections/0/questions/0/options/0/score",
            "sections[0].questions[0].options[0].score: must be a number",
        ),
        (
            lambda raw: raw["sections"][0]["questions"][0]["options"][0].update(score=True),
            "sections/0/questions/0/options/0/score",
            "sections[0].questions[0].options[0].score: must be a number",
        ),
        (
            lambda raw: raw["sections"][0]["questions"][0].update(guidance_url="www.example.org/guide"),
            "sections/0/questions/0/guidance_url",
            "sections[0].questions[0].guidance_url: must be a web address",
        ),
        (
            lambda raw: raw["sections"][0]["questions"][0].pop("options"),
            "sections/0/questions/0",
            "sections[0].questions[0].options: must be a non-empty list",
        ),
        (
            lambda raw: raw["sections"][0]["questions"][0].update(type="scale", allow=["maybe"]),
            "sections/0/questions/0/allow/0",
            'sections[0].questions[0].allow: "maybe" is not one of',
        ),
        (
            lambda raw: raw["sections"][0]["questions"][0].update(text="   "),
            "sections/0/questions/0/text",
            "sections[0].questions[0].text: must be a non-empty string",
        ),
        (lambda raw: raw.update(schema_version=2), "schema_version", "schema_version: expected 1, got 2"),
    ],
)
def test_invalid_field_is_refused_by_schema_and_importer(change, schema_path, parser_problem):
    raw = tool(copy.deepcopy(VALID_QUESTION))
    assert schema_errors(raw) == [] and parse_definition(raw)  # the unchanged file is fine for both
    change(raw)
    errors = schema_errors(raw)
    assert any(e.startswith(schema_path + ":") for e in errors), errors
    assert any(p.startswith(parser_problem) for p in parser_problems(raw))


@pytest.mark.parametrize("score", [-100, 0, 2.5, 100, None])
def test_scores_at_the_limits_are_accepted_by_both(score):
    raw = tool({**VALID_QUESTION, "options": [{"value": "a", "label": "A", "score": score}]})
    assert schema_errors(raw) == []
    assert parse_definition(raw).question("q").options[0].score == (None if score is None else float(score))


# --------------------------------------------------------------------------- what only the importer sees


def test_cross_field_rules_pass_the_schema_but_not_the_importer():
    """Documented limits of the schema: the importer is still needed."""
    duplicate_keys = tool({"key": "q", "type": "scale", "text": "A"}, {"key": "q", "type": "scale", "text": "B"})
    unknown_target = tool(
        {"key": "q", "type": "scale", "text": "A", "show_if": {"question": "nowhere", "values": ["yes"]}}
    )
    two_overall = tool(
        {"key": "a", "type": "grade", "text": "A", "overall": True},
        {"key": "b", "type": "grade", "text": "B", "overall": True},
    )
    for raw, problem in [
        (duplicate_keys, 'questions "q": the key is used more than once'),
        (unknown_target, 'questions "q": show-if refers to unknown key "nowhere"'),
        (two_overall, "questions: only one question may be the overall judgement"),
    ]:
        assert schema_errors(raw) == []
        assert problem in parser_problems(raw)
