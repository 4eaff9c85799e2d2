"""The analysis page's figures, built from grouped rows: no app, no database."""

import pytest

from audit_tools.analysis import (
    Answering,
    CaseAnswer,
    CaseFilters,
    GroupedAnswers,
    QuestionAnalysis,
    agreement_between_agencies,
    agreement_with_panel,
    charted_multiple_choice,
    distributions,
    filter_choices,
    judgements_of,
    krippendorff_alpha,
    prevalence,
    weighted_kappa,
)
from audit_tools.tools import parse_definition
from reports.charts import analysis_chart, compliance_chart

TOOL = parse_definition(
    {
        "schema_version": 1,
        "slug": "small-tool",
        "name": "Small tool",
        "topic": "Neglect",
        "description": "For tests.",
        "sections": [
            {
                "key": "practice",
                "title": "Practice",
                "description": "",
                "questions": [
                    {"key": "seen_alone", "type": "scale", "text": "Was the child seen alone?"},
                    {"key": "plan_smart", "type": "scale", "text": "Was the plan SMART?"},
                    {
                        "key": "factors",
                        "type": "multiple",
                        "text": "Which factors?",
                        "chart_title": "Contributory factors",
                        "options": [
                            {"value": "domestic_abuse", "label": "Domestic abuse"},
                            {"value": "poverty", "label": "Poverty"},
                        ],
                    },
                    {"key": "notes", "type": "longtext", "text": "What went well?", "required": False},
                ],
            },
            {
                "key": "overall",
                "title": "Overall",
                "description": "",
                "questions": [
                    {"key": "judgement", "type": "grade", "text": "Overall judgement", "overall": True},
                ],
            },
        ],
    }
)
AGENCIES = {1: "Police", 2: "Early help"}
ORDER = ("outstanding", "good", "requires_improvement", "inadequate")


def grouped():
    """Police: 3 returns; early help: 2. As the grouped queries would give them."""
    counts = [
        GroupedAnswers("seen_alone", 1, "yes", 0, 2),
        GroupedAnswers("seen_alone", 1, "no", 0, 1),
        GroupedAnswers("seen_alone", 2, "partly", 0, 1),
        GroupedAnswers("seen_alone", 2, "not_known", 0, 1),
        GroupedAnswers("plan_smart", 2, "yes", 0, 2),
        GroupedAnswers("factors", 1, "domestic_abuse", 0, 2),
        GroupedAnswers("factors", 1, "poverty", 1, 2),  # the same two returns chose it second
    ]
    return counts, [Answering("notes", 2, 2)]


def test_overall_counts_add_up_the_agencies():
    found = distributions(TOOL, *grouped(), AGENCIES)
    seen = found.summaries["seen_alone"]
    assert [(o.value, o.count) for o in seen.options] == [
        ("yes", 2),
        ("partly", 1),
        ("no", 1),
        ("not_applicable", 0),
        ("not_known", 1),
    ]
    assert seen.answered == 5
    assert seen.percent(seen.options[0]) == 40
    assert found.summaries["factors"].answered == 2  # two returns, however many factors each chose
    assert found.summaries["factors"].count("poverty") == 2
    assert found.summaries["notes"].answered == 2 and found.summaries["notes"].options == ()


def test_by_agency_lists_agencies_by_name_with_their_own_counts():
    found = distributions(TOOL, *grouped(), AGENCIES)
    by_agency = found.by_agency["seen_alone"]
    assert [name for name, _ in by_agency] == ["Early help", "Police"]
    police = dict(by_agency)["Police"]
    assert (police.count("yes"), police.count("no"), police.answered) == (2, 1, 3)
    assert police.compliance == pytest.approx(4 / 6)
    assert dict(found.by_agency["plan_smart"])["Police"].answered == 0  # an agency that did not answer still has a row


def test_compliance_by_section_overall_and_by_agency():
    found = distributions(TOOL, *grouped(), AGENCIES)
    _key, title, practice = found.scores.sections[0]
    assert title == "Practice"
    assert (practice.achieved, practice.possible) == (9.0, 12.0)  # 4 + 0 + 1 + 4 of 2 × 6 scored answers
    scores = dict(found.agency_scores)
    assert scores["Early help"].sections[0][2].compliance == pytest.approx(5 / 6)
    assert scores["Police"].overall.compliance == pytest.approx(4 / 6)
    assert compliance_chart(found.scores).values == (75,)


# Case 1: both agencies saw domestic abuse, one also poverty; a case counts once however many agencies say so.
FACTORS = [
    CaseAnswer("factors", 1, 1, "domestic_abuse"),
    CaseAnswer("factors", 1, 2, "domestic_abuse"),
    CaseAnswer("factors", 1, 2, "poverty"),
    CaseAnswer("factors", 2, 1, "domestic_abuse"),
    CaseAnswer("factors", 3, 2, "poverty"),
    CaseAnswer("judgement", 1, 1, "good"),
    CaseAnswer("judgement", 1, 2, "inadequate"),
]


def test_prevalence_counts_cases_not_returns():
    factors = TOOL.question("factors")
    found = prevalence(factors, FACTORS)
    assert found.cases == 3
    assert [(o.label, o.count) for o in found.options] == [("Domestic abuse", 2), ("Poverty", 2)]
    assert found.percent(found.options[0]) == 67
    assert charted_multiple_choice(TOOL) == (factors,)
    chart = analysis_chart(QuestionAnalysis(distributions(TOOL, *grouped(), AGENCIES).summaries["factors"], (), found))
    assert (chart.title, chart.values, chart.value_label) == ("Contributory factors", (2, 2), "Number of cases")


def test_judgements_are_read_by_case_and_agency():
    assert judgements_of(FACTORS, "judgement") == {1: {1: "good", 2: "inadequate"}}


def test_agreement_between_agencies_over_every_pair_on_a_case():
    judgements = {1: {1: "good", 2: "good"}, 2: {1: "good", 2: "inadequate", 3: "requires_improvement"}, 3: {1: "good"}}
    found = agreement_between_agencies(judgements, ORDER)
    assert found.cases == 2  # case 3 has one judgement only
    assert str(found.exact) == "1 of 4 (25%)"
    assert str(found.within_one) == "3 of 4 (75%)"  # good and inadequate are two grades apart
    assert found.alpha == pytest.approx(
        krippendorff_alpha([["good", "good"], ["good", "inadequate", "requires_improvement"]], "ordinal", ORDER)
    )
    assert found.caution == "Based on only 2 cases: treat agreement figures as a rough guide, not a measure."


def test_agreement_with_the_panel_per_agency_and_for_all():
    judgements = {1: {1: "good", 2: "good"}, 2: {1: "good", 2: "inadequate"}, 3: {1: "outstanding"}}
    panel = {1: "good", 2: "requires_improvement", 3: ""}  # no grade agreed yet for case 3
    found = agreement_with_panel(judgements, panel, AGENCIES, TOOL.question("judgement"))
    assert (found.panel_cases, found.cases) == (2, 2)
    assert found.caution == "Based on only 2 cases: treat agreement figures as a rough guide, not a measure."
    assert [row.agency for row in found.agencies] == ["Early help", "Police"]
    police = found.agencies[1]
    assert (str(police.exact), str(police.within_one)) == ("1 of 2 (50%)", "2 of 2 (100%)")
    assert police.kappa == weighted_kappa([("good", "good"), ("good", "requires_improvement")], ORDER)
    assert str(found.all_agencies.exact) == "2 of 4 (50%)"
    assert found.matrix.counts == [[0, 0, 0, 0], [0, 2, 1, 0], [0, 0, 0, 0], [0, 0, 1, 0]]
    assert found.labels == ("Outstanding", "Good", "Requires improvement", "Inadequate")


def test_no_panel_grades_means_nothing_to_compare():
    found = agreement_with_panel({1: {1: "good"}}, {}, AGENCIES, TOOL.question("judgement"))
    assert found.panel_cases == 0 and found.agencies == ()
    assert found.all_agencies.kappa is None
    assert found.caution.startswith("No case")


def test_filter_choices_order_age_bands_youngest_first_and_drop_blanks():
    choices = filter_choices(
        [
            ("11-15", "Riverside", "Child protection plan"),
            ("3-5", "eastgate", ""),
            ("", "Northfield", "Child in need plan"),
            ("3-5", "Riverside", "Child protection plan"),
        ]
    )
    assert choices == {
        "age_band": ("3-5", "11-15"),
        "locality": ("eastgate", "Northfield", "Riverside"),
        "plan_type": ("Child in need plan", "Child protection plan"),
    }


def test_case_filters_describe_themselves():
    assert CaseFilters().description == "All cases" and CaseFilters().chosen() == {}
    chosen = CaseFilters(age_band="3-5", locality="Northfield", plan_type="Child protection plan")
    assert chosen.description == "Cases aged 3-5 years in Northfield on a child protection plan"
    assert CaseFilters(locality="Eastgate").chosen() == {"locality": "Eastgate"}
