"""Tool definitions are validated with paths; answers follow the tool's rules."""

import copy

import pytest

from audit_tools.returns import answer_problems, from_rows, is_visible, missing_required, to_rows
from audit_tools.tools import DefinitionError, load_builtin, parse_definition

RAW, TOOL = load_builtin()


def minimal(**question) -> dict:
    return {
        "schema_version": 1,
        "slug": "test-tool",
        "name": "T",
        "sections": [
            {
                "key": "s",
                "title": "S",
                "questions": [
                    {"key": "q1", "type": "scale", "text": "Q1?"},
                    {"key": "q2", "type": "longtext", "text": "Q2?", **question},
                ],
            }
        ],
    }


def problems_of(raw) -> list[str]:
    with pytest.raises(DefinitionError) as error:
        parse_definition(raw)
    return error.value.problems


def test_every_problem_is_reported_with_its_path():
    raw = minimal()
    raw["sections"][0]["questions"].append({"key": "Bad Key", "type": "colour", "text": ""})
    raw["sections"][0]["questions"].append(
        {
            "key": "q1",
            "type": "single",
            "text": "Again?",
            "options": [{"value": "a", "label": "A"}, {"value": "a", "label": "B"}],
        }
    )
    problems = problems_of(raw)
    assert any(p.startswith("sections[0].questions[2].key: must start with a letter") for p in problems)
    assert any(p.startswith("sections[0].questions[2].type: 'colour' is not one of") for p in problems)
    assert "sections[0].questions[2].text: must be a non-empty string" in problems
    assert 'sections[0].questions[3].options: duplicate value "a"' in problems
    assert 'questions "q1": the key is used more than once' in problems


def test_show_if_must_name_a_real_question():
    problems = problems_of(minimal(show_if={"question": "q99", "values": ["yes"]}))
    assert problems == ['questions "q2": show-if refers to unknown key "q99"']


def test_wrong_schema_version_is_refused():
    raw = minimal()
    raw["schema_version"] = 2
    assert problems_of(raw) == ["schema_version: expected 1, got 2"]


def test_builtin_tool_has_one_overall_judgement_and_charts():
    assert TOOL.overall_question.key == "overall_judgement"
    assert [q.key for q in TOOL.questions if q.chart_title] == ["neglect_types", "contributory_factors"]


def test_show_if_hides_and_reveals_a_required_question():
    tool = parse_definition(minimal(show_if={"question": "q1", "values": ["no"]}))
    q2 = tool.question("q2")
    assert not is_visible(q2, {"q1": "yes"}) and is_visible(q2, {"q1": "no"})
    assert [q.key for q in missing_required(tool, {"q1": "yes"})] == []
    assert [q.key for q in missing_required(tool, {"q1": "no"})] == ["q2"]


def test_answer_problems_name_each_bad_answer():
    scale = next(q for q in TOOL.questions if q.type == "scale")
    number = next(q for q in TOOL.questions if q.type == "number")
    multiple = next(q for q in TOOL.questions if q.type == "multiple")
    problems = answer_problems(
        TOOL,
        {scale.key: "maybe", number.key: "lots", multiple.key: ["nope"], "not_a_question": "x", "overall_judgement": 3},
    )
    assert problems == {
        scale.key: "Choose one of the answers listed.",
        number.key: "Enter a number, like 3 or 2.5.",
        multiple.key: "Choose one of the answers listed.",
        "not_a_question": "This question is not part of the audit tool.",
        "overall_judgement": "Answers must be text.",
    }


def test_rows_round_trip_with_scores_and_multiple_choices():
    multiple = next(q for q in TOOL.questions if q.type == "multiple")
    choices = [o.value for o in multiple.options[:2]]
    answers = {"overall_judgement": "good", multiple.key: choices, "overall_rationale": "Because."}
    rows = to_rows(TOOL, answers)
    assert [(r.question_key, r.ordinal) for r in rows if r.question_key == multiple.key] == [
        (multiple.key, 0),
        (multiple.key, 1),
    ]
    assert next(r.score for r in rows if r.question_key == "overall_judgement") == 3.0
    assert from_rows(TOOL, [(r.question_key, r.ordinal, r.value) for r in rows]) == answers


def test_parsing_does_not_change_the_raw_definition():
    raw = copy.deepcopy(RAW)
    parse_definition(raw)
    assert raw == RAW


def test_a_conflict_is_resolved_question_by_question():
    from audit_tools.merge import fingerprints
    from audit_tools.returns import merge_answers, resolve

    base = {"overall_judgement": "good", "overall_rationale": "Reasons.", "agency_role": "lead_professional"}
    mine = {"overall_judgement": "good", "overall_rationale": "My reasons.", "agency_role": "lead_professional"}
    saved = {
        "overall_judgement": "inadequate",
        "overall_rationale": "Their reasons.",
        "agency_role": "lead_professional",
    }
    merge = merge_answers(TOOL, fingerprints(base), saved, mine)
    assert merge.clashes == ("overall_rationale",) and merge.kept_theirs == ("overall_judgement",)
    result, unsettled = resolve(
        TOOL,
        merge,
        saved,
        mine,
        {"overall_rationale": "merged"},
        {"overall_rationale": "Their reasons.\n\nMy reasons."},
    )
    assert unsettled == []
    assert result == {
        "overall_judgement": "inadequate",
        "overall_rationale": "Their reasons.\n\nMy reasons.",
        "agency_role": "lead_professional",
    }
    assert resolve(TOOL, merge, saved, mine, {"overall_rationale": "mine"}, {})[0]["overall_rationale"] == "My reasons."


def test_section_status_follows_required_visible_answers():
    from audit_tools.returns import section_status

    tool = parse_definition(minimal(show_if={"question": "q1", "values": ["no"]}))
    assert section_status(tool, {}) == {"s": "Not yet started"}
    assert section_status(tool, {"q1": "yes"}) == {"s": "Completed"}  # q2 is hidden, so not needed
    assert section_status(tool, {"q1": "no"}) == {"s": "In progress"}  # q2 now shows and is required
    assert section_status(tool, {"q1": "no", "q2": "Because."}) == {"s": "Completed"}


def test_evidence_notes_travel_with_answers_and_follow_their_rules():
    from audit_tools.returns import MAX_NOTE_LENGTH, differences, merge_answers, note_key, notes_of, visible_answers

    definition = parse_definition(minimal(show_if={"question": "q1", "values": ["no"]}))
    assert answer_problems(definition, {note_key("q1"): "Strategy minutes"}) == {}
    assert answer_problems(definition, {note_key("q1"): "x" * (MAX_NOTE_LENGTH + 1)}) == {
        "q1:note": "Evidence note must be 2,000 characters or fewer."
    }
    # free text is its own evidence; an unknown question has no note either
    assert set(answer_problems(definition, {note_key("q2"): "a", note_key("zz"): "b"})) == {"q2:note", "zz:note"}
    assert to_rows(definition, {"q1": "yes", note_key("q1"): "seen"})[0].value == "yes"
    assert len(to_rows(definition, {"q1": "yes", note_key("q1"): "seen"})) == 1  # notes are not answer rows
    assert notes_of({"q1": "yes", note_key("q1"): "seen"}) == {"q1": "seen"}
    hidden_note = {"q1": "yes", note_key("q2"): "left behind"}
    assert visible_answers(definition, hidden_note) == {"q1": "yes"}
    merge = merge_answers(
        definition, None, {"q1": "yes", note_key("q1"): "theirs"}, {"q1": "yes", note_key("q1"): "mine"}
    )
    found = differences(definition, merge.clashes)
    assert [(d.key, d.is_note, d.is_text) for d in found] == [("q1:note", True, True)]
