"""Issue 17: each audit has a lead coordinator, who is the one told of its concerns, its submitted returns
and its overdue agencies without a safeguarding lead. With no lead (or a lead who can no longer act),
every coordinator is told, so a message never reaches nobody."""

from datetime import UTC, date, datetime, timedelta

import time_machine
from sqlalchemy import select

from audit_app.data import concerns as concern_data
from audit_app.data.accounts import disable_user
from audit_app.extensions import db
from audit_app.models import AuditEvent, Concern, Notification
from tests.app.notify_helpers import at, body_of, notify, recipients

DUE = date(2026, 3, 20)
CONCERN = {"q_current_safeguarding_concern": "yes", "q_current_concern_action": "Rang the duty team"}


def submitted_returns(audit) -> None:
    with time_machine.travel(at(DUE), tick=False):
        for case in audit.cases:
            case.returns[0].state, case.returns[0].submitted_at = "submitted", datetime.now(UTC)
        db.session.commit()


def test_the_coordinator_who_creates_an_audit_leads_it(client, factory, login, post):
    factory.user("coordinator", email="lead@test.example")
    login(client, "lead@test.example")
    from audit_app.data.tools import ensure_builtin_tool

    version = ensure_builtin_tool()
    db.session.commit()
    post(client, "/audits/new", {"title": "Lead audit", "topic": "Neglect", "year": "2026", "tool_version": version.id})
    from audit_app.models import Audit

    audit = db.session.scalar(select(Audit).where(Audit.title == "Lead audit"))
    assert audit.coordinator.email == "lead@test.example"
    assert "Lead coordinator" in client.get(f"/audits/{audit.id}").get_data(as_text=True)


def test_submitted_returns_go_to_the_lead_coordinator_only(runner, factory, smtp):
    lead = factory.user("coordinator", email="lead@test.example")
    factory.user("coordinator", email="other@test.example")
    audit = factory.audit(state="open", cases=2, agencies=("CSC",))
    audit.coordinator_id = lead.id
    db.session.commit()
    submitted_returns(audit)
    notify(runner, DUE + timedelta(days=1))
    assert recipients(smtp) == ["lead@test.example"]
    assert "2 returns submitted" in body_of(smtp.messages[0][1])


def test_with_no_lead_or_a_disabled_lead_every_coordinator_is_told(runner, factory, smtp):
    lead = factory.user("coordinator", email="lead@test.example")
    factory.user("coordinator", email="other@test.example")
    audit = factory.audit(state="open", cases=2, agencies=("CSC",))
    audit.coordinator_id = lead.id
    disable_user(lead, None)
    db.session.commit()
    submitted_returns(audit)
    notify(runner, DUE + timedelta(days=1))
    assert recipients(smtp) == ["other@test.example"]


def test_a_concern_is_emailed_to_the_lead_coordinator_and_the_safeguarding_lead(client, factory, login, post):
    csc = factory.agency("CSC")
    csc.safeguarding_lead_email = "safeguarding@csc.test.example"
    lead = factory.user("coordinator", email="lead@test.example")
    factory.user("coordinator", email="other@test.example")
    factory.user("auditor", agency=csc, email="csc@test.example")
    audit = factory.audit(state="open", cases=1, agencies=("CSC",))
    audit.coordinator_id = lead.id
    db.session.commit()
    login(client, "csc@test.example")
    ret = audit.cases[0].returns[0]
    assert post(client, f"/returns/{ret.id}", {**CONCERN, "version": "1", "save_draft": "y"}).status_code == 302
    concern = db.session.scalar(select(Concern))
    told = db.session.scalars(select(Notification.to_email).where(Notification.object_id == concern.id)).all()
    assert sorted(told) == ["lead@test.example", "safeguarding@csc.test.example"]
    assert concern_data.open_concerns(lead) == [concern]


def test_the_lead_is_changed_on_the_edit_page_and_the_trail_names_the_field_only(client, factory, login, post):
    factory.user("coordinator", email="lead@test.example")
    other = factory.user("coordinator", email="other@test.example")
    factory.user("viewer", email="viewer@test.example")
    audit = factory.audit(state="open", cases=1, agencies=("CSC",))
    login(client, "lead@test.example")
    page = client.get(f"/audits/{audit.id}/edit").get_data(as_text=True)
    assert "Every coordinator" in page and "other@test.example" in page and "viewer@test.example" not in page
    saved = post(client, f"/audits/{audit.id}/edit", {"title": audit.title, "coordinator_id": str(other.id)})
    assert saved.status_code == 302
    db.session.refresh(audit)
    assert audit.coordinator_id == other.id
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "audit.edited").order_by(AuditEvent.id)
    ).all()[-1]
    assert event.after == {"changed": {"coordinator_id": True}}
    refused = post(client, f"/audits/{audit.id}/edit", {"title": "Kept title", "coordinator_id": "999999"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 200 and "Kept title" in html and 'href="#coordinator_id"' in html
    assert "Not a valid choice" not in html
    db.session.refresh(audit)
    assert audit.coordinator_id == other.id and audit.title != "Kept title"
