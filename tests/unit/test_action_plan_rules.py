"""The action plan's plain rules: status words, overdue, moving an item, and the year-on-year tables."""

from datetime import date

import pytest

from audit_tools.learning import AuditColumn, compliance_rows, is_overdue, moved, rag_counts, rag_words, theme_trends

TODAY = date(2026, 6, 1)


@pytest.mark.parametrize(
    "due, rag, overdue",
    [
        (date(2026, 5, 31), "red", True),
        (date(2026, 5, 31), "green", True),
        (date(2026, 5, 31), "complete", False),  # done late is done
        (TODAY, "amber", False),  # due today is not yet overdue
        (date(2026, 6, 2), "red", False),
        (None, "red", False),
    ],
)
def test_overdue_means_due_date_passed_and_not_complete(due, rag, overdue):
    assert is_overdue(due, rag, TODAY) is overdue


def test_every_status_is_said_in_words():
    assert rag_words("red").startswith("Red") and "off track" in rag_words("red")
    assert rag_words("complete") == "Complete"
    assert rag_words("unknown") == "Unknown"


def test_rag_counts_lists_every_status_in_order_even_when_none():
    assert list(rag_counts(["green", "red", "green"]).items()) == [
        ("red", 1),
        ("amber", 0),
        ("green", 2),
        ("complete", 0),
    ]


@pytest.mark.parametrize(
    "item, step, expected",
    [
        ("b", -1, ["b", "a", "c"]),
        ("b", 1, ["a", "c", "b"]),
        ("a", -1, ["a", "b", "c"]),  # already first
        ("c", 1, ["a", "b", "c"]),  # already last
    ],
)
def test_moved_swaps_with_the_neighbour_and_stops_at_the_ends(item, step, expected):
    assert moved(["a", "b", "c"], item, step) == expected


def test_moved_refuses_an_item_that_is_not_there():
    with pytest.raises(ValueError):
        moved(["a"], "z", 1)


AUDITS = [
    AuditColumn(1, "Neglect 2024", 2024),
    AuditColumn(2, "Neglect 2025", 2025),
    AuditColumn(3, "Neglect 2026", 2026),
]
THEMES = [
    (10, "Voice of the child", "Child"),
    (11, "Drift and delay", "Planning"),
    (12, "Fathers", "Family"),
    (13, "Never seen", "Other"),
]


def test_theme_trends_put_counts_in_audit_columns_and_recurring_themes_first():
    counts = [
        (10, 3, 4),
        (11, 1, 2),
        (11, 3, 1),
        (12, 2, 5),
        (99, 2, 1),
        (10, 7, 9),
    ]  # theme 99 unknown, audit 7 not shown
    rows = theme_trends(AUDITS, THEMES, counts)
    assert [(r.name, r.counts, r.recurring) for r in rows] == [
        ("Drift and delay", (2, 0, 1), True),
        ("Fathers", (0, 5, 0), False),
        ("Voice of the child", (0, 0, 4), False),
    ]
    assert rows[0].audits_seen == 2


def test_compliance_rows_line_sections_up_by_title_and_end_with_the_overall_row():
    rows = compliance_rows(
        [(0.5, [("Assessment", 0.4), ("Planning", 0.6)]), (None, []), (0.7, [("Planning", 0.8), ("Voice", 0.7)])]
    )
    assert [(r.title, r.shares) for r in rows] == [
        ("Assessment", (0.4, None, None)),
        ("Planning", (0.6, None, 0.8)),
        ("Voice", (None, None, 0.7)),
        ("All sections", (0.5, None, 0.7)),
    ]
