"""Each page runs a fixed number of SQL statements, however many cases or returns there are (no N+1)."""

import re
from html import unescape

import pytest
from sqlalchemy import event, func, inspect, select

from audit_app.extensions import db
from tests.app.conftest import DEMO_PASSWORD, load_demo

# page → the statements it runs for the demo data (2 audits, 6 + 3 cases, 31 returns, ~900 answers). Each
# count is independent of the number of rows (test_counts_do_not_grow_with_the_data), so one extra query per
# case, return, recommendation or theme would break it.
BOUNDS = {
    # concerns, returns to review (and their count), overdue agencies, audits by stage, results, and the blind
    # second gradings and codings named to this person
    ("coordinator", "/"): 10,
    ("coordinator", "/audits/"): 4,
    # + the audit's open safeguarding concerns (one query) and the agencies' extensions of the returns-due date
    ("coordinator", "/audits/{audit}"): 13,
    # Filter choices, returns by agency, panel grades, answers by case for the judgement and multiple choices,
    # cases, free-text returns answering, the one GROUP BY over the answers: 7 reads, whatever the audit's size;
    # and the accent colour of the charts the page carries (drawn from those reads: no image request runs them again).
    ("coordinator", "/audits/{audit}/analysis"): 14,  # + the moderated gradings, for the reliability section
    ("panel", "/audits/{audit}/analysis?locality=Northfield&age_band=0-2"): 15,  # filtered: the small-numbers setting
    ("coordinator", "/audits/{audit}/analysis/questions/contributory_factors"): 10,
    ("coordinator", "/audits/{audit}/analysis/questions/overall_judgement.svg"): 8,
    ("editor", "/audits/{audit}/analysis/compliance.svg"): 7,
    # Five reads (the returns' ids in order, the cases' attribute names; then, per 250 returns while the file
    # streams, the returns with their cases and panel grades, their answers, their evidence notes) and the audit
    # trail's event for the download.
    ("coordinator", "/audits/{audit}/analysis/answers.xlsx?layout=wide"): 15,  # the trail event (+1 lock on PostgreSQL)
    # the audits with their returns counted by state (two reads), a page of each open audit's returns (the demo
    # has one open; finished audits are counted, not listed) and the returns this auditor grades blind
    ("auditor", "/returns/"): 7,
    ("auditor", "/returns/audits/{audit}?page=2"): 7,  # one audit's counts, a page of its returns, the blind ones
    ("auditor", "/returns/{return}"): 11,  # answers and evidence notes are two reads; + is it hidden from its moderator
    ("coordinator", "/tools/"): 5,
    ("auditor", "/returns/{editable}"): 12,  # the form of a draft: the same reads + the escalation route
    ("panel", "/audits/{audit}/panel"): 10,  # + the counts above the list (it shows a page of 50 cases)
    ("panel", "/audits/{audit}/panel/{case}"): 11,  # every agency's answers and notes: two reads
    ("editor", "/audits/{audit}/themes"): 13,  # + is this person the audit's second coder, still coding blind
    ("editor", "/audits/{audit}/coding"): 12,  # the same
    ("editor", "/themes"): 5,
    ("editor", "/audits/{audit}/learning"): 8,
    ("editor", "/audits/{audit}/recommendations"): 6,
    ("coordinator", "/recommendations/{recommendation}"): 9,  # its updates, with who recorded them (and their roles)
    ("coordinator", "/actions"): 7,
    # one GROUP BY per revealed audit (three in the demo), a column a year, and the mark of each audit's answers;
    # a worker keeps each audit's figures until its mark moves, so a later view runs none of the GROUP BYs;
    # + every audit's moderated gradings (the sentence on how reliable the grades were)
    ("coordinator", "/trends"): 11,
    ("editor", "/audits/{audit}/briefings"): 8,
    ("viewer", "/briefings"): 4,
    ("editor", "/briefings/{briefing}"): 6,
}


@pytest.fixture
def demo(runner, ctx):
    load_demo(runner)

    from audit_app.data.briefing_versions import start_draft
    from audit_app.data.users import find_user_by_email
    from audit_app.models import Agency, Audit, Case, Recommendation, Return

    audit = db.session.scalar(select(Audit).where(Audit.state == "analysis"))
    ret, editable = (
        db.session.scalar(
            select(Return)
            .join(Case)
            .join(Agency)
            .where(Case.audit_id == audit_id, Agency.short_name == "CSC", Return.state.in_(states))
            .limit(1)
        )
        for audit_id, states in (
            (audit.id, ("submitted", "accepted")),
            (db.session.scalar(select(Audit.id).where(Audit.state == "open")), ("not_started", "draft")),
        )
    )
    briefing = start_draft(audit, find_user_by_email("editor@demo.example"))
    db.session.commit()
    return {
        "audit": audit.id,
        "return": ret.id,
        "editable": editable.id,
        "case": audit.cases[0].id,
        "recommendation": db.session.scalar(
            select(Recommendation.id).where(Recommendation.audit_id == audit.id).limit(1)
        ),
        "briefing": briefing.id,
    }


def statements_run(app, client, url: str) -> int:
    return statements_and_response(app, client, url)[0]


def statements_and_response(app, client, url: str):
    statements = []

    def count(*_args):
        statements.append(1)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(url)
        response.get_data()  # a streamed body runs its statements as it is read
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200, url
    return len(statements), response


@pytest.mark.parametrize("role, page", list(BOUNDS))
def test_page_stays_within_its_statement_bound(app, client, login, demo, role, page):
    login(client, f"{role}@demo.example", DEMO_PASSWORD)
    ran = statements_run(app, client, page.format(**demo))
    assert ran <= BOUNDS[(role, page)], f"{page} ran {ran} statements"


def _copy(row, **changes):
    """A new row with ``row``'s column values (its id left to the database), some of them changed."""
    values = {c.key: getattr(row, c.key) for c in inspect(type(row)).column_attrs if c.key != "id"}
    return type(row)(**(values | changes))


def _grow(audit_id: int) -> None:
    """Double what the demo audit's pages list: cases (with returns, answers, notes, panel records), codings,
    learning points and recommendations (with their progress updates)."""
    from audit_app.models import ActionUpdate, Audit, Coding, LearningPoint, PanelRecord, Recommendation

    audit = db.session.get(Audit, audit_id)
    for n, case in enumerate(list(audit.cases)):
        twin = _copy(case, reference=f"{case.reference}-TWIN{n}")
        db.session.add(twin)
        db.session.flush()
        for ret in case.returns:
            copy = _copy(ret, case_id=twin.id)
            copy.answers = [_copy(answer, return_id=None) for answer in ret.answers]
            copy.notes = [_copy(note, return_id=None) for note in ret.notes]
            db.session.add(copy)
        if record := db.session.scalar(select(PanelRecord).where(PanelRecord.case_id == case.id)):
            db.session.add(_copy(record, case_id=twin.id))
        db.session.add_all(
            _copy(c, case_id=twin.id, source_key=f"{c.source_key}-twin")
            for c in db.session.scalars(select(Coding).where(Coding.case_id == case.id))
        )
    for point in db.session.scalars(select(LearningPoint).where(LearningPoint.audit_id == audit_id)).all():
        db.session.add(_copy(point, themes=list(point.themes)))
    for recommendation in db.session.scalars(select(Recommendation).where(Recommendation.audit_id == audit_id)).all():
        twin = _copy(recommendation)
        twin.updates = [_copy(update, recommendation_id=None) for update in recommendation.updates] or [
            ActionUpdate(text="Work has started.", rag="amber")
        ]
        db.session.add(twin)
    db.session.commit()


def test_counts_do_not_grow_with_the_data(app, client, login, demo):  # client: sets the isolated client class
    def count_every_page() -> dict:
        app.extensions.pop("compliance_by_audit", None)  # as a fresh worker: none of /trends' figures kept
        counts = {}
        for role in sorted({role for role, _ in BOUNDS}):
            client = app.test_client()
            login(client, f"{role}@demo.example", DEMO_PASSWORD)
            counts |= {page: statements_run(app, client, page.format(**demo)) for r, page in BOUNDS if r == role}
        return counts

    from audit_app.models import Answer, Case, Recommendation, Return

    with app.app_context():
        in_audit = Case.audit_id == demo["audit"]

        def rows():
            return [
                db.session.scalar(query)
                for query in (
                    select(func.count(Case.id)).where(in_audit),
                    select(func.count(Return.id)).join(Case).where(in_audit),
                    select(func.count(Answer.id)).join(Return).join(Case).where(in_audit),
                    select(func.count(Recommendation.id)).where(Recommendation.audit_id == demo["audit"]),
                )
            ]

        before_rows = rows()
    before = count_every_page()
    with app.app_context():
        _grow(demo["audit"])
        assert rows() == [2 * n for n in before_rows] and before_rows[2] > 100
    assert count_every_page() == before


# A results page with its charts, as a browser loads it: the page, then each chart image it does not carry inside.
# Before the pages carried their charts, each chart image ran the analysis again: the analysis page and its 4
# charts ran it 5 times in 45 statements (46 filtered), a question page and its chart twice in 16–18.
RESULTS_PAGES = {
    ("coordinator", "/audits/{audit}/analysis"): 14,
    ("panel", "/audits/{audit}/analysis?locality=Northfield&age_band=0-2"): 15,
    ("coordinator", "/audits/{audit}/analysis/questions/contributory_factors"): 10,
    ("coordinator", "/audits/{audit}/analysis/questions/overall_judgement"): 9,
}


@pytest.mark.parametrize("role, page", list(RESULTS_PAGES))
def test_a_results_page_runs_the_analysis_once_however_many_charts_it_shows(
    app, client, login, demo, monkeypatch, role, page
):
    from audit_app.data import analysis

    runs = []  # the analysis: the GROUP BY over the answers that every figure and chart is made from
    grouped = analysis.answer_counts
    monkeypatch.setattr(analysis, "answer_counts", lambda *args, **kwargs: runs.append(1) or grouped(*args, **kwargs))
    login(client, f"{role}@demo.example", DEMO_PASSWORD)
    url = page.format(**demo)
    ran, response = statements_and_response(app, client, url)
    charts = re.findall(r'<img class="app-chart[^"]*" src="([^"]+)"', response.get_data(as_text=True))
    assert charts, url
    for source in charts:
        if not source.startswith("data:"):
            ran += statements_run(app, client, unescape(source))
    print(f"{url} and its {len(charts)} charts: {ran} statements, the analysis run {len(runs)} times")
    assert len(runs) == 1, f"{url} ran the analysis {len(runs)} times"
    assert ran <= RESULTS_PAGES[(role, page)], f"{url} and its charts ran {ran} statements"
