"""How far the agencies' overall judgements of a case agree, with each other and with the panel.

The figures come from ``audit_tools.agreement``; this module gathers the judgements
of the analysis page into them and holds the results as plain data, with the
plain-English caution that goes beside figures resting on few cases.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from audit_tools.agreement import (
    Agreement, ConfusionMatrix, confusion_matrix, describe_kappa, kappa_of, krippendorff_alpha, pairs_within,
    reliability_caution,
)
from audit_tools.definition import Question


@dataclass(frozen=True)
class AgencyAgreement:
    """How far the agencies' overall judgements of the same case agree."""

    cases: int  # cases judged by two or more agencies
    exact: Agreement
    within_one: Agreement
    alpha: float | None  # Krippendorff's alpha, ordinal

    @property
    def caution(self) -> str:
        return reliability_caution(self.cases)


@dataclass(frozen=True)
class PanelComparison:
    """One agency's overall judgements (or every agency's) beside the panel's agreed grade."""

    agency: str
    exact: Agreement
    within_one: Agreement
    kappa: float | None  # Cohen's kappa, linear weights

    @property
    def cases(self) -> int:
        return self.exact.total

    @property
    def kappa_words(self) -> str:
        return describe_kappa(self.kappa)

    @property
    def caution(self) -> str:
        return reliability_caution(self.cases)


@dataclass(frozen=True)
class PanelAgreement:
    panel_cases: int  # cases with an agreed grade
    cases: int  # cases with an agreed grade and at least one agency's judgement to compare with it
    agencies: tuple[PanelComparison, ...]
    all_agencies: PanelComparison  # every return's judgement against its case's agreed grade
    matrix: ConfusionMatrix  # rows: the agency's grade; columns: the panel's
    labels: tuple[str, ...]  # the grades' labels, best first

    @property
    def caution(self) -> str:
        return reliability_caution(self.cases)


Judgements = Mapping[int, Mapping[int, str]]  # case id → agency id → overall judgement


def agreement_between_agencies(judgements: Judgements, order: tuple[str, ...]) -> AgencyAgreement:
    """Exact and within-one agreement over every pair of agencies on a case, and ordinal alpha."""
    units = [[g for g in by_agency.values() if g in order] for by_agency in judgements.values()]
    pairs = pairs_within(units, order)
    return AgencyAgreement(sum(len(unit) >= 2 for unit in units), pairs.agreement(0), pairs.agreement(1),
                           krippendorff_alpha(units, "ordinal", order))


def agreement_with_panel(judgements: Judgements, panel: Mapping[int, str], agencies: Mapping[int, str],
                         question: Question) -> PanelAgreement:
    """Each agency's judgement of a case against the grade the panel agreed for it."""
    order = tuple(o.value for o in question.options)
    pairs_by_agency: dict[int, list[tuple[str, str]]] = defaultdict(list)
    compared: set[int] = set()
    for case_id, agreed in panel.items():
        for agency_id, grade in judgements.get(case_id, {}).items():
            if agreed in order and grade in order:
                pairs_by_agency[agency_id].append((grade, agreed))
                compared.add(case_id)

    def compare(name: str, table: ConfusionMatrix) -> PanelComparison:
        return PanelComparison(name, table.agreement(0), table.agreement(1), kappa_of(table, "linear"))

    every_pair = confusion_matrix((pair for pairs in pairs_by_agency.values() for pair in pairs), order)
    rows = sorted((compare(agencies.get(a, "Unknown agency"), confusion_matrix(pairs, order))
                   for a, pairs in pairs_by_agency.items()), key=lambda row: row.agency)
    return PanelAgreement(sum(g in order for g in panel.values()), len(compared), tuple(rows),
                          compare("All agencies", every_pair), every_pair, tuple(o.label for o in question.options))
