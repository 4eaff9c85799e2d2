"""Comparing two audits as plain data: what they share, compliance in points, children's counts in words."""

import pytest

from audit_tools.analysis.comparison import (
    NOT_IN_TOOL,
    NOT_RECORDED,
    AuditResults,
    NothingShared,
    compare_audits,
    points_change,
    word_change,
)

GRADES = ("Outstanding", "Good", "Requires improvement", "Inadequate")


def results(audit_id=1, year=2025, *, tool_id=1, keys=("q1", "q2"), cases=6, grades=(0, 2, 2, 2), themes=(), **kw):
    return AuditResults(
        id=audit_id,
        name=f"Neglect ({year})",
        year=year,
        tool_id=tool_id,
        question_keys=frozenset(keys),
        overall=kw.get("overall", 0.5),
        sections=kw.get("sections", (("Voice", 0.5), ("Plans", 0.4))),
        grades=tuple(zip(GRADES, grades, strict=True)) if grades is not None else (),
        themes=tuple(themes),
        cases=cases,
    )


def test_the_earlier_audit_comes_first_whichever_is_chosen_first():
    earlier, later = results(1, 2025), results(2, 2026)
    assert compare_audits(later, earlier).earlier == earlier and compare_audits(earlier, later).later == later


def test_what_two_audits_share():
    assert compare_audits(results(1), results(2)).shared == "the same audit tool"
    other = results(2, tool_id=2, keys=("q2", "q9"))
    assert compare_audits(results(1), other).shared == "1 question in common"
    with pytest.raises(NothingShared, match="no question in common") as refused:
        compare_audits(results(1), results(2, tool_id=2, keys=("x",)))
    assert refused.value.field == "second"
    with pytest.raises(NothingShared, match="two different audits"):
        compare_audits(results(1), results(1))


@pytest.mark.parametrize(
    ("before", "after", "words"),
    [
        (0.5, 0.62, "up 12 points"),
        (0.5, 0.51, "up 1 point"),
        (0.62, 0.5, "down 12 points"),
        (0.501, 0.499, "no change"),  # both 50%
        (None, 0.5, "–"),
    ],
)
def test_compliance_changes_in_percentage_points(before, after, words):
    assert points_change(before, after) == words


def test_compliance_rows_match_sections_by_title_and_end_with_every_section():
    later = results(2, 2026, sections=(("Voice", 0.6), ("Drift", 0.7)), overall=0.65)
    rows = compare_audits(results(1), later).compliance
    assert [(r.label, r.before, r.after, r.change) for r in rows] == [
        ("Voice", "50%", "60%", "up 10 points"),
        ("Drift", "–", "70%", "–"),
        ("Plans", "40%", "–", "–"),
        ("All sections", "50%", "65%", "up 15 points"),
    ]


def test_judgements_are_words_never_counts():
    rows = compare_audits(results(1, grades=(0, 1, 1, 4)), results(2, 2026, grades=(0, 4, 1, 1))).judgements
    assert [(r.label, r.before, r.after, r.change) for r in rows] == [
        ("Outstanding", "none", "none", "about the same"),
        ("Good", "some", "most", "more often"),
        ("Requires improvement", "some", "some", "about the same"),
        ("Inadequate", "most", "some", "less often"),
    ]
    assert not any(ch.isdigit() for r in rows for ch in r.before + r.after + r.change)


def test_an_audit_without_judgements_or_without_the_grade_says_so():
    rows = compare_audits(results(1, grades=(0, 0, 0, 0)), results(2, 2026, grades=None)).judgements
    assert rows[1].before == NOT_RECORDED and rows[1].after == NOT_IN_TOOL and rows[1].change == "–"


def test_themes_new_gone_and_moved_in_words():
    earlier = results(1, themes=(("Drift", 5), ("Voice", 1), ("Housing", 3)))
    later = results(2, 2026, themes=(("Drift", 1), ("Fathers", 6), ("Housing", 3)))
    rows = {r.label: r for r in compare_audits(earlier, later).themes}
    assert (rows["Fathers"].before, rows["Fathers"].after, rows["Fathers"].change) == ("none", "all", "new this time")
    assert (rows["Voice"].after, rows["Voice"].change) == ("none", "not found this time")
    assert (rows["Drift"].before, rows["Drift"].after, rows["Drift"].change) == ("most", "some", "less often")
    assert rows["Housing"].change == "about the same"
    assert list(rows)[0] == "Fathers"  # the later audit's most frequent first


def test_word_change_reads_only_the_words():
    assert word_change("some", "some") == "about the same"
    assert word_change("some", "about half") == "more often"
    assert word_change("all", "most") == "less often"
