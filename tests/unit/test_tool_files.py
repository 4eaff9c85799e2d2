"""Tool files: every problem named with its path, never an exception, and a stable round trip."""

import copy
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit_tools.tools import BUILTIN_TOOLS, DefinitionError, dumps, export_definition, load_builtin, parse_definition

RAW, TOOL = load_builtin()
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


def tool(*questions, **extra) -> dict:
    return {
        "schema_version": 1,
        "slug": "test-tool",
        "name": "T",
        **extra,
        "sections": [{"key": "s", "title": "S", "questions": list(questions)}],
    }


def problems(raw) -> list[str]:
    with pytest.raises(DefinitionError) as error:
        parse_definition(raw)
    return error.value.problems


def validates_or_explains(raw) -> None:
    try:
        parse_definition(raw)
    except DefinitionError as error:
        assert error.problems and all(isinstance(p, str) and p for p in error.problems)


@settings(max_examples=300, deadline=None)
@given(JSON_VALUES)
def test_random_json_validates_or_explains(value):
    validates_or_explains(value)


def _paths(node, prefix=()):
    yield prefix
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in items:
        yield from _paths(child, prefix + (key,))


PATHS = [p for p in _paths(RAW) if p]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(PATHS), JSON_VALUES), min_size=1, max_size=3))
def test_mutated_builtin_tool_validates_or_explains(mutations):
    raw = copy.deepcopy(RAW)
    for path, value in mutations:
        node = raw
        try:
            for step in path[:-1]:
                node = node[step]
            node[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue
    validates_or_explains(raw)


@pytest.mark.parametrize("name", BUILTIN_TOOLS)
def test_builtin_tools_export_and_reimport_identically(name):
    raw, definition = load_builtin(name)
    exported = export_definition(definition)
    assert parse_definition(exported) == definition
    assert export_definition(parse_definition(json.loads(dumps(definition)))) == exported


@pytest.mark.parametrize(
    "question, expected",
    [
        (
            {"key": "q", "type": "single", "text": "Q", "options": [{"value": "a", "label": "A", "score": "high"}]},
            "sections[0].questions[0].options[0].score: must be a number from -100 to 100, or left out",
        ),
        (
            {"key": "q", "type": "scale", "text": "Q", "required": "no"},
            "sections[0].questions[0].required: must be true or false",
        ),
        (
            {"key": "q", "type": "scale", "text": "Q", "themes": "voice"},
            "sections[0].questions[0].themes: must be a list of non-empty strings",
        ),
        (
            {"key": "q", "type": "scale", "text": "Q", "allow": ["maybe"]},
            'sections[0].questions[0].allow: "maybe" is not one of not_applicable, not_known',
        ),
        (
            {"key": "q", "type": "scale", "text": "Q", "guidance_url": "javascript:alert(1)"},
            "sections[0].questions[0].guidance_url: must be a web address starting with https:// or http://",
        ),
    ],
)
def test_each_field_is_checked(question, expected):
    assert expected in problems(tool(question))


def test_show_if_cycles_and_bad_targets_are_refused():
    a = {"key": "a", "type": "scale", "text": "A", "show_if": {"question": "b", "values": ["yes"]}}
    b = {"key": "b", "type": "scale", "text": "B", "show_if": {"question": "a", "values": ["no"]}}
    assert 'questions "a": show-if conditions form a cycle' in problems(tool(a, b))
    self_ref = {"key": "c", "type": "scale", "text": "C", "show_if": {"question": "c", "values": ["yes"]}}
    assert 'questions "c": show-if conditions form a cycle' in problems(tool(self_ref))
    on_text = [
        {"key": "t", "type": "text", "text": "T"},
        {"key": "d", "type": "scale", "text": "D", "show_if": {"question": "t", "values": ["x"]}},
    ]
    assert any("must depend on a choice question" in p for p in problems(tool(*on_text)))
    wrong_value = [
        {"key": "e", "type": "scale", "text": "E"},
        {"key": "f", "type": "text", "text": "F", "show_if": {"question": "e", "values": ["perhaps"]}},
    ]
    assert 'questions "f": show-if values perhaps are not answers to "e"' in problems(tool(*wrong_value))


def test_compare_false_is_kept_and_refused_on_the_overall_judgement():
    role = {
        "key": "role",
        "type": "single",
        "text": "Role",
        "compare": False,
        "options": [{"value": "lead", "label": "Lead"}, {"value": "other", "label": "Other"}],
    }
    assert not parse_definition(tool(role)).question("role").compare
    assert (
        'questions "g": the overall judgement is always compared at the panel, so compare cannot be false'
        in problems(tool({"key": "g", "type": "grade", "text": "Overall", "overall": True, "compare": False}))
    )
    assert any("compare" in p for p in problems(tool({**role, "compare": "no"})))  # a flag, not a word


def test_duplicate_section_keys_are_refused():
    raw = tool({"key": "q", "type": "scale", "text": "Q"})
    raw["sections"].append({"key": "s", "title": "Again", "questions": [{"key": "r", "type": "scale", "text": "R"}]})
    assert 'sections "s": the key is used more than once' in problems(raw)


@pytest.mark.parametrize(
    "change, expected",
    [
        ({"schema_version": True}, "schema_version: expected 1, got True"),
        ({"topic": ["Neglect"]}, "topic: must be a string"),
        ({"description": "x" * 2001}, "description: must be 2000 characters or fewer"),
    ],
)
def test_top_level_fields_are_checked(change, expected):
    assert expected in problems(tool({"key": "q", "type": "scale", "text": "Q"}, **change))


def test_a_key_with_a_trailing_newline_is_refused():
    assert any(
        p.startswith("sections[0].questions[0].key:")
        for p in problems(tool({"key": "q\n", "type": "scale", "text": "Q"}))
    )


def test_section_judgement_is_added_by_the_tool_and_not_exported():
    raw = tool({"key": "q", "type": "scale", "text": "Q"})
    raw["sections"][0]["judgement"] = True
    definition = parse_definition(raw)
    added = definition.questions[-1]
    assert (added.key, added.type, added.required, added.generated) == ("s_judgement", "grade", False, True)
    exported = export_definition(definition)
    assert exported["sections"][0]["judgement"] is True
    assert [q["key"] for q in exported["sections"][0]["questions"]] == ["q"]
    assert parse_definition(exported) == definition


def test_exclusive_option_cannot_be_combined():
    from audit_tools.returns import answer_problems

    raw = tool(
        {
            "key": "factors",
            "type": "multiple",
            "text": "Factors?",
            "options": [
                {"value": "poverty", "label": "Poverty"},
                {"value": "none", "label": "None identified", "exclusive": True},
            ],
        }
    )
    definition = parse_definition(raw)
    assert answer_problems(definition, {"factors": ["poverty", "none"]}) == {
        "factors": "‘None identified’ cannot be chosen with other answers."
    }
    assert answer_problems(definition, {"factors": ["none"]}) == {}
    assert export_definition(definition)["sections"][0]["questions"][0]["options"][1]["exclusive"] is True


def test_diff_ignores_the_order_of_themes_but_not_their_content():
    from audit_tools.tools import diff_definitions

    old = parse_definition(tool({"key": "q", "type": "scale", "text": "Q", "themes": ["a", "b"]}))
    same = parse_definition(tool({"key": "q", "type": "scale", "text": "Q", "themes": ["b", "a"]}))
    changed = parse_definition(tool({"key": "q", "type": "scale", "text": "Q", "themes": ["a", "c"]}))
    assert diff_definitions(old, same) == []
    assert [c.summary for c in diff_definitions(old, changed)] == ["Changed themes"]


def test_escalate_if_must_name_the_questions_own_answers():
    good = parse_definition(
        tool(
            {
                "key": "concern",
                "type": "single",
                "text": "Concern now?",
                "escalate_if": ["yes"],
                "options": [{"value": "yes", "label": "Yes"}, {"value": "no", "label": "No"}],
            }
        )
    )
    assert good.question("concern").escalate_if == ("yes",)
    assert export_definition(good)["sections"][0]["questions"][0]["escalate_if"] == ["yes"]
    bad = tool({"key": "concern", "type": "scale", "text": "Concern now?", "escalate_if": ["maybe"]})
    assert 'questions "concern": escalate_if values maybe are not answers to the question' in problems(bad)


# --- hostile tool files: a plain answer at once, never a RecursionError or "Unterminated string" (issue 16) ---

from audit_tools.files import bounded_json  # noqa: E402
from audit_tools.tools import MAX_FILE_BYTES, read_tool_file  # noqa: E402


def file_problems(data: bytes) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        read_tool_file(data)
    return caught.value.problems


def test_a_tool_file_over_1_mb_is_refused_for_its_size_before_it_is_parsed(monkeypatch):
    monkeypatch.setattr(bounded_json, "loads", lambda *_a, **_k: pytest.fail("parsed a file that is too large"))
    big = b'{"name": "' + b"x" * MAX_FILE_BYTES + b'"}'
    assert file_problems(big) == [
        "The file is larger than 1 MB, the largest tool file accepted (a tool file is "
        "usually under 100 KB): check it is the right file."
    ]


def test_a_tool_file_of_exactly_1_mb_is_parsed():
    data = b'{"x": "' + b"y" * (MAX_FILE_BYTES - 10) + b'"}'
    assert len(data) <= MAX_FILE_BYTES and read_tool_file(data) == {"x": "y" * (MAX_FILE_BYTES - 10)}


@pytest.mark.parametrize(
    "data",
    [b"[" * 100_000 + b"]" * 100_000, b'{"a":' * 50_000 + b"1" + b"}" * 50_000, b"[" * 33 + b"]" * 33, b"[" * 100_000],
)
def test_deep_nesting_is_refused_before_json_can_recurse(data):
    assert file_problems(data) == [
        "The file is not a JSON tool file the workbench can use: it is nested more than 32 levels deep."
    ]


def test_brackets_inside_strings_are_not_nesting():
    assert read_tool_file(b'{"text": "' + b"[{" * 1000 + b'"}') == {"text": "[{" * 1000}
    assert read_tool_file(b'{"a": "\\"[[[[", "b": [[1]]}') == {"a": '"[[[[', "b": [[1]]}


@pytest.mark.parametrize(
    "number", [b"9" * 900_000, b"-" + b"9" * 5000, b"1" * 21, b"1." + b"0" * 30, b"1e" + b"9" * 30]
)
def test_huge_numbers_are_refused_clearly(number):
    found = file_problems(b'{"schema_version": ' + number + b"}")
    assert found == [
        "The file is not a JSON tool file the workbench can use: it holds a number with more than 20 digits."
    ]


@pytest.mark.parametrize("constant", [b"NaN", b"Infinity", b"-Infinity"])
def test_not_a_number_constants_are_refused(constant):
    assert "which is not a number JSON allows" in file_problems(b'{"a": ' + constant + b"}")[0]


@pytest.mark.parametrize(
    "data, expected",
    [
        (b"", "The file is not a JSON tool file (Expecting value: line 1 column 1 (char 0))."),
        (
            b'{"a": "unterminated',
            "The file is not a JSON tool file (Unterminated string starting at: line 1 column 7 (char 6)).",
        ),
        (b'{"a": "caf\xe9"}', "The file is not a JSON tool file: it is not UTF-8 text."),
    ],
)
def test_other_unreadable_files_keep_their_messages(data, expected):
    assert file_problems(data) == [expected]


def test_a_utf8_byte_order_mark_is_accepted():
    assert read_tool_file(b'\xef\xbb\xbf{"a": 1}') == {"a": 1}


@pytest.mark.parametrize("text", ["Nul\x00 tool", "\x01", "bell\x07"])
def test_control_characters_in_tool_text_are_refused_naming_the_field(text):
    raw = tool({"key": "q", "type": "scale", "text": text})
    assert "sections[0].questions[0].text: must not hold control characters (such as NUL)" in problems(raw)
    assert "name: must not hold control characters (such as NUL)" in problems(
        tool({"key": "q", "type": "scale", "text": "Q"}, name=text)
    )
    themed = tool({"key": "q", "type": "scale", "text": "Q", "themes": [text]})
    assert "sections[0].questions[0].themes: must not hold control characters (such as NUL)" in problems(themed)


def test_tabs_and_line_breaks_in_tool_text_are_kept():
    assert (
        parse_definition(tool({"key": "q", "type": "scale", "text": "Q", "help": "a\tb\nc"})).question("q").help
        == "a\tb\nc"
    )
