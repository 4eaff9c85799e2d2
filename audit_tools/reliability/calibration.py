"""A calibration exercise: every auditor grades the same short fictional case with the audit's tool before
the audit opens, and the coordinator sees how far their grades spread, question by question.

Agreement among several raters is Krippendorff's ordinal alpha (``analysis.krippendorff_alpha``), the one
figure that takes any number of raters: per question the units would be one case, so the figure is across
questions, each grade placed on its own question's scale (0 for the best), each question a unit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

from audit_tools.analysis.agreement import Agreement, krippendorff_alpha
from audit_tools.reliability.report import graded_questions, scale_of
from audit_tools.tools import ToolDefinition


@dataclass(frozen=True)
class QuestionSpread:
    """How the auditors graded one question: each option's label and how many chose it, and how many pairs
    of auditors gave the same grade."""

    label: str
    counts: tuple[tuple[str, int], ...]
    same: Agreement

    @property
    def graded(self) -> int:
        return sum(n for _, n in self.counts)

    @property
    def spread(self) -> int:
        """How many different grades were given."""
        return sum(1 for _, n in self.counts if n)


@dataclass(frozen=True)
class Calibration:
    questions: tuple[QuestionSpread, ...]
    raters: int
    alpha: float | None  # across questions, ordinal, each grade on its own question's scale

    @property
    def widest(self) -> tuple[QuestionSpread, ...]:
        """The questions whose grades spread over three grades or more: the ones to talk through first."""
        return tuple(q for q in self.questions if q.spread >= 3)


def calibration(definition: ToolDefinition, gradings: Sequence[Mapping[str, str]]) -> Calibration:
    """The spread of ``gradings`` (one per auditor: question key → value) over the tool's graded questions."""
    rows, units = [], []
    questions = graded_questions(definition)
    for question in questions:
        values = [o.value for o in question.options]
        given = [g[question.key] for g in gradings if g.get(question.key) in values]
        pairs = list(combinations(given, 2))
        rows.append(
            QuestionSpread(
                f"{definition.number(question.key)} {question.text}",
                tuple((o.label, given.count(o.value)) for o in question.options),
                Agreement(sum(a == b for a, b in pairs), len(pairs)),
            )
        )
        scale = scale_of(question)
        units.append([scale.index(v) for v in given if v in scale])
    longest = max((len(scale_of(q)) for q in questions), default=2)
    alpha = krippendorff_alpha(units, "ordinal", order=list(range(longest)))
    return Calibration(tuple(rows), len(gradings), alpha)
