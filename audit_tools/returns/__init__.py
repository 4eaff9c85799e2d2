"""An agency's return: answers and their rules, three-way merge of a return, scores, and the panel's comparison of
the agencies' returns for one case."""

from __future__ import annotations

from audit_tools.returns.answers import (
    MAX_NOTE_LENGTH,
    answer_problems,
    as_typed,
    differences,
    from_rows,
    is_visible,
    merge_answers,
    missing_required,
    note_key,
    notes_of,
    resolve,
    section_status,
    to_rows,
    visible_answers,
)
from audit_tools.returns.compare import (
    compare_answers,
    compare_by_section,
    count_differences,
    differ,
    overall_judgements,
    view_of,
)
from audit_tools.returns.scoring import Score, ToolScores, best_score, is_scored, return_scores, scores

__all__ = [
    "MAX_NOTE_LENGTH",
    "Score",
    "ToolScores",
    "answer_problems",
    "as_typed",
    "best_score",
    "compare_answers",
    "compare_by_section",
    "count_differences",
    "differ",
    "differences",
    "from_rows",
    "is_scored",
    "is_visible",
    "merge_answers",
    "missing_required",
    "note_key",
    "notes_of",
    "overall_judgements",
    "resolve",
    "return_scores",
    "scores",
    "section_status",
    "to_rows",
    "view_of",
    "visible_answers",
]
