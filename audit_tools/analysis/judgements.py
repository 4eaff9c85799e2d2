"""How far the agencies' overall judgements of a case agree, with each other and with the panel.

The figures come from ``audit_tools.analysis.agreement``; this module gathers the judgements
of the analysis page into them and holds the results as plain data, with the
plain-English caution that goes beside figures resting on few cases.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from audit_tools.analysis.agreement import (
    Agreement,
    ConfusionMatrix,
    GradedUnits,
    describe_kappa,
    kappa_of,
    reliability_caution,
)
from audit_tools.tools import Question


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
    known = set(order)
    graded = GradedUnits.of(([g for g in by_agency.values() if g in known] for by_agency in judgements.values()), order)
    pairs = graded.pairs_within()
    return AgencyAgreement(graded.comparable, pairs.agreement(0), pairs.agreement(1), graded.alpha("ordinal"))


def agreement_with_panel(
    judgements: Judgements, panel: Mapping[int, str], agencies: Mapping[int, str], question: Question
) -> PanelAgreement:
    """Each agency's judgement of a case against the grade the panel agreed for it."""
    order = tuple(o.value for o in question.options)
    place = {grade: i for i, grade in enumerate(order)}
    pairs = Counter(
        (agency_id, place[grade], place[agreed])
        for case_id, agreed in panel.items()
        if agreed in place
        for agency_id, grade in judgements.get(case_id, {}).items()
        if grade in place
    )
    tables: defaultdict[int, list[list[int]]] = defaultdict(lambda: [[0] * len(order) for _ in order])
    every_pair = [[0] * len(order) for _ in order]
    for (agency_id, grade, agreed), n in pairs.items():  # rows: the agency's grade; columns: the panel's
        tables[agency_id][grade][agreed] += n
        every_pair[grade][agreed] += n
    compared = sum(
        agreed in place and any(g in place for g in judgements.get(case_id, {}).values())
        for case_id, agreed in panel.items()
    )

    def compare(name: str, table: ConfusionMatrix) -> PanelComparison:
        return PanelComparison(name, table.agreement(0), table.agreement(1), kappa_of(table, "linear"))

    everyone = ConfusionMatrix(order, every_pair)
    rows = sorted(
        (compare(agencies.get(a, "Unknown agency"), ConfusionMatrix(order, table)) for a, table in tables.items()),
        key=lambda row: row.agency,
    )
    return PanelAgreement(
        sum(g in place for g in panel.values()),
        compared,
        tuple(rows),
        compare("All agencies", everyone),
        everyone,
        tuple(o.label for o in question.options),
    )
