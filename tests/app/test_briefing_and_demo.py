"""The demo loads once, and its learning briefing downloads as a real PDF with the audit's facts."""

import hashlib
import io
import re
from datetime import UTC, date

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from audit_app.data.briefings import briefing_content, briefing_logo
from audit_app.data.panel import is_panel_open
from audit_app.data.settings import set_setting
from audit_app.extensions import db
from audit_app.models import (
    Answer,
    Audit,
    Briefing,
    Case,
    Coding,
    LearningPoint,
    Logo,
    PanelRecord,
    Recommendation,
    Return,
    Theme,
    User,
)
from audit_tools.analysis import chart_safe, is_suppressed
from audit_tools.briefing import NO_THEMES_YET
from audit_tools.briefing import Recommendation as RecommendationItem
from audit_tools.briefing import content as briefing
from audit_tools.learning import is_overdue
from reports.briefing_pdf import build_briefing_pdf
from tests.app.conftest import DEMO_PASSWORD, load_demo

SECTION_HEADINGS = [
    "What we mean by neglect",
    briefing.SECTION_SUMMARY,
    briefing.SECTION_AT_A_GLANCE,
    briefing.SECTION_FINDINGS,
    briefing.SECTION_THEMES,
    briefing.SECTION_MANAGERS,
    briefing.SECTION_PRACTITIONERS,
    briefing.SECTION_INTER_AGENCY,
    briefing.SECTION_RECOMMENDATIONS,
    briefing.SECTION_RESOURCES,
]


@pytest.fixture
def demo(runner, ctx):
    return load_demo(runner)


def counts():
    return tuple(
        db.session.scalar(select(func.count()).select_from(model)) for model in (User, Audit, Case, Return, Answer)
    )


def test_demo_matches_the_seed_audit(demo):
    audit = db.session.scalar(select(Audit).where(Audit.state == "analysis"))
    ages = sorted(float(c.age_years) for c in audit.cases)
    assert len(audit.cases) == 6 and ages[0] == 1.5 and ages[-1] == 8
    returns = [r for c in audit.cases for r in c.returns]
    assert {r.agency.short_name for r in returns} == {"CSC", "EH", "School", "CAMHS"}
    assert all(r.state == "submitted" for r in returns)
    assert "auditor@demo.example" in demo.output and DEMO_PASSWORD in demo.output
    leads = [
        r.lead_agency for r in db.session.scalars(select(Recommendation).where(Recommendation.audit_id == audit.id))
    ]
    assert all(leads) and "Safeguarding Children Partnership Business Unit" in {a.name for a in leads}


def test_demo_has_an_audit_waiting_for_the_panel(demo):
    """The panel member has cases to judge: returns all in and revealed, no judgement agreed yet."""
    audit = db.session.scalar(select(Audit).where(Audit.state == "panel"))
    assert audit.title.endswith("second sample") and is_panel_open(audit)
    assert [c.reference for c in audit.cases] == ["NA26-S04", "NA26-S05", "NA26-S06"]
    returns = [r for c in audit.cases for r in c.returns]
    assert returns and all(r.state == "submitted" and r.answers for r in returns)
    assert not db.session.scalars(select(PanelRecord).where(PanelRecord.case_id.in_([c.id for c in audit.cases]))).all()


def test_demo_has_last_years_audit_published_with_its_briefing(demo):
    """Last year's audit on the same topic is published: its briefing (approved by someone other than its
    author, its PDF kept with its SHA-256) is the library's first, and what every viewer reads."""
    audit = db.session.scalar(select(Audit).where(Audit.state == "published"))
    assert audit.year == 2025 and audit.topic == "Neglect"
    assert [c.reference for c in audit.cases] == ["NA25-01", "NA25-02", "NA25-03", "NA25-04"]
    briefing = db.session.scalar(select(Briefing).where(Briefing.audit_id == audit.id))
    assert briefing.state == "published" and briefing.pdf.startswith(b"%PDF") and briefing.html
    assert briefing.approved_by_id != briefing.created_by_id
    assert hashlib.sha256(briefing.pdf).hexdigest() == briefing.sha256
    assert "NA25-" not in briefing.html  # no case reference is published


def test_demo_action_plan_tells_a_coherent_story_whenever_it_is_loaded(demo):
    """Due dates and progress count from the day the demo loads: every action has dated updates whose
    last status is the action's own, some are complete, one is overdue and said to be off track, and
    nothing overdue claims to be on track."""
    today = date.today()
    recommendations = db.session.scalars(select(Recommendation).where(Recommendation.audit_id == demo_audit().id)).all()
    assert len(recommendations) == 6
    for rec in recommendations:
        updates = sorted(rec.updates, key=lambda u: u.at)
        assert updates and updates[-1].rag == rec.rag and all(u.at.date() <= today for u in updates)
        assert not (is_overdue(rec.due_date, rec.rag, today) and rec.rag == "green"), rec.text
    assert {r.rag for r in recommendations} >= {"complete", "red", "amber", "green"}
    assert [r.rag for r in recommendations if is_overdue(r.due_date, r.rag, today)] == ["red"]


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
    assert len(lines) == 4  # with last year's published audit on the same topic
    assert {line.split("\t")[1] for line in lines} == {"published", "analysis", "panel", "open"}


def test_users_create_and_refusals(runner, ctx, factory):
    factory.agency("CSC")
    ok = runner.invoke(args=["users", "create", "--email", "New@Test.example", "--role", "auditor", "--agency", "CSC"])
    assert ok.exit_code == 0 and "new@test.example" in ok.output
    no_agency = runner.invoke(args=["users", "create", "--email", "b@test.example", "--role", "auditor"])
    assert no_agency.exit_code != 0 and "must belong to an agency" in no_agency.output
    duplicate = runner.invoke(args=["users", "create", "--email", "new@test.example", "--role", "viewer"])
    assert duplicate.exit_code != 0 and "already exists" in duplicate.output


def test_password_is_hashed_with_argon2id(runner, ctx):
    runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "h@test.example",
            "--role",
            "viewer",
            "--password",
            "a long passphrase here",
        ]
    )
    user = db.session.scalar(select(User).where(User.email == "h@test.example"))
    assert user.password_hash.startswith("$argon2id$") and "a long passphrase" not in user.password_hash


def _draft_briefing(audit: Audit) -> int:
    """Version 1 of the audit's briefing, drafted from its data as the composer's "Start" button does."""
    from audit_app.data.briefing_versions import start_draft
    from audit_app.data.users import find_user_by_email

    briefing = start_draft(audit, find_user_by_email("editor@demo.example"))
    db.session.commit()
    return briefing.id


def test_editor_downloads_the_briefing_pdf_with_every_section_and_the_facts(demo, client, login):
    login(client, "editor@demo.example", DEMO_PASSWORD)
    audit = db.session.scalar(select(Audit).where(Audit.state == "analysis"))
    briefing = _draft_briefing(audit)
    assert f"/briefings/{briefing}.pdf" in client.get(f"/briefings/{briefing}").get_data(as_text=True)
    response = client.get(f"/briefings/{briefing}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(response.data))
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    positions = [text.find(heading) for heading in SECTION_HEADINGS]
    assert all(p >= 0 for p in positions), dict(zip(SECTION_HEADINGS, positions, strict=False))
    assert positions == sorted(positions), "sections out of order"
    assert "1½–8" in text and "Six children aged between one and a half and eight years" in text
    assert text.count("Six children aged") == 1  # the scope says who was audited; the summary does not repeat it
    for statistic in ("fewer than 6 of", "more than 16 of", "partly in", "some of 6", "of 22 returns"):
        assert statistic not in text, statistic
    assert "What worked well" in text and "What needs to change" in text
    assert "Children's social care" in text or "children's social care" in text.lower()


def test_briefing_html_page_has_the_same_sections(demo, client, login):
    login(client, "coordinator@demo.example", DEMO_PASSWORD)
    audit = db.session.scalar(select(Audit).where(Audit.state == "analysis"))
    html = client.get(f"/briefings/{_draft_briefing(audit)}").get_data(as_text=True)
    for heading in SECTION_HEADINGS:
        assert f">{heading}</h2>" in html.replace("&#39;", "'"), heading


def test_analysis_counts_match_the_stored_answers(demo, client, login):
    login(client, "panel@demo.example", DEMO_PASSWORD)
    audit = db.session.scalar(select(Audit).where(Audit.state == "analysis"))
    good = db.session.scalar(
        select(func.count())
        .select_from(Answer)
        .join(Return)
        .join(Case)
        .where(Case.audit_id == audit.id, Answer.question_key == "overall_judgement", Answer.value == "good")
    )
    html = client.get(f"/audits/{audit.id}/analysis").get_data(as_text=True)
    assert good > 0
    assert (
        f'<th scope="row" class="govuk-table__header">Good</th><td class="govuk-table__cell '
        f'govuk-table__cell--numeric">{good}</td>' in html
    )


def test_a_fresh_installation_without_the_demo_can_start_an_audit(runner, ctx, client, factory, login):
    first = runner.invoke(args=["seed"])
    assert first.exit_code == 0 and "agencies and 2 built-in tools added" in first.output
    again = runner.invoke(args=["seed"])
    assert "0 agencies and 0 built-in tools added" in again.output
    created = runner.invoke(
        args=["users", "create", "--email", "a@test.example", "--role", "auditor", "--agency", "CSC"]
    )
    assert created.exit_code == 0
    factory.user("coordinator", email="c@test.example")
    login(client, "c@test.example")
    page = client.get("/audits/new").get_data(as_text=True)
    assert "Multi-agency neglect case audit (version 1)" in page


def test_compliance_by_section_from_sql_matches_scoring_each_return(demo, client, login):
    from audit_app.data.returns import load_answers
    from audit_app.data.tools import definition_of
    from audit_tools.returns import return_scores

    login(client, "panel@demo.example", DEMO_PASSWORD)
    audit = db.session.scalar(select(Audit).where(Audit.state == "analysis"))
    definition = definition_of(audit.tool_version)
    per_return = [return_scores(definition, load_answers(r, definition)) for c in audit.cases for r in c.returns]
    achieved = sum(s.overall.achieved for s in per_return)
    possible = sum(s.overall.possible for s in per_return)
    html = client.get(f"/audits/{audit.id}/analysis").get_data(as_text=True)
    assert "Compliance by section" in html and possible > 0
    assert f"<strong>{round(achieved / possible * 100)}%</strong>" in html


# --- issue 7: drafting from the audit's data, with small-number suppression -----------------------------------------

EXACT_COUNT = re.compile(r"(?<!more than )(?<!fewer than )\b(\d+) of (\d+) (returns|cases)")


def demo_audit() -> Audit:
    return db.session.scalar(select(Audit).where(Audit.state == "analysis"))


def stored_judgements(audit: Audit) -> dict[str, int]:
    return dict(
        db.session.execute(
            select(Answer.value, func.count())
            .join(Return)
            .join(Case)
            .where(Case.audit_id == audit.id, Answer.question_key == "overall_judgement")
            .group_by(Answer.value)
        ).all()
    )


def test_demo_briefing_pdf_has_every_section_the_key_figures_and_no_small_count(demo):
    audit = demo_audit()
    content = briefing_content(audit)
    reader = PdfReader(io.BytesIO(build_briefing_pdf(content, logo=briefing_logo())))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)

    positions = [text.find(heading) for heading in SECTION_HEADINGS]
    assert all(p >= 0 for p in positions) and positions == sorted(positions), dict(
        zip(SECTION_HEADINGS, positions, strict=False)
    )
    for figure in content.key_figures:
        assert f"{figure.value} {figure.label}" in text, figure
    assert {"6", "4", "22", "45%"} <= {f.value for f in content.key_figures}
    # The demo has six children, so most counts are small: they must read "fewer than 6", never as numbers.
    assert sorted(stored_judgements(audit).values()) == [1, 3, 9, 9]
    assert "fewer than 6" in text and content.privacy_note and " ".join(content.privacy_note.split()) in text
    for count, total, _ in EXACT_COUNT.findall(text):
        count, total = int(count), int(total)
        assert not is_suppressed(count) and not is_suppressed(total - count), (count, total)
    assert not re.search(r"partly in [1-5] more", text)
    assert all(chart_safe(dict(enumerate(chart.values))) for chart in content.charts)
    assert content.charts[0].values == (10, 12)  # Outstanding 1 + Good 9; Requires improvement 9 + Inadequate 3


def test_demo_section_compliance_in_the_briefing_matches_the_analysis(demo):
    from audit_app.data.analysis import audit_scores
    from audit_app.data.tools import definition_of

    audit = demo_audit()
    scores = audit_scores(audit, definition_of(audit.tool_version))
    chart = next(c for c in briefing_content(audit).charts if c.title.startswith("Practice against the audit tool"))
    expected = {
        title: round(score.achieved / score.possible * 100) for _, title, score in scores.sections if score.possible
    }
    assert dict(zip(chart.labels, chart.values, strict=False)) == expected


def test_compliance_from_the_stored_scores_equals_the_analysis_distributions(demo):
    """``audit_scores`` groups the scored answers alone (faster); the analysis adds up its distributions."""
    from audit_app.data.analysis import answer_counts, audit_scores
    from audit_app.data.tools import definition_of
    from audit_tools.analysis import CaseFilters, distributions

    audit = demo_audit()
    definition = definition_of(audit.tool_version)
    for filters in (CaseFilters(), CaseFilters(locality="Northfield")):
        expected = distributions(definition, answer_counts(audit, definition, None, filters), [], {}).scores
        found = audit_scores(audit, definition, filters)
        assert found.overall.possible > 0, filters
        pairs = [(found.overall, expected.overall)] + [
            (mine[2], theirs[2]) for mine, theirs in zip(found.sections, expected.sections, strict=True)
        ]
        for mine, theirs in pairs:
            assert (mine.achieved, mine.possible) == (pytest.approx(theirs.achieved), pytest.approx(theirs.possible))


def test_threshold_comes_from_the_settings(demo):
    set_setting("suppression_threshold", 2)
    content = briefing_content(demo_audit())
    notes = " ".join([content.privacy_note, *(c.note for c in content.charts)])
    assert "from 1 to 2" in notes and "from 1 to 5" not in notes
    set_setting("suppression_threshold", "five")  # not a whole number: the default protects instead
    content = briefing_content(demo_audit())
    assert "from 1 to 5" in " ".join([content.privacy_note, *(c.note for c in content.charts)])


def code(audit: Audit, case: Case, theme: Theme, status: str = "confirmed", source: str = "panel") -> None:
    db.session.add(
        Coding(
            audit_id=audit.id,
            case_id=case.id,
            source=source,
            source_key=f"{case.id}:{source}",
            excerpt="fictional excerpt",
            theme_id=theme.id,
            status=status,
        )
    )


def audit_with_cases(factory, year: int, state: str, cases: int) -> Audit:
    audit = factory.audit(state=state, cases=cases)
    audit.year = year
    return audit


def test_confirmed_themes_become_findings_and_themes_in_common(factory):
    voice, drift, housing = (
        Theme(slug=s, name=n)
        for s, n in (("voice", "Voice of the child"), ("drift", "Drift and delay in planning"), ("housing", "Housing"))
    )
    db.session.add_all([voice, drift, housing])
    earliest, earlier, unrevealed, later = (
        audit_with_cases(factory, year, state, 1)
        for year, state in ((2024, "closed"), (2025, "published"), (2025, "open"), (2027, "analysis"))
    )
    this = audit_with_cases(factory, 2026, "analysis", 14)
    db.session.flush()
    code(earliest, earliest.cases[0], voice)
    code(earlier, earlier.cases[0], voice)
    code(unrevealed, unrevealed.cases[0], drift)  # results not revealed: not a finding of that audit yet
    code(later, later.cases[0], drift)  # a later audit is not "earlier"
    code(earlier, earlier.cases[0], housing, status="suggested")  # never counted until confirmed
    for case in this.cases[:7]:
        code(this, case, voice)
        code(this, case, voice, source="note")  # the same case twice counts once
    for case in this.cases[:2]:
        code(this, case, drift)
    code(this, this.cases[0], housing, status="rejected")
    db.session.flush()

    content = briefing_content(this)

    assert content.findings[:2] == (
        "Voice of the child came up in about half of the children's cases.",
        "Drift and delay in planning came up in some of the children's cases.",
    )
    # Three audits share the codebook's themes: each earlier one is named, the most recent first.
    names = [f"{a.title} ({a.year})" for a in (earlier, earliest)]
    assert content.themes_in_common == (f"Voice of the child — also found in {names[0]} and {names[1]}",)
    assert content.themes_note == ""
    figure = content.key_figures[-1]
    assert (figure.value, figure.label) == ("7", "cases showing the most frequent theme: voice of the child")
    # With the small bar left out, one bar is left: a chart of one bar compares nothing, so there is none.
    assert "Most frequent themes" not in [c.title for c in content.charts]


def test_no_earlier_audit_gives_the_first_audit_note_without_a_tick(factory):
    audit = audit_with_cases(factory, 2026, "analysis", 2)
    content = briefing_content(audit)
    assert content.themes_in_common == () and content.themes_note == NO_THEMES_YET


def test_an_earlier_audit_without_a_theme_in_common_is_named_never_the_first_audit(factory):
    """Two audits: the earlier published one on the same topic shares no confirmed theme with this one."""
    earlier = audit_with_cases(factory, 2025, "published", 1)
    this = audit_with_cases(factory, 2026, "analysis", 3)
    housing = Theme(slug="housing", name="Housing")
    db.session.add(housing)
    db.session.flush()
    code(this, this.cases[0], housing)
    content = briefing_content(this)
    assert content.themes_in_common == ()
    assert "first" not in content.themes_note and f"{earlier.title} (2025)" in content.themes_note
    pages = PdfReader(io.BytesIO(build_briefing_pdf(content))).pages
    pdf_text = " ".join(" ".join(page.extract_text().split()) for page in pages)
    assert "None of the themes found in this audit" in pdf_text and "✓" not in pdf_text  # ticks only on themes


def test_learning_points_and_recommendations_with_lead_and_time_frame(factory):
    audit = audit_with_cases(factory, 2026, "analysis", 2)
    lead = factory.agency("FS", "Family support service")
    db.session.add_all(
        [
            LearningPoint(audit_id=audit.id, audience="practitioners", text="Second", position=2),
            LearningPoint(audit_id=audit.id, audience="practitioners", text="First", position=1),
            LearningPoint(audit_id=audit.id, audience="managers", text="For managers", position=0),
            LearningPoint(audit_id=audit.id, audience="inter_agency", text="Together", position=0),
            Recommendation(
                audit_id=audit.id, text="Relaunch the checklist", lead_agency_id=lead.id, timeframe="By May 2027"
            ),
        ]
    )
    db.session.flush()
    content = briefing_content(audit)
    assert content.action_points_practitioners == ("First", "Second")
    assert content.learning_points_managers == ("For managers",) and content.key_messages == ("Together",)
    assert content.recommendations == (
        RecommendationItem("Relaunch the checklist", "Family support service", "By May 2027"),
    )


def test_briefing_logo_is_the_newest_upload(ctx):
    from datetime import datetime

    assert briefing_logo() is None
    for day, data in ((1, b"older"), (2, b"newest"), (1, b"also older")):
        db.session.add(
            Logo(
                mimetype="image/png",
                data=data,
                sha256="0" * 64,
                width=1,
                height=1,
                uploaded_at=datetime(2026, 1, day, tzinfo=UTC),
            )
        )
    db.session.flush()
    assert briefing_logo() == b"newest"


def _lowest_text(page) -> float:
    """How far down the page the body text reaches (points from the bottom), the footer left aside."""
    heights: list[float] = []

    def visit(text, cm, tm, _font, _size):
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        if text.strip() not in ("", "DRAFT") and y > 80:  # the footer and the draft note sit below 80 points
            heights.append(y)

    page.extract_text(visitor_text=visit)
    return min(heights, default=page.mediabox.height)


def test_the_demo_briefing_fits_four_pages_with_no_page_but_the_last_mostly_empty(demo):
    pdf = build_briefing_pdf(briefing_content(demo_audit()), logo=briefing_logo(), draft=True)
    pages = PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) <= 4
    for page in pages[:-1]:
        assert _lowest_text(page) < page.mediabox.height / 3, "a page before the last is mostly empty"


def test_the_demo_briefing_is_compliant_with_pdf_ua_1(demo):
    import page

    pdf = build_briefing_pdf(briefing_content(demo_audit()), logo=briefing_logo(), draft=True)
    report = page.validate_pdf_bytes(pdf, profile="ua1")
    assert report.is_compliant, [f"{f.rule_id}: {f.message}" for f in report.failures]


def test_the_demo_briefing_says_what_the_last_audit_recommended_and_what_happened(demo):
    content = briefing_content(demo_audit())
    assert content.since_last_audit == "Multi-agency neglect audit 2025"
    assert [p.status for p in content.since_last] == ["Complete", "Amber – at risk", "Green – on track"]
    assert content.since_last[0].progress.startswith("Eight sessions held")
    # Last year's audit was coded too: the themes found both years are listed, naming it; never "the first audit".
    assert 2 <= len(content.themes_in_common) <= 4
    assert content.themes_note == "These themes were also found in Multi-agency neglect audit 2025:"
    text = " ".join(
        " ".join(page.extract_text().split())
        for page in PdfReader(io.BytesIO(build_briefing_pdf(content, draft=True))).pages
    )
    assert "Since the last audit" in text and "What happened" in text and "Amber – at risk" in text


def test_no_since_the_last_audit_section_without_an_earlier_audit_on_the_topic(factory):
    audit = audit_with_cases(factory, 2026, "analysis", 2)
    content = briefing_content(audit)
    assert content.since_last == () and content.since_last_audit == ""
