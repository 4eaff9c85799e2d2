"""Reminder e-mails go to the auditors of agencies that still owe returns, through a real SMTP server."""

from sqlalchemy import select

from audit_app.extensions import db
from audit_app.models import AuditEvent, Notification


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


def test_without_smtp_reminders_are_kept_in_the_outbox_and_the_coordinator_is_told(client, factory, login, post):
    factory.user("coordinator", email="co@test.example")
    factory.user("auditor", agency=factory.agency("CSC"), email="csc@test.example")
    audit = factory.audit(state="open", agencies=("CSC",))
    login(client, "co@test.example")
    response = post(client, f"/audits/{audit.id}/reminders", follow_redirects=True)
    assert "E-mail is not set up, so 1 reminder was kept in the outbox instead." in response.get_data(as_text=True)
    db.session.rollback()
    [kept] = db.session.scalars(select(Notification))
    assert (kept.to_email, kept.state, kept.kind) == ("csc@test.example", "kept", "return-reminder")


def test_each_press_of_the_button_sends_again_through_the_ledger(client, factory, login, post, smtp):
    factory.user("coordinator", email="co@test.example")
    factory.user("auditor", agency=factory.agency("CSC"), email="csc@test.example")
    audit = factory.audit(state="open", agencies=("CSC",))
    login(client, "co@test.example")
    post(client, f"/audits/{audit.id}/reminders")
    post(client, f"/audits/{audit.id}/reminders")
    assert len(smtp.messages) == 2
    db.session.rollback()
    assert [n.state for n in db.session.scalars(select(Notification))] == ["sent", "sent"]
