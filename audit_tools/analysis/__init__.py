"""Across an audit's returns: aggregation and filters, agreement statistics, small-number suppression, plain summaries and the answer exports."""

from __future__ import annotations

from audit_tools.analysis.aggregation import (
    AgencyReturns, Analysis, Answering, CaseAnswer, CaseFilters, Distributions, FILTERED_ATTRIBUTES, GroupedAnswers,
    KeyFigures, Prevalence, QuestionAnalysis, QuestionSummary, charted_multiple_choice, distributions, filter_choices,
    judgements_of, prevalence, prevalences, summarise,
)
from audit_tools.analysis.agreement import (
    Agreement, confusion_matrix, describe_kappa, exact_agreement, kappa_of, krippendorff_alpha, pairs_within,
    reliability_caution, weighted_kappa, within_one,
)
from audit_tools.analysis.exports import LONG_COLUMNS, ReturnAnswers, Sheet, long_sheet, to_csv, to_xlsx, wide_sheet
from audit_tools.analysis.judgements import agreement_between_agencies, agreement_with_panel
from audit_tools.analysis.summary import (
    AuditFacts, ThemeCount, age_range, count_of, findings, findings_hide_counts, ranked_themes, summary_paragraphs,
    theme_findings, themes_hide_counts, themes_in_common,
)
from audit_tools.analysis.suppression import (
    DEFAULT_THRESHOLD, NOT_APPLICABLE, NOT_SHOWN, SECONDARY, SMALL_NUMBER, SuppressedValue, chart_safe, is_suppressed,
    show_count, show_share, show_total, suppress_distribution, threshold_words,
)

__all__ = [
    "AgencyReturns", "Agreement", "Analysis", "Answering", "AuditFacts", "CaseAnswer", "CaseFilters",
    "DEFAULT_THRESHOLD", "Distributions", "FILTERED_ATTRIBUTES", "GroupedAnswers", "KeyFigures", "LONG_COLUMNS",
    "NOT_APPLICABLE", "NOT_SHOWN", "Prevalence", "QuestionAnalysis", "QuestionSummary", "ReturnAnswers", "SECONDARY",
    "SMALL_NUMBER", "Sheet", "SuppressedValue", "ThemeCount", "age_range", "agreement_between_agencies",
    "agreement_with_panel", "chart_safe", "charted_multiple_choice", "confusion_matrix", "count_of", "describe_kappa",
    "distributions", "exact_agreement", "filter_choices", "findings", "findings_hide_counts", "is_suppressed",
    "judgements_of", "kappa_of", "krippendorff_alpha", "long_sheet", "pairs_within", "prevalence", "prevalences",
    "ranked_themes", "reliability_caution", "show_count", "show_share", "show_total", "summarise",
    "summary_paragraphs", "suppress_distribution", "theme_findings", "themes_hide_counts", "themes_in_common",
    "threshold_words", "to_csv", "to_xlsx", "weighted_kappa", "wide_sheet", "within_one",
]
