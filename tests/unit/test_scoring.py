"""Compliance scores per section and overall."""

import pytest

from audit_tools.returns import best_score, is_scored, return_scores, scores
from audit_tools.tools import parse_definition

TOOL = parse_definition(
    {
        "schema_version": 1,
        "slug": "test-tool",
        "name": "T",
        "sections": [
            {
                "key": "a",
                "title": "A",
                "questions": [
                    {"key": "a1", "type": "scale", "text": "A1"},
                    {
                        "key": "a2",
                        "type": "single",
                        "text": "A2",
                        "options": [
                            {"value": "prompt", "label": "Prompt", "score": 4},
                            {"value": "late", "label": "Late", "score": 1},
                            {"value": "not_needed", "label": "Not needed"},
                        ],
                    },
                ],
            },
            {
                "key": "b",
                "title": "B",
                "judgement": True,
                "questions": [
                    {"key": "b1", "type": "scale", "text": "B1"},
                    {
                        "key": "b2",
                        "type": "multiple",
                        "text": "B2",
                        "options": [{"value": "x", "label": "X", "score": 5}],
                    },
                    {"key": "overall_judgement", "type": "grade", "text": "Overall", "overall": True},
                ],
            },
        ],
    }
)


def test_only_scored_practice_questions_count():
    assert [q.key for q in TOOL.questions if is_scored(q)] == ["a1", "a2", "b1"]
    assert best_score(TOOL.question("a2")) == 4


def test_a_return_scores_per_section_leaving_out_not_applicable():
    result = return_scores(
        TOOL,
        {
            "a1": "partly",
            "a2": "late",
            "b1": "not_applicable",
            "b2": ["x"],
            "overall_judgement": "good",
            "b_judgement": "inadequate",
        },
    )
    by_section = {key: score for key, _title, score in result.sections}
    assert by_section["a"].achieved == 2 and by_section["a"].possible == 6
    assert by_section["b"].possible == 0 and by_section["b"].compliance is None
    assert result.overall.compliance == pytest.approx(2 / 6)


def test_scores_from_grouped_sums_match_the_per_return_scores():
    answers = [{"a1": "yes", "a2": "prompt", "b1": "no"}, {"a1": "no", "a2": "not_needed", "b1": "yes"}]
    per_return = [return_scores(TOOL, a) for a in answers]
    grouped = scores(TOOL, {"a1": (2, 2), "a2": (4, 1), "b1": (2, 2)})
    assert grouped.overall.achieved == sum(r.overall.achieved for r in per_return) == 8
    assert grouped.overall.possible == sum(r.overall.possible for r in per_return) == 12
