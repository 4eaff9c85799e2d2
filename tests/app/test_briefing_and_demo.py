"""The demo loads once, and its learning briefing downloads as a real PDF with the audit's facts."""

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from audit_app.extensions import db
from audit_app.models import Answer, Audit, Case, Return, User
from audit_tools import briefing

DEMO_PASSWORD = "demo password for tests"
SECTION_HEADINGS = [
    "What we mean by neglect", briefing.SECTION_SUMMARY, briefing.SECTION_AT_A_GLANCE, briefing.SECTION_FINDINGS,
    briefing.SECTION_THEMES, briefing.SECTION_MANAGERS, briefing.SECTION_PRACTITIONERS,
    briefing.SECTION_INTER_AGENCY, briefing.SECTION_RECOMMENDATIONS, briefing.SECTION_RESOURCES,
]


@pytest.fixture
def demo(runner, ctx):
    result = runner.invoke(args=["demo", "--password", DEMO_PASSWORD])
    assert result.exit_code == 0, result.output
    return result


def counts():
    return tuple(db.session.scalar(select(func.count()).select_from(model)) for model in (User, Audit, Case, Return, Answer))


def test_demo_matches_the_seed_audit(demo):
    audit = db.session.scalar(select(Audit).where(Audit.state == "analysis"))
    ages = sorted(float(c.age_years) for c in audit.cases)
    assert len(audit.cases) == 6 and ages[0] == 1.5 and ages[-1] == 8
    returns = [r for c in audit.cases for r in c.returns]
    assert {r.agency.short_name for r in returns} == {"CSC", "EH", "School", "CAMHS"}
    assert all(r.state == "submitted" for r in returns)
    assert "auditor@demo.example" in demo.output and DEMO_PASSWORD in demo.output


def test_demo_twice_changes_nothing(demo, runner):
    before = counts()
    second = runner.invoke(args=["demo", "--password", "another password"])
    assert second.exit_code == 0 and "nothing was changed" in second.output
    assert counts() == before


def test_demo_without_password_prints_a_random_one(runner, ctx):
    result = runner.invoke(args=["demo"])
    password = result.output.strip().splitlines()[-1].split(": ", 1)[1]
    assert len(password) >= 16 and password != DEMO_PASSWORD


def test_audits_list_prints_id_state_title(demo, runner):
    lines = runner.invoke(args=["audits", "list"]).output.strip().splitlines()
    assert len(lines) == 2
    assert {line.split("\t")[1] for line in lines} == {"analysis", "open"}


def test_users_create_and_refusals(runner, ctx, factory):
    factory.agency("CSC")
    ok = runner.invoke(args=["users", "create", "--email", "New@Test.example", "--role", "auditor", "--agency", "CSC"])
    assert ok.exit_code == 0 and "new@test.example" in ok.output
    no_agency = runner.invoke(args=["users", "create", "--email", "b@test.example", "--role", "auditor"])
    assert no_agency.exit_code != 0 and "must belong to an agency" in no_agency.output
    duplicate = runner.invoke(args=["users", "create", "--email", "new@test.example", "--role", "viewer"])
    assert duplicate.exit_code != 0 and "already exists" in duplicate.output


def test_password_is_hashed_with_argon2id(runner, ctx):
    runner.invoke(args=["users", "create", "--email", "h@test.example", "--role", "viewer", "--password", "a long passphrase here"])
    user = db.session.scalar(select(User).where(User.email == "h@test.example"))
    assert user.password_hash.startswith("$argon2id$") and "a long passphrase" not in user.password_hash


def test_editor_downloads_the_briefing_pdf_with_every_section_and_the_facts(demo, client, login):
    login(client, "editor@demo.example", DEMO_PASSWORD)
    audit = db.session.scalar(select(Audit).where(Audit.state == "analysis"))
    page = client.get(f"/audits/{audit.id}/briefing").get_data(as_text=True)
    assert f"/audits/{audit.id}/briefing.pdf" in page
    response = client.get(f"/audits/{audit.id}/briefing.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(response.data))
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    positions = [text.find(heading) for heading in SECTION_HEADINGS]
    assert all(p >= 0 for p in positions), dict(zip(SECTION_HEADINGS, positions))
    assert positions == sorted(positions), "sections out of order"
    assert "6 children aged 1½ to 8" in text
    assert "Children's social care" in text or "children's social care" in text.lower()


def test_briefing_html_page_has_the_same_sections(demo, client, login):
    login(client, "coordinator@demo.example", DEMO_PASSWORD)
    audit = db.session.scalar(select(Audit).where(Audit.state == "analysis"))
    html = client.get(f"/audits/{audit.id}/briefing").get_data(as_text=True)
    for heading in SECTION_HEADINGS:
        assert f">{heading}</h2>" in html.replace("&#39;", "'"), heading


def test_analysis_counts_match_the_stored_answers(demo, client, login):
    login(client, "panel@demo.example", DEMO_PASSWORD)
    audit = db.session.scalar(select(Audit).where(Audit.state == "analysis"))
    good = db.session.scalar(select(func.count()).select_from(Answer).join(Return).join(Case).where(
        Case.audit_id == audit.id, Answer.question_key == "overall_judgement", Answer.value == "good"))
    html = client.get(f"/audits/{audit.id}/analysis").get_data(as_text=True)
    assert good > 0
    assert f'<th scope="row" class="govuk-table__header">Good</th><td class="govuk-table__cell govuk-table__cell--numeric">{good}</td>' in html


def test_a_fresh_installation_without_the_demo_can_start_an_audit(runner, ctx, client, factory, login):
    first = runner.invoke(args=["seed"])
    assert first.exit_code == 0 and "agencies and 2 built-in tools added" in first.output
    again = runner.invoke(args=["seed"])
    assert "0 agencies and 0 built-in tools added" in again.output
    created = runner.invoke(args=["users", "create", "--email", "a@test.example", "--role", "auditor", "--agency", "CSC"])
    assert created.exit_code == 0
    factory.user("coordinator", email="c@test.example")
    login(client, "c@test.example")
    page = client.get("/audits/new").get_data(as_text=True)
    assert "Multi-agency neglect case audit (version 1)" in page


def test_compliance_by_section_from_sql_matches_scoring_each_return(demo, client, login):
    from audit_app.data.returns import load_answers
    from audit_app.data.tools import definition_of
    from audit_tools.scoring import return_scores

    login(client, "panel@demo.example", DEMO_PASSWORD)
    audit = db.session.scalar(select(Audit).where(Audit.state == "analysis"))
    definition = definition_of(audit.tool_version)
    per_return = [return_scores(definition, load_answers(r, definition)) for c in audit.cases for r in c.returns]
    achieved = sum(s.overall.achieved for s in per_return)
    possible = sum(s.overall.possible for s in per_return)
    html = client.get(f"/audits/{audit.id}/analysis").get_data(as_text=True)
    assert "Compliance by section" in html and possible > 0
    assert f"<strong>{round(achieved / possible * 100)}%</strong>" in html
