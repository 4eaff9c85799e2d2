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
    practice_findings,
    sampling_words,
    summarise,
    summary_paragraphs,
    theme_findings,
    themes_hide_counts,
    themes_in_common,
    themes_in_common_lead,
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
    assert sentences[0].startswith("In every return, " + scale[0].finding.rstrip("."))
    assert sentences[1].startswith("In none of the returns")
    assert sentences[2].startswith("In some returns")  # 10 of 50 is 20%, the lowest "some"


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
    assert content.summary[0] == (
        "We looked in depth at the cases of 6 children aged 1½ to 8, all on a child protection plan – neglect."
    )
    assert content.summary[1].startswith("Four agencies took part (CAMHS, CSC, EH and School).")
    assert [f.value for f in content.key_figures] == ["6", "4", "22", "1½–8"]
    assert content.charts[0] == Chart(
        "Overall judgement of practice",
        ("Outstanding", "Good, requires improvement or inadequate"),
        (0, 12),
        note="Neighbouring answers are combined so that no bar shows a number from 1 to 5.",
    )
    assert content.themes_in_common == () and content.themes_note == NO_THEMES_YET
    assert content.learning_points_managers == ("Check plans.",)


def test_chart_description_states_every_bar_or_no_data():
    assert Chart("Judgements", ("Good", "Inadequate"), (9, 3)).description == "Judgements. Good: 9; Inadequate: 3."
    assert Chart("Empty", (), ()).description == "Empty. No data."


def test_summary_before_any_return_and_with_acronym_plans():
    facts = AuditFacts("Audit", "Neglect", 2026, 2, Decimal("3"), Decimal("4"), (), ("CP plan",), 0, 4)
    first, second = summary_paragraphs(facts)
    assert first == "We looked in depth at the cases of 2 children aged 3 to 4, all on a CP plan."
    assert second == "No agency has sent in its return yet (4 are expected)."


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


def test_findings_word_counts_on_the_scale_and_leave_out_questions_with_few_ratings():
    few = scale_summary(SCALE_QUESTIONS[0], 2, 1, 1)  # rated in only 4 returns: nothing to report
    small_yes = scale_summary(SCALE_QUESTIONS[1], 3, 8, 11)
    sentences = findings([few, small_yes])
    assert sentences == (
        f"In a few returns, {SCALE_QUESTIONS[1].finding.rstrip('.')} (in about half of the others, in part).",
    )
    assert findings_hide_counts([few, small_yes])
    assert not findings_hide_counts([scale_summary(SCALE_QUESTIONS[1], 6, 8, 11)])


def test_practice_findings_split_what_worked_well_from_what_needs_to_change():
    strong = scale_summary(SCALE_QUESTIONS[0], 14, 8, 0)  # 64%: more than half
    middling = scale_summary(SCALE_QUESTIONS[1], 13, 9, 0)  # 59%: about half, so it needs to change
    weak = scale_summary(SCALE_QUESTIONS[2], 2, 0, 20)
    found = practice_findings([strong, middling, weak])
    assert found.worked_well == (
        f"In more than half of the returns, {SCALE_QUESTIONS[0].finding.rstrip('.')} (in the others, in part).",
    )
    assert [f.split(",")[0] for f in found.to_change] == ["In a few returns", "In about half of the returns"]


def test_no_drafted_finding_prints_a_count():
    summaries = [
        scale_summary(q, yes, partly, 22 - yes - partly)
        for q, (yes, partly) in zip(
            SCALE_QUESTIONS, [(4, 8), (17, 3), (16, 6), (3, 3), (21, 1), (10, 9), (0, 6)], strict=False
        )
    ]
    text = " ".join(findings(summaries, strongest=9, weakest=9))
    assert not re.search(r"\d", text)
    for banned in ("fewer than", "more than 1", "partly in", "some of 6", " of 22"):
        assert banned not in text


THEMES = (
    ThemeCount("Drift and delay", 4),
    ThemeCount("Voice of the child", 9, (2024, 2025)),
    ThemeCount("Disguised compliance", 9, (2025,)),
    ThemeCount("Fathers overlooked", 7),
    ThemeCount("Poor chronologies", 12),
    ThemeCount("Housing", 6),
    ThemeCount("Not seen", 0),
)


def test_theme_findings_are_the_five_most_frequent_in_children_s_words():
    assert theme_findings(THEMES, 20) == (
        "Poor chronologies came up in about half of the children's cases.",
        "Disguised compliance came up in about half of the children's cases.",
        "Voice of the child came up in about half of the children's cases.",
        "Fathers overlooked came up in some of the children's cases.",
        "Housing came up in some of the children's cases.",
    )
    assert theme_findings(THEMES, 12)[0] == "Poor chronologies came up in every one of the children's cases."
    assert theme_findings((ThemeCount("Drift and delay", 1),), 6) == (
        "Drift and delay came up in some of the children's cases.",  # "a few" would say exactly 1
    )
    assert themes_hide_counts((ThemeCount("Drift and delay", 4),), 6) and not themes_hide_counts(THEMES, 40)


def test_themes_in_common_name_the_years_of_earlier_audits():
    assert themes_in_common(THEMES) == (
        "Disguised compliance — also found in 2025",
        "Voice of the child — also found in 2024 and 2025",
    )
    assert themes_in_common((ThemeCount("Housing", 6),)) == ()


def test_themes_in_common_are_the_four_most_frequent_here():
    """Two audits on one topic can share every theme (fifteen in the demo): the list stays a briefing's length,
    as in the seed (four themes), and the audit they were all found in is said once, before them."""
    shared = tuple(ThemeCount(f"Theme {n:02d}", n, (2025,), ("Neglect (2025)",)) for n in range(1, 9))
    assert themes_in_common(shared) == ("Theme 08", "Theme 07", "Theme 06", "Theme 05")
    assert themes_in_common_lead(shared) == "These themes were also found in Neglect (2025):"
    assert len(themes_in_common(shared, most=3)) == 3


def test_themes_found_in_different_earlier_audits_each_name_their_own():
    assert themes_in_common_lead(THEMES) == ""  # 2025 for one, 2024 and 2025 for the other
    one = (ThemeCount("Housing", 3, (2025,), ("Neglect (2025)",)),)
    assert themes_in_common(one) == ("Housing — also found in Neglect (2025)",) and themes_in_common_lead(one) == ""


def test_the_drafted_briefing_leads_in_to_themes_found_in_the_same_audit():
    shared = tuple(ThemeCount(f"Theme {n}", n, (2025,), ("Neglect (2025)",)) for n in (3, 4))
    content = draft_briefing(FACTS, [], Learning(), BriefingSettings("P"), date="1 May 2026", themes=shared)
    assert content.themes_note == "These themes were also found in Neglect (2025):"
    assert content.themes_in_common == ("Theme 4", "Theme 3")


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
    assert content.findings[0] == "Drift and delay came up in most of the children's cases."
    assert content.charts[0].values == (10, 12)
    assert all(chart_safe(dict(enumerate(c.values))) for c in content.charts)
    assert content.privacy_note.startswith(privacy_note(5)) and "“fewer than 6”" in content.privacy_note
    assert "most (75% or more)" in content.privacy_note
    text = " ".join(content.findings + content.worked_well + content.to_change)
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


def test_the_sampling_method_is_said_in_plain_words_without_a_seed():
    random_facts = replace(FACTS, sampling_method="random", frame_size=41, method_statement="6 cases (seed 123).")
    assert sampling_words(random_facts) == (
        "The cases were picked at random from the 41 children who could have been chosen, "
        "so that they give a fair picture of practice."
    )
    spread = replace(random_facts, sampling_method="stratified", strata=("age band", "plan type"))
    assert sampling_words(spread).endswith("making sure that each age band and plan type was represented.")
    assert "planning group" in sampling_words(replace(random_facts, sampling_method="manual"))
    assert sampling_words(FACTS) == ""
    assert not any("seed" in p or "123" in p for p in summary_paragraphs(random_facts))


def test_the_summary_says_each_fact_once_when_the_scope_describes_the_children():
    scope = "Six children aged one to eight on plans for neglect, audited by each agency involved."
    paragraphs = summary_paragraphs(replace(FACTS, purpose="To test practice.", scope=scope))
    assert paragraphs == (
        "To test practice.",
        scope,
        "Each agency scored its own records with the same audit tool; between them they completed all 22 "
        "returns asked for.",
    )


def test_the_last_audits_recommendations_are_drafted_into_since_the_last_audit():
    from audit_tools.briefing import Progress

    earlier = (Progress("Train teams in the checklist.", "Complete", "Eight sessions held."),)
    learning = Learning(earlier_audit="Neglect (2025)", earlier_recommendations=earlier)
    content = draft_briefing(FACTS, [], learning, BriefingSettings("P"), date="1 May 2026")
    assert content.since_last == earlier and content.since_last_audit == "Neglect (2025)"
    assert draft_briefing(FACTS, [], Learning(), BriefingSettings("P"), date="1 May 2026").since_last == ()
