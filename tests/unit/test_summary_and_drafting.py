"""Figures become words: the summary, findings, key figures and charts of a briefing."""

from decimal import Decimal

import pytest

from audit_tools.aggregation import summarise
from audit_tools.briefing import Chart
from audit_tools.tool_files import load_builtin
from audit_tools.drafting import NO_THEMES_YET, BriefingSettings, Learning, draft_briefing
from audit_tools.summary import AuditFacts, findings, format_age, join_words, number_words, summary_paragraphs

_, TOOL = load_builtin()
FACTS = AuditFacts("Audit", "Neglect", 2026, 6, Decimal("1.5"), Decimal("8"), ("CAMHS", "CSC", "EH", "School"),
                   ("Child protection plan – neglect",), 22, 22)


@pytest.mark.parametrize("age, words", [(Decimal("1.5"), "1½"), (Decimal("8.0"), "8"), (Decimal("0.5"), "½"),
                                        (Decimal("2.4"), "2½"), (None, "unknown")])
def test_format_age(age, words):
    assert format_age(age) == words


def test_words():
    assert join_words(["a"]) == "a" and join_words(["a", "b", "c"]) == "a, b and c"
    assert number_words(4) == "four" and number_words(12) == "12"


def test_compliance_ignores_not_applicable():
    question = next(q for q in TOOL.questions if q.type == "scale" and q.finding)
    summary = summarise(question, {"yes": 2, "partly": 2, "no": 0, "not_applicable": 5}, answered=9)
    assert summary.compliance == pytest.approx(0.75)
    assert summary.count("not_applicable") == 5


def test_findings_lead_with_strengths_then_weaknesses():
    scale = [q for q in TOOL.questions if q.type == "scale" and q.finding][:5]
    counts = [{"yes": 5}, {"yes": 1, "no": 4}, {"yes": 3, "partly": 2}, {"no": 5}, {"yes": 4, "no": 1}]
    sentences = findings([summarise(q, c, 5) for q, c in zip(scale, counts)], strongest=1, weakest=2)
    assert sentences[0].startswith("In 5 of 5 returns, " + scale[0].finding.rstrip("."))
    assert sentences[1].startswith("In 0 of 5 returns") and sentences[2].startswith("In 1 of 5 returns")


def test_draft_briefing_is_prefilled_from_the_audit():
    summaries = [summarise(q, {"good": 9, "inadequate": 3} if q.overall else {}, 12) for q in TOOL.questions]
    content = draft_briefing(FACTS, summaries, Learning(managers=("Check plans.",)),
                             BriefingSettings("Westmere SCP", definition="Neglect is…"), date="1 May 2026")
    assert content.title == "Learning from the audit: Neglect"
    assert "The partnership audited the cases of 6 children aged 1½ to 8." in content.summary[0]
    assert content.summary[1].startswith("Four agencies took part: CAMHS, CSC, EH and School.")
    assert [f.value for f in content.key_figures] == ["6", "4", "22", "1½–8"]
    assert content.charts[0] == Chart("Overall judgement of practice",
                                      ("Outstanding", "Good", "Requires improvement", "Inadequate"), (0, 9, 0, 3))
    assert content.themes_in_common == (NO_THEMES_YET,)
    assert content.learning_points_managers == ("Check plans.",)


def test_chart_description_states_every_bar_or_no_data():
    assert Chart("Judgements", ("Good", "Inadequate"), (9, 3)).description == "Judgements. Good: 9; Inadequate: 3."
    assert Chart("Empty", (), ()).description == "Empty. No data."


def test_summary_before_any_return_and_with_acronym_plans():
    facts = AuditFacts("Audit", "Neglect", 2026, 2, Decimal("3"), Decimal("4"), (), ("CP plan",), 0, 4)
    first, second = summary_paragraphs(facts)
    assert first == "The partnership audited the cases of 2 children aged 3 to 4. All were on a CP plan."
    assert second == "No agency has submitted a return yet (4 are expected)."


def test_charts_without_data_are_left_out():
    summaries = [summarise(q, {}, 0) for q in TOOL.questions]
    content = draft_briefing(FACTS, summaries, Learning(), BriefingSettings("P"), date="1 May 2026")
    assert content.charts == ()


def test_briefing_content_survives_a_trip_through_json():
    import json

    from audit_tools.briefing import (BriefingContent, Chart, KeyFigure, Recommendation, Resource, content_from_dict,
                                      content_to_dict)
    content = BriefingContent("Westmere", "Eyes On", "Neglect", "1 May 2026", "1", "Neglect is…", ("One.", "Two."),
                              key_figures=(KeyFigure("6", "cases"),), charts=(Chart("Judgements", ("Good",), (3,)),),
                              findings=("A finding",), recommendations=(Recommendation("Do it", "CSC", "By May"),),
                              resources=(Resource("Guide", "https://example.org/guide"),))
    stored = json.loads(json.dumps(content_to_dict(content)))
    assert content_from_dict(stored) == content
    assert content_from_dict({**stored, "retired_field": 1}) == content  # old drafts with extra keys still load
