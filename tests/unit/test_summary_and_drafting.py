"""Figures become words: the summary, findings, key figures and charts of a briefing."""

import random
import re
from dataclasses import replace
from decimal import Decimal

import pytest

from audit_tools.analysis import (
    AuditFacts,
    ThemeCount,
    chart_safe,
    count_of,
    findings,
    findings_hide_counts,
    summarise,
    summary_paragraphs,
    theme_findings,
    themes_hide_counts,
    themes_in_common,
)
from audit_tools.briefing import (
    INDEPENDENT,
    NO_THEMES_YET,
    ORDINAL,
    OTHER_ANSWERS,
    PARTITION,
    BriefingSettings,
    Chart,
    Learning,
    compliance_chart,
    draft_briefing,
    privacy_note,
    protect_chart,
)
from audit_tools.text import format_age, join_words, number_words
from audit_tools.tools import load_builtin

_, TOOL = load_builtin()
FACTS = AuditFacts(
    "Audit",
    "Neglect",
    2026,
    6,
    Decimal("1.5"),
    Decimal("8"),
    ("CAMHS", "CSC", "EH", "School"),
    ("Child protection plan – neglect",),
    22,
    22,
)


@pytest.mark.parametrize(
    "age, words",
    [(Decimal("1.5"), "1½"), (Decimal("8.0"), "8"), (Decimal("0.5"), "½"), (Decimal("2.4"), "2½"), (None, "unknown")],
)
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
    counts = [{"yes": 50}, {"yes": 10, "no": 40}, {"yes": 30, "partly": 20}, {"no": 50}, {"yes": 40, "no": 10}]
    sentences = findings([summarise(q, c, 50) for q, c in zip(scale, counts, strict=False)], strongest=1, weakest=2)
    assert sentences[0].startswith("In 50 of 50 returns, " + scale[0].finding.rstrip("."))
    assert sentences[1].startswith("In 0 of 50 returns") and sentences[2].startswith("In 10 of 50 returns")


def test_draft_briefing_is_prefilled_from_the_audit():
    summaries = [summarise(q, {"good": 9, "inadequate": 3} if q.overall else {}, 12) for q in TOOL.questions]
    content = draft_briefing(
        FACTS,
        summaries,
        Learning(managers=("Check plans.",)),
        BriefingSettings("Westmere SCP", definition="Neglect is…"),
        date="1 May 2026",
    )
    assert content.title == "Learning from the audit: Neglect"
    assert "The partnership audited the cases of 6 children aged 1½ to 8." in content.summary[0]
    assert content.summary[1].startswith("Four agencies took part: CAMHS, CSC, EH and School.")
    assert [f.value for f in content.key_figures] == ["6", "4", "22", "1½–8"]
    assert content.charts[0] == Chart(
        "Overall judgement of practice",
        ("Outstanding", "Good, requires improvement or inadequate"),
        (0, 12),
        note="Neighbouring answers are combined so that no bar shows a number from 1 to 5.",
    )
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

    from audit_tools.briefing import (
        BriefingContent,
        Chart,
        KeyFigure,
        Recommendation,
        Resource,
        content_from_dict,
        content_to_dict,
    )

    content = BriefingContent(
        "Westmere",
        "Eyes On",
        "Neglect",
        "1 May 2026",
        "1",
        "Neglect is…",
        ("One.", "Two."),
        key_figures=(KeyFigure("6", "cases"),),
        charts=(Chart("Judgements", ("Good",), (3,)),),
        findings=("A finding",),
        recommendations=(Recommendation("Do it", "CSC", "By May"),),
        resources=(Resource("Guide", "https://example.org/guide"),),
    )
    stored = json.loads(json.dumps(content_to_dict(content)))
    assert content_from_dict(stored) == content
    assert content_from_dict({**stored, "retired_field": 1}) == content  # old drafts with extra keys still load


# --- small-number suppression in the drafted briefing -------------------------------------------------------------

SCALE_QUESTIONS = [q for q in TOOL.questions if q.type == "scale" and q.finding]
OVERALL = next(q for q in TOOL.questions if q.overall)


def scale_summary(question, yes, partly=0, no=0, not_applicable=0):
    counts = {"yes": yes, "partly": partly, "no": no, "not_applicable": not_applicable}
    return summarise(question, counts, yes + partly + no + not_applicable)


@pytest.mark.parametrize(
    "count, total, threshold, words",
    [
        (16, 22, 5, "16 of 22"),
        (0, 22, 5, "0 of 22"),
        (22, 22, 5, "22 of 22"),
        (4, 22, 5, "fewer than 6 of 22"),
        (17, 22, 5, "more than 16 of 22"),
        (21, 22, 5, "more than 16 of 22"),
        (3, 4, 5, "some of 4"),
        (4, 6, 5, "some of 6"),
        (4, 7, 5, "fewer than 6 of 7"),
        (2, 22, 2, "fewer than 3 of 22"),
        (1_200, 1_500, 5, "1,200 of 1,500"),
    ],
)
def test_count_of_hides_a_small_count_and_a_small_rest(count, total, threshold, words):
    assert count_of(count, total, threshold) == words


def test_findings_word_small_counts_and_leave_out_questions_with_few_ratings():
    few = scale_summary(SCALE_QUESTIONS[0], 2, 1, 1)  # rated in only 4 returns: nothing to report
    small_yes = scale_summary(SCALE_QUESTIONS[1], 3, 8, 11)
    sentences = findings([few, small_yes])
    assert sentences == (
        f"In fewer than 6 of 22 returns, {SCALE_QUESTIONS[1].finding.rstrip('.')} (partly in 8 more).",
    )
    assert findings_hide_counts([few, small_yes])
    assert not findings_hide_counts([scale_summary(SCALE_QUESTIONS[1], 6, 8, 11)])


def test_a_finding_never_lets_a_small_no_be_worked_out_by_subtraction():
    summary = scale_summary(SCALE_QUESTIONS[0], 10, 9, 3)  # 22 − 10 − 9 would give the 3 away
    sentence = findings([summary])[0]
    assert sentence.startswith("In 10 of 22 returns") and "partly" not in sentence
    assert "(partly in fewer than 6 more)" in findings([scale_summary(SCALE_QUESTIONS[0], 10, 3, 9)])[0]


def test_the_threshold_is_passed_in():
    summary = scale_summary(SCALE_QUESTIONS[0], 3, 8, 11)
    assert findings([summary], threshold=2)[0].startswith("In 3 of 22 returns")
    assert findings([summary], threshold=3)[0].startswith("In fewer than 4 of 22 returns")


THEMES = (
    ThemeCount("Drift and delay", 4),
    ThemeCount("Voice of the child", 9, (2024, 2025)),
    ThemeCount("Disguised compliance", 9, (2025,)),
    ThemeCount("Fathers overlooked", 7),
    ThemeCount("Poor chronologies", 12),
    ThemeCount("Housing", 6),
    ThemeCount("Not seen", 0),
)


def test_theme_findings_are_the_five_most_frequent_with_small_counts_hidden():
    assert theme_findings(THEMES, 20) == (
        "The theme ‘Poor chronologies’ was found in 12 of 20 cases.",
        "The theme ‘Disguised compliance’ was found in 9 of 20 cases.",
        "The theme ‘Voice of the child’ was found in 9 of 20 cases.",
        "The theme ‘Fathers overlooked’ was found in 7 of 20 cases.",
        "The theme ‘Housing’ was found in 6 of 20 cases.",
    )
    assert theme_findings(THEMES, 12)[1] == "The theme ‘Disguised compliance’ was found in more than 6 of 12 cases."
    assert theme_findings((ThemeCount("Drift and delay", 4),), 6) == (
        "The theme ‘Drift and delay’ was found in some of 6 cases.",
    )
    assert not themes_hide_counts(THEMES, 40) and themes_hide_counts(THEMES, 12)  # 12 − 9 = 3 cases without


def test_themes_in_common_name_the_years_of_earlier_audits():
    assert themes_in_common(THEMES) == (
        "Disguised compliance — also found in 2025",
        "Voice of the child — also found in 2024 and 2025",
    )
    assert themes_in_common((ThemeCount("Housing", 6),)) == ()


def test_ordinal_chart_merges_small_bars_into_neighbours():
    chart = Chart("Judgements", ("Outstanding", "Good", "Requires improvement", "Inadequate"), (1, 9, 9, 3))
    safe = protect_chart(chart, ORDINAL)
    assert safe.labels == ("Outstanding or good", "Requires improvement or inadequate") and safe.values == (10, 12)
    assert "no bar shows a number from 1 to 5" in safe.note and safe.note in safe.description
    assert protect_chart(Chart("J", ("A", "B"), (2, 2)), ORDINAL) is None  # the whole chart is a small number
    assert protect_chart(chart, ORDINAL, 1).values == (10, 9, 3)  # the threshold is passed in
    unchanged = Chart("J", ("A", "B", "C"), (0, 9, 7))
    assert protect_chart(unchanged, ORDINAL) is unchanged


def test_partition_chart_merges_small_bars_as_other_answers_only_when_that_is_safe():
    safe = protect_chart(Chart("Plan", ("A", "B", "C", "D"), (20, 3, 4, 0)), PARTITION)
    assert dict(zip(safe.labels, safe.values, strict=False)) == {"A": 20, "D": 0, OTHER_ANSWERS: 7}
    assert protect_chart(Chart("Plan", ("A", "B"), (20, 3)), PARTITION) is None  # "Other" would be B itself
    assert protect_chart(Chart("Plan", ("A", "B", "C"), (20, 5, 5)), PARTITION) is None  # 10 = 5 + 5 exactly
    assert protect_chart(Chart("Plan", ("A", "B", "C"), (20, 3, 3)), PARTITION).values == (20, 6)  # 1 + 5 … 5 + 1


def test_independent_chart_leaves_small_bars_out():
    safe = protect_chart(Chart("Kinds", ("A", "B", "C", "D"), (15, 5, 1, 0)), INDEPENDENT)
    assert safe.labels == ("A", "D") and safe.values == (15, 0)
    assert safe.note == "Bars with a number from 1 to 5 are left out of this chart."
    assert protect_chart(Chart("Kinds", ("A",), (3,)), INDEPENDENT) is None


@pytest.mark.parametrize("seed", range(40))
def test_every_protected_chart_is_safe_and_keeps_its_total_when_merging(seed):
    rng = random.Random(seed)
    threshold = rng.choice((1, 2, 3, 5, 10))
    values = tuple(rng.choice((0, 1, 2, 3, 4, 5, 6, 8, 11, 30)) for _ in range(rng.randint(1, 7)))
    chart = Chart("C", tuple(f"Answer {i}" for i in range(len(values))), values)
    for kind in (ORDINAL, PARTITION, INDEPENDENT):
        safe = protect_chart(chart, kind, threshold)
        if safe is None:
            continue
        assert chart_safe(dict(enumerate(safe.values)), threshold), (kind, values, safe.values)
        if kind != INDEPENDENT:
            assert sum(safe.values) == sum(values)


def demo_like_summaries():
    """Counts like the demo audit's: six cases, 22 returns, so most counts are small."""
    summaries = [summarise(q, {}, 0) for q in TOOL.questions]
    by_key = {s.question.key: i for i, s in enumerate(summaries)}
    summaries[by_key[OVERALL.key]] = summarise(
        OVERALL, {"outstanding": 1, "good": 9, "requires_improvement": 9, "inadequate": 3}, 22
    )
    for question, counts in zip(SCALE_QUESTIONS, [(17, 4, 1), (4, 8, 10), (3, 11, 8), (16, 6, 0)], strict=False):
        summaries[by_key[question.key]] = scale_summary(question, *counts)
    return summaries


def test_draft_briefing_suppresses_small_counts_and_says_so():
    content = draft_briefing(
        FACTS,
        demo_like_summaries(),
        Learning(),
        BriefingSettings("Westmere SCP"),
        date="1 May 2026",
        themes=(ThemeCount("Drift and delay", 4),),
        definition=TOOL,
    )
    figures = {f.label: f.value for f in content.key_figures}
    assert figures["children's cases audited"] == "6" and figures["agencies took part"] == "4"  # design facts
    assert figures["of returns judged practice good or outstanding"] == "45%"
    assert figures["cases showing the most frequent theme: drift and delay"] == "fewer than 6"
    assert content.findings[0] == "The theme ‘Drift and delay’ was found in some of 6 cases."
    assert content.charts[0].values == (10, 12)
    assert all(chart_safe(dict(enumerate(c.values))) for c in content.charts)
    assert content.privacy_note == privacy_note(5) and "“fewer than 6”" in content.privacy_note
    text = " ".join(content.findings)
    assert not re.search(r"\b[1-5] of \d", text) and not re.search(r"partly in [1-5] more", text)


def test_no_privacy_note_when_nothing_was_hidden():
    summaries = [summarise(q, {"good": 9, "requires_improvement": 7} if q.overall else {}, 16) for q in TOOL.questions]
    content = draft_briefing(FACTS, summaries, Learning(), BriefingSettings("P"), date="1 May 2026", definition=TOOL)
    assert content.privacy_note == ""
    assert content.charts[0].values == (0, 9, 7, 0) and content.charts[0].note == ""


def test_judgement_share_is_left_out_when_it_would_reveal_a_small_number():
    summaries = [summarise(q, {"good": 19, "inadequate": 3} if q.overall else {}, 22) for q in TOOL.questions]
    content = draft_briefing(FACTS, summaries, Learning(), BriefingSettings("P"), date="1 May 2026")
    assert "of returns judged practice good or outstanding" not in {f.label for f in content.key_figures}
    assert content.privacy_note


def test_compliance_chart_leaves_out_sections_rated_in_few_returns_and_matches_scoring():
    question = SCALE_QUESTIONS[0]
    summaries = [
        scale_summary(question, 6, 2, 2) if q.key == question.key else summarise(q, {}, 0) for q in TOOL.questions
    ]
    chart = compliance_chart(TOOL, summaries, 5)
    assert chart.values == (70,)  # (6 × 2 + 2 × 1) / (10 × 2)
    assert compliance_chart(TOOL, summaries, 10) is None


def test_themes_in_common_are_drafted_from_the_themes():
    facts = replace(FACTS, case_count=40)
    content = draft_briefing(facts, [], Learning(), BriefingSettings("P"), date="1 May 2026", themes=THEMES)
    assert content.themes_in_common[1] == "Voice of the child — also found in 2024 and 2025"
    assert content.charts[0].title == "Most frequent themes" and "Drift and delay" not in content.charts[0].labels
