"""The panel's side-by-side comparison: which questions the agencies differ on, and why."""

from audit_tools.returns import (
    compare_answers,
    compare_by_section,
    count_differences,
    differ,
    overall_judgements,
    view_of,
)
from audit_tools.tools import (
    GRADE,
    GRADE_OPTIONS,
    LONGTEXT,
    MULTIPLE,
    NUMBER,
    SCALE,
    SCALE_OPTIONS,
    Option,
    Question,
    Section,
    ShowIf,
    ToolDefinition,
    load_builtin,
)

FACTORS = (Option("poverty", "Poverty"), Option("housing", "Housing"), Option("none", "None", exclusive=True))
TOOL = ToolDefinition(
    "t",
    "Test tool",
    "",
    (
        Section(
            "practice",
            "Practice",
            "",
            (
                Question("seen", SCALE, "Was the child seen alone?", options=SCALE_OPTIONS),
                Question(
                    "father", SCALE, "Was the father engaged?", options=SCALE_OPTIONS, show_if=ShowIf("seen", ("yes",))
                ),
                Question("factors", MULTIPLE, "Which factors?", options=FACTORS),
            ),
        ),
        Section(
            "own_words",
            "In your own words",
            "",
            (
                Question("visits", NUMBER, "How many visits?"),
                Question("learning", LONGTEXT, "What can be learnt?"),
            ),
        ),
        Section(
            "overall",
            "Overall",
            "",
            (Question("overall", GRADE, "Overall judgement", options=GRADE_OPTIONS, overall=True),),
        ),
    ),
)


def by_key(comparisons):
    return {c.question.key: c for c in comparisons}


def test_different_choices_differ_and_the_same_choices_do_not():
    result = by_key(
        compare_answers(TOOL, {"Police": {"seen": "yes"}, "School": {"seen": "no"}, "Health": {"seen": "yes"}})
    )
    assert result["seen"].differ
    agreed = by_key(compare_answers(TOOL, {"Police": {"seen": "no"}, "School": {"seen": "no"}}))
    assert not agreed["seen"].differ


def test_answers_keep_the_agencies_order_and_carry_their_evidence_notes():
    answers = {"School": {"seen": "partly", "seen:note": "Seen at school by the nurse"}, "Police": {}}
    seen = by_key(compare_answers(TOOL, answers))["seen"]
    assert [(a.agency, a.value, a.note) for a in seen.answers] == [
        ("School", "partly", "Seen at school by the nurse"),
        ("Police", None, ""),
    ]


def test_not_applicable_and_not_known_give_no_view_so_they_never_make_a_difference():
    for set_aside in ("not_applicable", "not_known"):
        result = by_key(compare_answers(TOOL, {"Police": {"seen": "yes"}, "School": {"seen": set_aside}}))
        assert not result["seen"].differ, set_aside
    # ... but two agencies with a view still differ, whatever a third could not judge
    result = by_key(compare_answers(TOOL, {"A": {"seen": "yes"}, "B": {"seen": "not_known"}, "C": {"seen": "no"}}))
    assert result["seen"].differ


def test_one_agency_alone_or_unanswered_questions_never_differ():
    result = by_key(compare_answers(TOOL, {"Police": {"seen": "yes"}, "School": {}}))
    assert not result["seen"].differ
    assert not by_key(compare_answers(TOOL, {"Police": {}, "School": {}}))["seen"].differ


def test_multiple_choice_differs_by_the_set_of_options_chosen_in_any_order():
    same = {"A": {"factors": ["poverty", "housing"]}, "B": {"factors": ["housing", "poverty"]}}
    assert not by_key(compare_answers(TOOL, same))["factors"].differ
    other = {"A": {"factors": ["poverty", "housing"]}, "B": {"factors": ["poverty"]}}
    assert by_key(compare_answers(TOOL, other))["factors"].differ
    assert by_key(compare_answers(TOOL, {"A": {"factors": ["none"]}, "B": {"factors": ["poverty"]}}))["factors"].differ


def test_free_text_and_numbers_never_differ():
    answers = {
        "A": {"visits": "3", "learning": "Chronology was late"},
        "B": {"visits": "12", "learning": "Father was not seen"},
    }
    result = by_key(compare_answers(TOOL, answers))
    assert not result["visits"].differ and not result["learning"].differ
    assert view_of(TOOL.question("learning"), result["learning"].answers[0]) is None


def test_a_question_hidden_from_an_agency_by_its_show_if_is_not_asked_and_gives_no_view():
    answers = {"A": {"seen": "yes", "father": "no"}, "B": {"seen": "no", "father": "yes"}}
    father = by_key(compare_answers(TOOL, answers))["father"]
    assert [a.asked for a in father.answers] == [True, False]
    assert not father.differ  # B's leftover answer to a question it was not asked does not count


def test_count_differences():
    answers = {
        "A": {"seen": "yes", "factors": ["poverty"], "overall": "good"},
        "B": {"seen": "no", "factors": ["poverty"], "overall": "inadequate"},
    }
    assert count_differences(TOOL, answers) == 2
    assert count_differences(TOOL, {}) == 0


def test_sections_leave_out_questions_nobody_was_asked_and_can_show_only_differences():
    answers = {"A": {"seen": "no", "factors": ["poverty"]}, "B": {"seen": "partly", "factors": ["poverty"]}}
    sections = compare_by_section(TOOL, answers)
    assert [s.section.key for s in sections] == ["practice", "own_words", "overall"]
    assert [c.question.key for c in sections[0].questions] == ["seen", "factors"]  # "father" asked of nobody
    only = compare_by_section(TOOL, answers, only_differences=True)
    assert [(s.section.key, [c.question.key for c in s.questions]) for s in only] == [("practice", ["seen"])]


def test_overall_judgements_of_each_agency():
    overall = overall_judgements(TOOL, {"A": {"overall": "good"}, "B": {"overall": "requires_improvement"}})
    assert [a.value for a in overall.answers] == ["good", "requires_improvement"] and overall.differ
    without = ToolDefinition("n", "No overall", "", TOOL.sections[:1])
    assert overall_judgements(without, {"A": {}}) is None


def test_differ_on_the_builtin_tool_matches_compare_answers():
    _raw, tool = load_builtin()
    answers = {
        "CSC": {"neglect_tool_used": "partly", "child_seen_alone": "yes", "agency_role": "lead_professional"},
        "EH": {"neglect_tool_used": "partly", "child_seen_alone": "no", "agency_role": "contributing_service"},
    }
    comparisons = by_key(compare_answers(tool, answers))
    assert not comparisons["neglect_tool_used"].differ
    assert comparisons["child_seen_alone"].differ
    assert differ(comparisons["child_seen_alone"].question, comparisons["child_seen_alone"].answers)
    assert not comparisons["agency_role"].differ  # each agency's own role: marked compare: false in the tool


def test_a_question_each_agency_answers_for_itself_never_differs():
    role = Question("role", SCALE, "Were you the lead agency?", options=SCALE_OPTIONS, compare=False)
    tool = ToolDefinition("r", "Roles", "", (Section("s", "S", "", (role, TOOL.sections[0].questions[0])),))
    answers = {"Police": {"role": "no", "seen": "yes"}, "School": {"role": "yes", "seen": "no"}}
    assert [c.differ for c in compare_answers(tool, answers)] == [False, True]
    assert count_differences(tool, answers) == 1
    shown = compare_by_section(tool, answers, only_differences=True)
    assert [c.question.key for c in shown[0].questions] == ["seen"]
