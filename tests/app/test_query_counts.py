"""Each page runs a fixed number of SQL statements, however many cases or returns there are (no N+1)."""

import pytest
from sqlalchemy import event

from audit_app.extensions import db

# page → the statements it runs for the demo data (2 audits, 6 + 3 cases, 31 returns, ~900 answers). Each
# count is independent of the number of rows, so one extra query per case or return would break it.
BOUNDS = {
    ("coordinator", "/"): 4,
    ("coordinator", "/audits/"): 4,
    ("coordinator", "/audits/{audit}"): 11,
    # Filter choices, returns by agency, panel grades, answers by case for the judgement and multiple choices,
    # cases, free-text returns answering, the one GROUP BY over the answers: 7 reads, whatever the audit's size.
    ("coordinator", "/audits/{audit}/analysis"): 12,
    ("panel", "/audits/{audit}/analysis?locality=Northfield&age_band=0-2"): 12,
    ("coordinator", "/audits/{audit}/analysis/questions/contributory_factors"): 9,
    ("coordinator", "/audits/{audit}/analysis/questions/overall_judgement.svg"): 8,
    ("editor", "/audits/{audit}/analysis/compliance.svg"): 7,
    # Three reads (returns, answers, evidence notes) and the audit trail's event for the download.
    ("coordinator", "/audits/{audit}/analysis/answers.xlsx?layout=wide"): 14,  # the trail event (+1 lock on PostgreSQL)
    ("editor", "/audits/{audit}/briefing"): 19,
    ("auditor", "/returns/"): 4,
    ("auditor", "/returns/{return}"): 10,  # answers and evidence notes are two reads
    ("coordinator", "/tools/"): 5,
}


@pytest.fixture
def demo(runner, ctx):
    assert runner.invoke(args=["demo", "--password", "query count password"]).exit_code == 0
    from sqlalchemy import select

    from audit_app.models import Agency, Audit, Case, Return
    audit = db.session.scalar(select(Audit).where(Audit.state == "analysis"))
    ret = db.session.scalar(select(Return).join(Case).join(Agency)
                            .where(Case.audit_id == audit.id, Agency.short_name == "CSC"))
    return {"audit": audit.id, "return": ret.id}


@pytest.mark.parametrize("role, page", list(BOUNDS))
def test_page_stays_within_its_statement_bound(app, client, login, demo, role, page):
    login(client, f"{role}@demo.example", "query count password")
    statements = []

    def count(*_args):
        statements.append(1)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(page.format(**demo))
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200
    assert len(statements) <= BOUNDS[(role, page)], f"{page} ran {len(statements)} statements"
