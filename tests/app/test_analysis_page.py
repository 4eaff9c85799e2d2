"""The analysis page: its figures on a small audit whose answers are known, its filters, charts and agreement."""

import base64
import re

import pytest

from audit_app.data.analysis import analysis_data, question_analysis
from audit_app.data.tools import definition_of
from audit_app.extensions import db
from audit_app.models import PanelRecord

OPTIONS = {"good": 3.0, "requires_improvement": 2.0, "inadequate": 1.0, "yes": 2.0, "partly": 1.0, "no": 0.0}


def give(ret, state="submitted", **answers):
    """Store answers on a return, as saving the form would (a list is a multiple choice)."""
    ret.state = state
    for key, value in answers.items():
        for ordinal, item in enumerate(value if isinstance(value, list) else [value]):
            db.session.add(
                ret.answer(
                    question_key=key,
                    ordinal=ordinal,
                    value=item,
                    score=None if key in ("contributory_factors", "overall_judgement") else OPTIONS.get(item),
                )
            )


@pytest.fixture
def audit(factory):
    """Three cases: T-01 and T-02 in Northfield, T-03 in Riverside; CSC and EH asked on each.

    Counted: CSC on every case, EH on T-01 and T-03. EH's T-02 is a draft and never counted.
    """
    audit = factory.audit(state="analysis", cases=3, agencies=("CSC", "EH"))
    audit.cases[2].locality, audit.cases[2].age_band = "Riverside", "6-10"
    ret = lambda agency, ref: factory.return_for(audit, agency, ref)  # noqa: E731
    give(
        ret("CSC", "T-01"),
        overall_judgement="good",
        child_seen_alone="yes",
        contributory_factors=["domestic_abuse", "poverty"],
        records_reviewed="Case notes",
    )
    give(
        ret("EH", "T-01"),
        overall_judgement="requires_improvement",
        child_seen_alone="partly",
        contributory_factors=["domestic_abuse"],
    )
    give(ret("CSC", "T-02"), overall_judgement="good", child_seen_alone="no", contributory_factors=["housing"])
    give(ret("EH", "T-02"), state="draft", overall_judgement="inadequate", child_seen_alone="no")
    give(ret("CSC", "T-03"), overall_judgement="inadequate", child_seen_alone="yes")
    give(ret("EH", "T-03"), overall_judgement="inadequate", child_seen_alone="not_applicable")
    db.session.add_all(
        [
            PanelRecord(case_id=audit.cases[0].id, agreed_grade="good"),
            PanelRecord(case_id=audit.cases[1].id, agreed_grade="requires_improvement"),
            PanelRecord(case_id=audit.cases[2].id, agreed_grade=""),
        ]
    )  # not agreed yet
    db.session.commit()
    return audit


def sign_in(factory, client, login, role):
    factory.user(role, email=f"{role}@test.example")
    login(client, f"{role}@test.example")


def counts(summary):
    return {o.value: o.count for o in summary.options if o.count}


def test_counts_overall_and_by_agency_leave_drafts_out(audit):
    found = analysis_data(audit, definition_of(audit.tool_version))
    assert (found.figures.cases, found.figures.returns_counted, found.figures.returns_asked) == (3, 5, 6)
    judgement = found.summary("overall_judgement")
    assert counts(judgement) == {"good": 2, "requires_improvement": 1, "inadequate": 2}
    assert judgement.answered == 5
    by_agency = dict(found.distributions.by_agency["child_seen_alone"])
    assert counts(by_agency["CSC service"]) == {"yes": 2, "no": 1}
    assert counts(by_agency["EH service"]) == {"partly": 1, "not_applicable": 1}
    factors = found.summary("contributory_factors")
    assert factors.answered == 3 and counts(factors) == {"domestic_abuse": 2, "poverty": 1, "housing": 1}
    assert found.summary("records_reviewed").answered == 1


def test_compliance_and_prevalence(audit):
    found = analysis_data(audit, definition_of(audit.tool_version))
    seen = found.summary("child_seen_alone")
    assert seen.compliance == pytest.approx(5 / 8)  # yes, yes, partly, no: 2 + 2 + 1 + 0 of 8; N/A left out
    scores = dict(found.distributions.agency_scores)
    assert scores["EH service"].overall.compliance == pytest.approx(1 / 2)
    factors = next(p for p in found.prevalence if p.question.key == "contributory_factors")
    assert factors.cases == 2  # T-01 (two agencies, counted once) and T-02
    assert {o.value: o.count for o in factors.options if o.count} == {"domestic_abuse": 1, "poverty": 1, "housing": 1}


def test_agreement_between_agencies_and_with_the_panel(audit):
    found = analysis_data(audit, definition_of(audit.tool_version))
    between = found.between_agencies
    assert between.cases == 2  # T-01 and T-03; T-02 has one counted judgement
    assert (str(between.exact), str(between.within_one)) == ("1 of 2 (50%)", "2 of 2 (100%)")
    assert between.caution.startswith("Based on only 2 cases")
    panel = found.with_panel
    assert panel.panel_cases == 2 and found.figures.panel_judgements == 2
    rows = {row.agency: row for row in panel.agencies}
    assert str(rows["CSC service"].exact) == "1 of 2 (50%)"  # T-01 good = good; T-02 good ≠ requires improvement
    assert str(rows["EH service"].exact) == "0 of 1 (0%)"
    assert panel.matrix.counts[1] == [0, 1, 1, 0]  # agencies' "good" against the panel's good, requires improvement


def test_filters_choose_cases(audit):
    from audit_tools.analysis import CaseFilters

    found = analysis_data(audit, definition_of(audit.tool_version), CaseFilters(locality="Riverside"))
    assert (found.figures.cases, found.figures.returns_counted) == (1, 2)
    assert counts(found.summary("overall_judgement")) == {"inadequate": 2}
    assert str(found.between_agencies.exact) == "1 of 1 (100%)"
    assert found.with_panel.panel_cases == 0


def chart_images(html: str) -> dict[str, str]:
    """The page's chart images: alt text → the SVG each carries inside the page."""
    found = re.findall(r'<img class="app-chart[^"]*" src="data:image/svg\+xml;base64,([^"]+)" alt="([^"]+)">', html)
    assert len(found) == html.count('class="app-chart')  # every chart is carried inside the page
    return {alt: base64.b64decode(data).decode("utf-8") for data, alt in found}


def test_the_page_shows_the_figures_in_tables_and_charts_as_images(client, factory, login, audit):
    sign_in(factory, client, login, "coordinator")
    html = client.get(f"/audits/{audit.id}/analysis").get_data(as_text=True)
    assert "<h1" in html and html.count("<h1") == 1
    assert (
        '<th scope="row" class="govuk-table__header">Good</th><td class="govuk-table__cell '
        'govuk-table__cell--numeric">2</td>'
    ) in html
    assert "Based on only 2 cases: treat agreement figures as a rough guide, not a measure." in html
    # The charts are drawn from the page's own analysis, the same as their addresses serve them on their own.
    charts = chart_images(html)
    assert charts["Bar chart of compliance by section. Its figures are in the table below."] == client.get(
        f"/audits/{audit.id}/analysis/compliance.svg"
    ).get_data(as_text=True)
    assert charts["Bar chart of overall judgements. Its figures are in the table below."] == client.get(
        f"/audits/{audit.id}/analysis/questions/overall_judgement.svg"
    ).get_data(as_text=True)
    assert charts["Bar chart of contributory factors recorded. Its figures are in the table below."] == client.get(
        f"/audits/{audit.id}/analysis/questions/contributory_factors.svg"
    ).get_data(as_text=True)
    assert '<option value="Riverside">Riverside</option>' in html
    assert "Download the answers" in html
    assert "<svg" not in html  # never inline: the content security policy forbids the styles inside


def test_a_filter_keeps_itself_in_every_link(client, factory, login, audit):
    sign_in(factory, client, login, "panel")
    html = client.get(f"/audits/{audit.id}/analysis?locality=Riverside").get_data(as_text=True)
    assert "<strong>Showing:</strong> Cases in Riverside." in html
    assert '<option value="Riverside" selected>Riverside</option>' in html
    charts = chart_images(html)
    for alt, address in (
        ("compliance by section", "compliance.svg"),
        ("overall judgements", "questions/overall_judgement.svg"),
    ):
        assert charts[f"Bar chart of {alt}. Its figures are in the table below."] == client.get(
            f"/audits/{audit.id}/analysis/{address}?locality=Riverside"
        ).get_data(as_text=True)
    assert charts != chart_images(client.get(f"/audits/{audit.id}/analysis").get_data(as_text=True))
    assert "Download the answers" not in html  # the panel reads the page; spreadsheets are not theirs


def test_a_value_not_offered_is_reported_and_every_case_shown(client, factory, login, audit):
    sign_in(factory, client, login, "editor")
    html = client.get(f"/audits/{audit.id}/analysis?locality=Nowhere&age_band=3-5").get_data(as_text=True)
    assert "There is a problem" in html and "Choose a locality from the list, or All" in html
    assert '<a href="#locality">' in html
    assert "<strong>Showing:</strong> All cases." in html
    assert "Error: Analysis" in html  # the page title says so too


def test_charts_are_svg_images_of_choice_questions(client, factory, login, audit):
    sign_in(factory, client, login, "coordinator")
    response = client.get(f"/audits/{audit.id}/analysis/questions/overall_judgement.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    svg = response.get_data(as_text=True)
    assert svg.startswith("<svg") and "<title" in svg and "Good: 2; Requires improvement: 1" in svg
    factors = client.get(f"/audits/{audit.id}/analysis/questions/contributory_factors.svg?locality=Northfield")
    assert "Contributory factors recorded. Domestic abuse: 1; Parental drug or alcohol misuse: 0" in factors.get_data(
        as_text=True
    )  # cases in Northfield where at least one agency recorded each
    compliance = client.get(f"/audits/{audit.id}/analysis/compliance.svg").get_data(as_text=True)
    assert "Compliance by section. The child's lived experience and voice: 62" in compliance.replace("&#x27;", "'")
    assert client.get(f"/audits/{audit.id}/analysis/questions/records_reviewed.svg").status_code == 404
    assert client.get(f"/audits/{audit.id}/analysis/questions/no_such_question.svg").status_code == 404
    assert client.get("/audits/99999/analysis/compliance.svg").status_code == 404


def test_a_question_page_compares_agencies(client, factory, login, audit):
    sign_in(factory, client, login, "coordinator")
    html = client.get(f"/audits/{audit.id}/analysis/questions/child_seen_alone").get_data(as_text=True)
    row = re.search(r'<th scope="row" class="govuk-table__header">EH service</th>(.*?)</tr>', html, re.S).group(1)
    cells = [cell.replace("&nbsp;", " ") for cell in re.findall(r'numeric">([^<]*)</td>', row)]
    assert cells == ["0 (0%)", "1 (50%)", "0 (0%)", "1 (50%)", "0 (0%)", "2", "50%"]
    found = question_analysis(
        audit, definition_of(audit.tool_version), definition_of(audit.tool_version).question("contributory_factors")
    )
    assert found.prevalence.cases == 2 and found.summary.answered == 3


def test_a_question_page_carries_its_chart_drawn_from_its_own_figures(client, factory, login, audit):
    sign_in(factory, client, login, "panel")
    for key, query in (("contributory_factors", "?locality=Northfield"), ("child_seen_alone", "")):
        html = client.get(f"/audits/{audit.id}/analysis/questions/{key}{query}").get_data(as_text=True)
        (svg,) = chart_images(html).values()
        assert svg == client.get(f"/audits/{audit.id}/analysis/questions/{key}.svg{query}").get_data(as_text=True)


def test_a_chart_follows_the_figures_when_they_change(client, factory, login, audit):
    """Drawn charts are kept by their whole content: a changed figure is never served from an old drawing."""
    sign_in(factory, client, login, "coordinator")
    alt = "Bar chart of overall judgements. Its figures are in the table below."
    before = chart_images(client.get(f"/audits/{audit.id}/analysis").get_data(as_text=True))[alt]
    eh = factory.return_for(audit, "EH", "T-02")
    eh.state = "submitted"  # its "inadequate" now counts
    db.session.commit()
    after = chart_images(client.get(f"/audits/{audit.id}/analysis").get_data(as_text=True))[alt]
    assert "Inadequate: 2." in before and "Inadequate: 3." in after
    assert after == client.get(f"/audits/{audit.id}/analysis/questions/overall_judgement.svg").get_data(as_text=True)


def test_panel_members_wait_for_the_reveal(client, factory, login):
    audit = factory.audit(state="open")
    sign_in(factory, client, login, "panel")
    for url in (
        f"/audits/{audit.id}/analysis",
        f"/audits/{audit.id}/analysis/compliance.svg",
        f"/audits/{audit.id}/analysis/questions/overall_judgement",
        f"/audits/{audit.id}/panel",
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        page = response.get_data(as_text=True)  # says why, not "your account does not have the role"
        assert "returns are not revealed yet" in page and "does not have the role" not in page, url


def test_typed_names_are_escaped(client, factory, login, audit):
    audit.cases[0].locality = "<script>alert(1)</script>"
    factory.agency("CSC").name = "CSC <b>service</b>"
    db.session.commit()
    sign_in(factory, client, login, "coordinator")
    html = client.get(f"/audits/{audit.id}/analysis").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "CSC &lt;b&gt;service&lt;/b&gt;" in html


def test_choices_that_match_no_case_say_so(client, factory, login, audit):
    sign_in(factory, client, login, "coordinator")
    html = client.get(f"/audits/{audit.id}/analysis?locality=Riverside&age_band=3-5").get_data(as_text=True)
    assert "<strong>Showing:</strong> Cases aged 3-5 years in Riverside." in html
    assert "No included case matches these choices" in html
    assert client.get(f"/audits/{audit.id}/analysis").get_data(as_text=True).count("No included case") == 0


def test_a_filter_down_to_a_few_children_warns_and_counts_in_the_singular(client, factory, login, audit):
    sign_in(factory, client, login, "panel")
    html = client.get(f"/audits/{audit.id}/analysis?locality=Riverside").get_data(as_text=True)
    assert "Only 1 case matches these choices: the briefing holds back any count from 1 to 5" in html
    assert "govuk-warning-text" in html
    assert re.search(r'app-figures__value">1</span> case</li>', html)
    everyone = client.get(f"/audits/{audit.id}/analysis").get_data(as_text=True)
    assert "govuk-warning-text" not in everyone  # all cases: the audit's own size is no news
    assert re.search(r'app-figures__value">3</span> cases</li>', everyone)
