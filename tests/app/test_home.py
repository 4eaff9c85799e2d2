"""The home page says what needs each person, by role, with a link to the place to act; and the audit's
details, due dates and agencies' extensions can be changed after it is created."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event, select

from audit_app.data import audits as audit_data
from audit_app.data.accounts import disable_user, invite
from audit_app.extensions import db
from audit_app.models import (
    AgencyExtension,
    AuditEvent,
    Briefing,
    Case,
    Coding,
    PanelRecord,
    Recommendation,
    Return,
    Theme,
)
from tests.app.conftest import DEMO_PASSWORD, load_demo

TODAY = date.today()
PAST = TODAY - timedelta(days=3)
FUTURE = TODAY + timedelta(days=14)


def statements_and_response(app, client, url: str):
    """The number of SQL statements a GET of ``url`` runs, and its response."""
    statements = []

    def count(*_args):
        statements.append(1)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200, url
    return len(statements), response


def home(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.fixture
def open_audit(factory):
    audit = factory.audit("open", cases=2, agencies=("CSC", "EH"))
    audit.returns_due = PAST
    db.session.commit()
    return audit


# ---------------------------------------------------------------- coordinator


def test_coordinator_sees_returns_to_review_overdue_agencies_and_each_audits_next_step(
    client, factory, login, open_audit
):
    submitted = factory.return_for(open_audit, "CSC", "T-01")
    submitted.state = "submitted"
    submitted.submitted_at = datetime.now(UTC)
    factory.audit("setup", cases=1, agencies=("CSC",))
    db.session.commit()
    factory.user("coordinator", email="co@test.example")
    login(client, "co@test.example")
    html = home(client)
    assert f'href="/audits/{open_audit.id}/returns/{submitted.id}"' in html
    assert "Review CSC service's return on case T-01" in html
    assert "CSC service owes 1 return" in html  # T-02; T-01 is submitted
    assert "EH service owes 2 returns" in html
    assert "Test audit setup</a> (setup, 1 case)" in html
    assert "Next: Add the cases and agencies, then open the audit for returns" in html
    assert "Go to my returns" not in html and "Your returns" not in html  # no auditor section


def test_an_extension_takes_an_agency_off_the_overdue_list_and_the_grid(client, factory, login, open_audit):
    factory.user("coordinator", email="co@test.example")
    csc = factory.agency("CSC")
    db.session.add(AgencyExtension(audit_id=open_audit.id, agency_id=csc.id, returns_due=FUTURE))
    db.session.commit()
    assert audit_data.due_date_for(open_audit, csc.id) == FUTURE
    assert audit_data.due_date_for(open_audit, factory.agency("EH").id) == PAST
    login(client, "co@test.example")
    html = home(client)
    assert "EH service owes 2 returns" in html and "CSC service owes" not in html
    grid = audit_data.progress_grid(open_audit)
    overdue = {a.short_name: [cells[i].overdue for _, cells in grid.rows] for i, a in enumerate(grid.agencies)}
    assert overdue == {"CSC": [False, False], "EH": [True, True]}
    page = client.get(f"/audits/{open_audit.id}").get_data(as_text=True)
    assert page.count(">Overdue</strong>") == 2


def test_the_audit_page_shows_a_page_of_cases_chosen_by_what_is_owed_and_each_agencys_counts(
    client, factory, login, open_audit, monkeypatch
):
    """A 500-case audit's grid of every return took a second to draw and weighed 2.2 MB: the page now
    shows each agency's counts and a page of cases, which the coordinator narrows to what is owed or late."""
    factory.user("coordinator", email="co@test.example")
    csc = factory.agency("CSC")
    factory.return_for(open_audit, "CSC", "T-01").state = "submitted"
    db.session.commit()
    monkeypatch.setattr(audit_data, "GRID_PAGE_SIZE", 1)
    login(client, "co@test.example")

    def page(query: str = "") -> str:
        response = client.get(f"/audits/{open_audit.id}{query}")
        assert response.status_code == 200, query
        return response.get_data(as_text=True)

    def cases_listed(html: str) -> list[str]:
        return re.findall(r'<th scope="row" class="govuk-table__header">(T-\d\d)', html)

    first = page()
    assert cases_listed(first) == ["T-01"] and "page 1 of 2" in first and "show=all&amp;page=2" in first
    assert cases_listed(page("?page=2")) == ["T-02"]
    assert cases_listed(page("?page=99")) == ["T-02"]  # past the end: the last page
    csc_row = first.split(">CSC service</th>")[1].split("</tr>")[0]
    assert "1 of 2" in csc_row and "1 draft, 1 submitted" in csc_row
    assert '1<span class="govuk-visually-hidden"> overdue returns from CSC service' in csc_row
    late_from_csc = page(f"?show=overdue&agency={csc.id}")
    assert cases_listed(late_from_csc) == ["T-02"]  # T-01's CSC return is in
    assert "return on each case (1 case)" in late_from_csc
    assert cases_listed(page("?show=outstanding&page=2")) == ["T-02"]  # EH still owes on both
    for nonsense in ("?page=abc&show=zzz&agency=x", "?agency=99999999999999999999", "?show=overdue&agency=-1"):
        assert cases_listed(page(nonsense)) == ["T-01"], nonsense


# ---------------------------------------------------------------- auditor


def test_auditor_sees_own_returns_by_due_date_and_those_sent_back_with_the_reason(client, factory, login, open_audit):
    later = factory.audit("open", cases=1, agencies=("CSC", "EH"))
    later.title, later.returns_due = "Later audit", FUTURE
    factory.audit("setup", cases=1, agencies=("CSC",)).title = "Not yet open"
    sent = factory.return_for(open_audit, "CSC", "T-02")
    sent.state, sent.amendment_reason = "returned", "Please add the dates of the visits"
    db.session.commit()
    factory.user("auditor", agency=factory.agency("CSC"), email="csc@test.example")
    login(client, "csc@test.example")
    html = home(client)
    mine = factory.return_for(open_audit, "CSC", "T-01")
    assert f'href="/returns/{sent.id}">Amend the return on case T-02' in html
    assert "Please add the dates of the visits" in html
    first, second = (
        html.index(f'href="/returns/{mine.id}"'),
        html.index(f'href="/returns/{factory.return_for(later, "CSC").id}"'),
    )
    assert first < second  # the overdue one first
    assert html.count("Overdue</strong>") >= 1
    for other in (factory.return_for(open_audit, "EH", "T-01"), factory.return_for(later, "EH")):
        assert f'href="/returns/{other.id}"' not in html  # another agency's
    assert "Not yet open" not in html
    assert "Running audits" not in html  # no coordinator section


def test_an_auditor_named_elsewhere_does_not_see_returns_given_to_someone_else(client, factory, login, open_audit):
    from audit_app.models import Assignment

    csc = factory.agency("CSC")
    other = factory.user("auditor", agency=csc, email="other@test.example")
    factory.user("auditor", agency=csc, email="csc@test.example")
    db.session.add(Assignment(audit_id=open_audit.id, agency_id=csc.id, user_id=other.id))
    db.session.commit()
    login(client, "csc@test.example")
    assert "You have no returns to complete." in home(client)


# ---------------------------------------------------------------- panel, editor, viewer, admin


def test_panel_member_sees_cases_waiting_for_a_judgement(client, factory, login):
    audit = factory.audit("panel", cases=2)
    judged = audit.cases[0]
    db.session.add(PanelRecord(case_id=judged.id, agreed_grade="good"))
    hidden = factory.audit("open", cases=1)
    db.session.commit()
    factory.user("panel", email="panel@test.example")
    login(client, "panel@test.example")
    html = home(client)
    assert f'href="/audits/{audit.id}/panel/{audit.cases[1].id}">Case T-02' in html
    assert f"/panel/{judged.id}" not in html
    assert f"/audits/{hidden.id}/" not in html


def test_editor_sees_excerpts_to_code_briefings_waiting_and_actions_due(client, factory, login):
    audit = factory.audit("analysis", cases=1)
    theme = Theme(slug="drift", name="Drift")
    db.session.add(theme)
    db.session.flush()
    case = audit.cases[0]
    db.session.add_all(
        [
            Coding(
                audit_id=audit.id,
                case_id=case.id,
                source="panel",
                source_key=str(case.id),
                excerpt="x",
                theme_id=theme.id,
            ),
            Briefing(audit_id=audit.id, number=1, state="approved", content={}),
            Recommendation(audit_id=audit.id, text="Share chronologies", due_date=TODAY + timedelta(days=5), rag="red"),
            Recommendation(audit_id=audit.id, text="Far away action", due_date=TODAY + timedelta(days=300)),
        ]
    )
    db.session.commit()
    factory.user("editor", email="ed@test.example")
    login(client, "ed@test.example")
    html = home(client)
    assert f'href="/audits/{audit.id}/coding">1 suggested coding to accept or reject' in html
    assert f'href="/audits/{audit.id}/briefings">Publish version 1 of the briefing' in html
    rec = db.session.scalar(select(Recommendation).where(Recommendation.text == "Share chronologies"))
    assert f'href="/recommendations/{rec.id}">Share chronologies' in html
    assert "Far away action" not in html


def test_a_draft_waits_for_the_approval_of_someone_who_did_not_write_or_change_it(client, factory, login, app):
    """The author of a draft is asked to finish it (another person approves it); a colleague who has not
    changed it is asked to approve it; a colleague who changed it since is asked to finish it too."""
    from audit_app.data.events import record_event

    audit = factory.audit("analysis", cases=1)
    author = factory.user("editor", email="author@test.example")
    factory.user("editor", email="colleague@test.example")
    changer = factory.user("editor", email="changer@test.example")
    draft = Briefing(audit_id=audit.id, number=1, state="draft", content={}, created_by_id=author.id)
    db.session.add(draft)
    db.session.flush()
    record_event("briefing.section_saved", "briefing", draft.id, user=changer, after={"section": "summary"})
    db.session.commit()
    link = f'href="/audits/{audit.id}/briefings">'
    pages = {}
    for person in ("author", "colleague", "changer"):
        fresh = app.test_client()
        login(fresh, f"{person}@test.example")
        pages[person] = home(fresh)
    assert f"{link}Approve version 1 of the briefing" in pages["colleague"]
    assert f"{link}Finish version 1 of the briefing" in pages["author"]
    assert "another member of the business unit approves it" in pages["author"]
    assert f"{link}Finish version 1 of the briefing" in pages["changer"]
    assert "Approve version 1" not in pages["author"] + pages["changer"]


def test_viewer_sees_the_latest_briefings_and_the_action_plan(client, factory, login):
    audit = factory.audit("published", cases=1)
    draft_audit = factory.audit("analysis", cases=1)
    published = Briefing(audit_id=audit.id, number=1, state="published", content={}, published_at=datetime.now(UTC))
    db.session.add_all([published, Briefing(audit_id=draft_audit.id, number=1, state="draft", content={})])
    db.session.commit()
    factory.user("viewer", email="viewer@test.example")
    login(client, "viewer@test.example")
    html = home(client)
    assert f'href="/briefings/{published.id}"' in html
    assert html.count('href="/briefings/') == 1 + html.count('href="/briefings/"')  # only the published one
    assert 'href="/actions"' in html
    assert "Excerpts to code" not in html and "Running audits" not in html


def test_admin_sees_invitations_not_taken_up_and_disabled_accounts(client, factory, login):
    admin = factory.user("admin", email="admin@test.example")
    invited = factory.user("auditor", agency=factory.agency("CSC"), email="new@test.example")
    gone = factory.user("viewer", email="gone@test.example")
    invite(invited, admin)
    disable_user(gone, admin)
    db.session.commit()
    login(client, "admin@test.example")
    html = home(client)
    section = html[html.index("Invitations not taken up") :]
    assert "new@test.example" in section.split("Disabled accounts")[0]
    assert "gone@test.example" in section.split("Disabled accounts")[1]
    assert "new@test.example" not in section.split("Disabled accounts")[1]


def test_a_person_with_several_roles_sees_each_roles_section(client, factory, login, open_audit):
    factory.user(
        "coordinator",
        "auditor",
        "panel",
        "editor",
        "viewer",
        "admin",
        agency=factory.agency("CSC"),
        email="all@test.example",
    )
    login(client, "all@test.example")
    html = home(client)
    for heading in (
        "Running audits",
        "Your returns",
        "waiting for the panel",
        "Learning and briefings",
        "Learning from audits",
        "People",
    ):
        assert heading in html, heading


# ---------------------------------------------------------------- editing an audit


def _form(audit, **changes) -> dict:
    data = {"title": audit.title, "purpose": "", "scope": ""}
    for name in ("period_start", "period_end", "returns_due", "panel_due"):
        value = getattr(audit, name)
        data[name] = [value.strftime("%d"), value.strftime("%m"), value.strftime("%Y")] if value else ["", "", ""]
    return data | changes


def _date(d: date) -> list[str]:
    return [str(d.day), str(d.month), str(d.year)]


@pytest.fixture
def coordinator(client, factory, login):
    factory.user("coordinator", email="co@test.example")
    login(client, "co@test.example")
    return client


def test_the_coordinator_changes_details_and_gives_an_agency_more_time(coordinator, post, factory, open_audit):
    csc = factory.agency("CSC")
    page = coordinator.get(f"/audits/{open_audit.id}/edit").get_data(as_text=True)
    assert "CSC service: returns due by" in page and 'value="Test audit open"' in page
    data = _form(open_audit, title="Renamed audit", purpose="Secret purpose words") | {
        f"extension_{csc.id}": _date(FUTURE),
        "returns_due": _date(PAST),
    }
    response = post(coordinator, f"/audits/{open_audit.id}/edit", data)
    assert response.status_code == 302
    db.session.expire_all()
    assert open_audit.title == "Renamed audit" and open_audit.purpose == "Secret purpose words"
    assert audit_data.due_date_for(open_audit, csc.id) == FUTURE
    events = list(
        db.session.scalars(select(AuditEvent).where(AuditEvent.action.in_(("audit.edited", "audit.extensions"))))
    )
    assert {e.action for e in events} == {"audit.edited", "audit.extensions"}
    edited = next(e for e in events if e.action == "audit.edited")
    assert edited.after == {"changed": {"title": True, "purpose": True}}
    assert "Renamed" not in str([e.after for e in events]) and "Secret" not in str([e.after for e in events])
    # and taking the extension away
    response = post(
        coordinator, f"/audits/{open_audit.id}/edit", _form(open_audit) | {f"extension_{csc.id}": ["", "", ""]}
    )
    assert response.status_code == 302
    assert audit_data.due_date_for(open_audit, csc.id) == PAST


def test_mistakes_are_linked_from_the_summary_and_nothing_typed_is_lost(coordinator, post, factory, open_audit):
    csc = factory.agency("CSC")
    data = _form(open_audit, title="Kept title", scope="Kept scope") | {
        "returns_due": _date(FUTURE),
        "panel_due": _date(TODAY),
        f"extension_{csc.id}": _date(TODAY),
    }
    response = post(coordinator, f"/audits/{open_audit.id}/edit", data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "govuk-error-summary" in html
    assert 'href="#panel_due-day"' in html and "The panel must meet after the returns are due" in html
    assert f'href="#extension_{csc.id}-day"' in html and "must be after the returns due date" in html
    assert 'value="Kept title"' in html and "Kept scope" in html
    db.session.expire_all()
    assert open_audit.title == "Test audit open" and open_audit.returns_due == PAST


@pytest.mark.parametrize("role", ["auditor", "panel", "editor", "viewer", "admin"])
def test_only_a_coordinator_may_edit_an_audit(client, factory, login, post, open_audit, role):
    factory.user(role, agency=factory.agency("CSC"), email="someone@test.example")
    login(client, "someone@test.example")
    assert client.get(f"/audits/{open_audit.id}/edit").status_code == 403
    response = client.post(f"/audits/{open_audit.id}/edit", data=_form(open_audit, title="Hijacked"))
    assert response.status_code in (400, 403)
    db.session.expire_all()
    assert open_audit.title == "Test audit open"


def test_an_edit_without_the_csrf_token_is_refused(coordinator, open_audit):
    response = coordinator.post(f"/audits/{open_audit.id}/edit", data=_form(open_audit, title="Forged"))
    assert response.status_code in (200, 400)
    db.session.expire_all()
    assert open_audit.title == "Test audit open"


# ---------------------------------------------------------------- the bound on the 500-case audit

# The session's user and roles, then each role's lists: coordinator 5 (concerns not yet acknowledged, returns
# to review and their count, overdue agencies, audits by stage), auditor 3, blind second looks 1, panel 2,
# editor 4, audits with results 1, viewer 2, admin 2: the same for 5 cases or 500.
HOME_BOUND = 23


def test_the_home_page_of_a_500_case_audit_stays_within_its_statement_bound(app, client, factory, login):
    from audit_app.models import Audit, Return
    from tests.perf.synthetic import make_audit

    open_id = make_audit(db.session, cases=500, agencies=12, questions=6, seed=1, state="open")
    panel_id = make_audit(db.session, cases=60, agencies=4, questions=6, seed=2, state="panel")
    audit = db.session.get(Audit, open_id)
    audit.returns_due = PAST
    agency_id = db.session.scalar(select(Return.agency_id).where(Return.audit_id == open_id).limit(1))
    first = db.session.scalars(select(Return).where(Return.audit_id == open_id).limit(30)).all()
    for ret in first[:15]:
        ret.state, ret.submitted_at = "submitted", datetime.now(UTC)
    for ret in first[15:]:
        ret.state, ret.amendment_reason = "returned", "Add the dates"
    for record in db.session.scalars(select(PanelRecord).join(Case).where(Case.audit_id == panel_id).limit(20)):
        record.agreed_grade = ""  # judgements still to make
    db.session.commit()
    from audit_app.models import Agency

    agency = db.session.get(Agency, agency_id)
    factory.user(
        "coordinator", "auditor", "panel", "editor", "viewer", "admin", agency=agency, email="all@test.example"
    )
    login(client, "all@test.example")
    ran, response = statements_and_response(app, client, "/")
    html = response.get_data(as_text=True)
    assert "owes" in html, "overdue"
    assert "Review " in html, "review"
    assert f"/audits/{panel_id}/panel/" in html, "panel"
    assert "Amend the return" in html, "sent back"
    assert ran <= HOME_BOUND, f"the home page ran {ran} statements"


# ---------------------------------------------------------------- the demo


@pytest.mark.parametrize(
    "account, item",
    [
        ("coordinator", "Review Early Help"),  # a return waiting for review
        ("coordinator", "owes"),  # an overdue agency
        ("auditor", 'href="/returns/'),  # returns to complete
        ("panel", "/panel/"),  # cases waiting for a judgement
        ("editor", "suggested coding"),  # excerpts to code
        ("admin", "newcomer@demo.example"),  # an invitation not taken up
        ("viewer", "Multi-agency neglect audit 2025: learning briefing"),  # last year's published briefing
        ("viewer", "The action plan</a>"),
    ],
)
def test_each_demo_role_has_something_to_act_on(client, runner, ctx, login, account, item):
    load_demo(runner)
    login(client, f"{account}@demo.example", DEMO_PASSWORD)
    assert item in home(client)


def test_the_grid_shows_who_last_saved_each_return_and_when_in_uk_time(client, factory, login, open_audit):
    csc = factory.agency("CSC")
    auditor = factory.user("auditor", agency=csc, email="csc@test.example")
    ret = factory.return_for(open_audit, "CSC", "T-01")
    ret.auditor_id = auditor.id
    db.session.commit()
    db.session.execute(
        Return.__table__.update()
        .where(Return.id == ret.id)
        .values(updated_at=datetime(2026, 7, 1, 12, 0, tzinfo=UTC))  # 13:00 in British Summer Time
    )
    db.session.commit()
    factory.user("coordinator", email="co@test.example")
    login(client, "co@test.example")
    page = client.get(f"/audits/{open_audit.id}").get_data(as_text=True)
    assert "Test auditor, last saved 1 July 2026 at 13:00 (UK time)" in page
    assert "Not started" in page  # the others


def test_the_grid_never_calls_a_submitted_return_not_started(client, factory, login, open_audit):
    """A return submitted (by an import or the demo) with nobody recorded as its auditor is not "Not started"."""
    ret = factory.return_for(open_audit, "CSC", "T-01")
    ret.state = "submitted"
    db.session.commit()
    factory.user("coordinator", email="co@test.example")
    login(client, "co@test.example")
    page = client.get(f"/audits/{open_audit.id}").get_data(as_text=True)
    drafts = sum(r.state == "draft" for c in open_audit.cases for r in c.returns)
    assert page.count("Not started") == drafts
