"""No heading of the briefing ends a column or a page alone: 'What worked well' and 'What needs to change' (and
the list sections' headings in the two columns) always have the start of their first item below them."""

import pytest

from tests.unit.pdf_layout import full_content, laid_out_leaves, orphaned_headings


@pytest.mark.parametrize("findings", range(0, 14))
def test_no_subheading_is_left_alone_at_the_foot_of_a_column(findings):
    """However many findings push the subheadings down, each stays with its first item (reportlab's
    BalancedColumns ignores keepWithNext)."""
    item = "Attendance at conferences and core groups came up in every one of the children's cases. " * 2
    content = full_content(
        findings=(item,) * findings,
        worked_well=tuple(
            f"In most returns, practice {n} had gone well for the child, and was recorded." for n in range(4)
        ),
        to_change=tuple(f"In a few returns, practice {n} needs to change, said plainly and checked." for n in range(5)),
    )
    leaves = laid_out_leaves(content, draft=True)
    assert [leaf.role for leaf in leaves].count("H3") == 2
    assert orphaned_headings(leaves) == []
