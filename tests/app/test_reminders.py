"""Reminder e-mails go to the auditors of agencies that still owe returns, through a real SMTP server."""

from sqlalchemy import select

from audit_app.extensions import db
from audit_app.models import AuditEvent


def test_reminders_reach_each_auditor_who_owes_and_no_one_else(client, factory, login, post, smtp):
    factory.user("coordinator", email="co@test.example")
    factory.user("auditor", agency=factory.agency("CSC"), email="csc@test.example")
    factory.user("auditor", agency=factory.agency("EH"), email="eh@test.example")
    audit = factory.audit(state="open", agencies=("CSC", "EH"))
    for case in audit.cases:
        next(r for r in case.returns if r.agency.short_name == "EH").state = "submitted"
    db.session.commit()
    login(client, "co@test.example")
    response = post(client, f"/audits/{audit.id}/reminders", follow_redirects=True)
    assert "1 reminder sent." in response.get_data(as_text=True)
    [(recipients, message)] = smtp.messages
    assert recipients == ["csc@test.example"]
    body = message.get_payload()
    assert "case T-01" in body and "case T-02" in body and "/returns/" in body
    assert "2 returns due" in message["Subject"]
    assert db.session.scalar(select(AuditEvent.after).where(AuditEvent.action == "reminders.sent")) == {"messages": 1}


def test_without_smtp_nothing_is_sent_and_the_coordinator_is_told(client, factory, login, post):
    factory.user("coordinator", email="co@test.example")
    factory.user("auditor", agency=factory.agency("CSC"), email="csc@test.example")
    audit = factory.audit(state="open", agencies=("CSC",))
    login(client, "co@test.example")
    response = post(client, f"/audits/{audit.id}/reminders", follow_redirects=True)
    assert "No reminders were sent: E-mail is not set up" in response.get_data(as_text=True)
