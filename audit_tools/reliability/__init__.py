"""How far the audit's grades can be trusted: agreement between two independent gradings of the same case
(a moderated sample, a calibration exercise, a second coder), its statistics and their words."""

from __future__ import annotations

from audit_tools.reliability.calibration import Calibration, QuestionSpread, calibration
from audit_tools.reliability.coding import ThemeAgreement, coding_agreement, draw_excerpt_sample
from audit_tools.reliability.report import (
    FEWEST_PAIRS,
    GradesReliability,
    Reliability,
    ReliabilityReport,
    comparison,
    graded_definition,
    graded_questions,
    grades_reliability,
    reliability,
    reliability_report,
    reliability_sentence,
    scale_of,
)
from audit_tools.reliability.sample import (
    DEFAULT_MINIMUM,
    DEFAULT_RATE,
    MissingGradesError,
    ModerationError,
    draw_moderation_sample,
    moderation_size,
)
from audit_tools.reliability.statistics import (
    RELIABLE,
    RESAMPLES,
    SEED,
    TENTATIVE,
    Interval,
    alpha_words,
    bootstrap_alpha,
    gwet_ac1,
    ordinal_alpha,
    ordinal_alpha_of_places,
)

__all__ = [
    "ThemeAgreement",
    "coding_agreement",
    "draw_excerpt_sample",
    "Calibration",
    "QuestionSpread",
    "calibration",
    "DEFAULT_MINIMUM",
    "DEFAULT_RATE",
    "MissingGradesError",
    "ModerationError",
    "draw_moderation_sample",
    "moderation_size",
    "FEWEST_PAIRS",
    "GradesReliability",
    "grades_reliability",
    "reliability_sentence",
    "Interval",
    "RELIABLE",
    "RESAMPLES",
    "Reliability",
    "ReliabilityReport",
    "SEED",
    "TENTATIVE",
    "alpha_words",
    "bootstrap_alpha",
    "comparison",
    "graded_definition",
    "graded_questions",
    "gwet_ac1",
    "ordinal_alpha",
    "ordinal_alpha_of_places",
    "reliability",
    "reliability_report",
    "scale_of",
]
