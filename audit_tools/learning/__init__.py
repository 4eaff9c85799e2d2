"""From findings to learning: the theme codebook and its files, theme suggestions and counts, and the action plan."""

from __future__ import annotations

from audit_tools.learning.action_plan import (
    AUDIENCE_HEADINGS, AuditColumn, ComplianceRow, RAG_WORDS, ThemeTrend, compliance_rows, is_overdue, moved,
    rag_counts, rag_words, theme_trends,
)
from audit_tools.learning.codebook import (
    CodebookError, ImportPlan, MAX_CATEGORY, MAX_DESCRIPTION, MAX_KEYWORD, MAX_KEYWORDS, MAX_NAME, THEME_FIELDS,
    ThemeChange, codebook_from_csv, codebook_to_csv, control_problem, formula_problem, keyword_problems, name_key,
    plan_import, read_codebook, slug_from_name, split_keywords, unique_slug,
)
from audit_tools.learning.counts import ThemeTable, pivot, years_by_theme
from audit_tools.learning.suggestions import Suggestion, ThemeKeywords, stem, suggest_themes, theme_keywords, tokens

__all__ = [
    "AUDIENCE_HEADINGS", "AuditColumn", "CodebookError", "ComplianceRow", "ImportPlan", "MAX_CATEGORY",
    "MAX_DESCRIPTION", "MAX_KEYWORD", "MAX_KEYWORDS", "MAX_NAME", "RAG_WORDS", "Suggestion", "THEME_FIELDS",
    "ThemeChange", "ThemeKeywords", "ThemeTable", "ThemeTrend", "codebook_from_csv", "codebook_to_csv",
    "compliance_rows", "control_problem", "formula_problem", "is_overdue", "keyword_problems", "moved", "name_key",
    "pivot", "plan_import", "rag_counts", "rag_words", "read_codebook", "slug_from_name", "split_keywords", "stem",
    "suggest_themes", "theme_keywords", "theme_trends", "tokens", "unique_slug", "years_by_theme",
]
