"""The notification ledger and `flask notify run`: each message reaches the right people once, with a
frozen clock and a real SMTP server; with no MAIL_SERVER it is kept in the admin's outbox."""

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from audit_app.data import accounts
from audit_app.data.notices import run_reminders
from audit_app.data.notifications import send_once
from audit_app.extensions import db
from audit_app.models import Agency, Notification, Recommendation
from tests.app.notify_helpers import at, body_of, notify, recipients

DUE = date(2026, 3, 20)  # a Friday


@pytest.fixture
def overdue_setup(factory):
    coordinator = factory.user("coordinator", email="co@test.example")
    factory.user("auditor", agency=factory.agency("CSC"), email="csc@test.example")
    factory.user("auditor", agency=factory.agency("EH"), email="eh@test.example")
    audit = factory.audit(state="open", agencies=("CSC", "EH"))
    for case in audit.cases:
        next(r for r in case.returns if r.agency.short_name == "EH").state = "submitted"
    audit.returns_due = DUE
    db.session.commit()
    return audit, coordinator


def test_staged_reminders_reach_the_auditors_who_owe_once_each(runner, overdue_setup, smtp):
    notify(runner, DUE - timedelta(days=8))
    assert smtp.messages == []
    notify(runner, DUE - timedelta(days=7))  # a week before
    assert recipients(smtp) == ["csc@test.example"]
    body = body_of(smtp.messages[0][1])
    assert "case T-01" in body and "case T-02" in body and "/returns/" in body
    notify(runner, DUE - timedelta(days=6))  # the same stage: nothing new
    notify(runner, DUE - timedelta(days=6))
    assert len(smtp.messages) == 1
    notify(runner, DUE - timedelta(days=1))  # the day before
    assert len(smtp.messages) == 2 and "due by 20 March 2026" in smtp.messages[1][1]["Subject"]
    for day in range(1, 8):  # overdue: once in the first week
        notify(runner, DUE + timedelta(days=day))
    assert len(smtp.messages) == 3 and "overdue" in smtp.messages[2][1]["Subject"]
    notify(runner, DUE + timedelta(days=8))  # and again a week later
    assert len(smtp.messages) == 4
    assert recipients(smtp) == ["csc@test.example"] * 4


def test_after_the_set_number_of_days_overdue_the_agency_lead_is_told(runner, overdue_setup, smtp):
    notify(runner, DUE + timedelta(days=13))
    assert recipients(smtp) == ["csc@test.example"]
    notify(runner, DUE + timedelta(days=14))
    escalations = [m for rcpt, m in smtp.messages if "CSC service" in m["Subject"]]
    # The agency has no lead's address of its own, so its coordinators are told.
    assert len(escalations) == 1 and escalations[0]["To"] == "co@test.example"
    assert "14 days after they were due" in body_of(escalations[0])
    notify(runner, DUE + timedelta(days=15))
    assert len([m for _r, m in smtp.messages if "CSC service" in m["Subject"]]) == 1


def test_a_second_run_straight_after_sends_nothing(runner, overdue_setup, smtp):
    first = notify(runner, DUE + timedelta(days=20))
    count = len(smtp.messages)
    assert count >= 2 and "return-due" in first.output
    second = notify(runner, DUE + timedelta(days=20))
    assert "Nothing due." in second.output
    assert len(smtp.messages) == count
    assert db.session.scalar(sa.select(sa.func.count(Notification.id))) == count
    assert set(db.session.scalars(sa.select(Notification.state))) == {"sent"}


def test_submitted_returns_are_gathered_into_one_message_per_coordinator(runner, factory, smtp):
    factory.user("coordinator", email="co1@test.example")
    factory.user("coordinator", email="co2@test.example")
    audit = factory.audit(state="open", cases=3, agencies=("CSC",))
    with time_machine.travel(at(DUE), tick=False):
        for case in audit.cases:
            case.returns[0].state, case.returns[0].submitted_at = "submitted", datetime.now(UTC)
        db.session.commit()
    notify(runner, DUE + timedelta(days=1))
    assert recipients(smtp) == ["co1@test.example", "co2@test.example"]
    body = body_of(smtp.messages[0][1])
    assert "3 returns submitted" in body and "case T-01" in body and "case T-03" in body
    notify(runner, DUE + timedelta(days=1))
    assert len(smtp.messages) == 2
    ret = audit.cases[0].returns[0]
    with time_machine.travel(at(DUE + timedelta(days=2)), tick=False):
        ret.submitted_at = datetime.now(UTC)  # submitted again after amendment
        db.session.commit()
    notify(runner, DUE + timedelta(days=3))
    assert len(smtp.messages) == 4
    assert "1 return submitted" in body_of(smtp.messages[3][1])


def test_actions_due_soon_and_overdue_go_to_their_lead_once(runner, factory, smtp):
    factory.user("coordinator", email="co@test.example")
    audit = factory.audit(state="published", agencies=("CSC",))
    agency = db.session.scalar(sa.select(Agency).where(Agency.short_name == "CSC"))
    db.session.add(
        Recommendation(
            audit_id=audit.id,
            text="A typed action that must not be e-mailed",
            lead_agency_id=agency.id,
            due_date=DUE,
            rag="amber",
        )
    )
    db.session.commit()
    notify(runner, DUE - timedelta(days=10))
    assert smtp.messages == []
    notify(runner, DUE - timedelta(days=5))
    notify(runner, DUE - timedelta(days=4))
    notify(runner, DUE + timedelta(days=1))
    notify(runner, DUE + timedelta(days=2))
    subjects = [m["Subject"] for _r, m in smtp.messages]
    assert subjects == ["Action due soon: due 20 March 2026", "Action overdue: due 20 March 2026"]
    assert recipients(smtp) == ["co@test.example"] * 2
    assert all("typed action" not in body_of(m) for _r, m in smtp.messages)


def test_a_return_sent_back_tells_its_auditor_with_the_reason_once(app, client, factory, login, post, smtp):
    factory.user("coordinator", email="co@test.example")
    auditor = factory.user("auditor", agency=factory.agency("CSC"), email="csc@test.example")
    factory.user("auditor", agency=factory.agency("CSC"), email="other@test.example")
    audit = factory.audit(state="open", agencies=("CSC",))
    ret = factory.return_for(audit, "CSC")
    ret.state, ret.auditor_id = "submitted", auditor.id
    db.session.commit()
    login(client, "co@test.example")
    response = post(client, f"/audits/{audit.id}/returns/{ret.id}", {"reason": "Add the dates"})
    assert response.status_code in (200, 302), response.get_data(as_text=True)
    [(rcpt, message)] = smtp.messages
    assert rcpt == ["csc@test.example"]
    assert "Add the dates" in body_of(message) and "T-01" in message["Subject"]
    factory.user("admin", email="admin@test.example")
    admin = app.test_client()
    login(admin, "admin@test.example")
    page = admin.get("/admin/outbox").get_data(as_text=True)
    assert "csc@test.example" in page and "Add the dates" not in page  # the reason is for the auditor only


def test_send_once_records_a_key_once(ctx, factory):
    assert send_once("test:1", "a@test.example", "Hello", "Body", kind="test") is True
    assert send_once("test:1", "a@test.example", "Hello", "Body", kind="test") is False
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(Notification.id))) == 1


def test_without_mail_server_messages_are_kept_and_shown_to_the_admin(client, factory, login, post, runner):
    factory.user("admin", email="admin@test.example")
    invited = factory.user("viewer", email="new@test.example")
    accounts.invite(invited, None)
    db.session.commit()
    login(client, "admin@test.example")
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert "new@test.example" in page and "Kept in the outbox" in page and "UK time" in page
    assert "You are invited" in page
    response = post(client, f"/admin/users/{invited.id}/invitation", follow_redirects=True)
    assert "A new invitation link for" in response.get_data(as_text=True)
    db.session.rollback()
    kept = list(db.session.scalars(sa.select(Notification).where(Notification.kind == "invitation")))
    assert len(kept) == 2 and {n.state for n in kept} == {"kept"}


def test_an_invitation_is_emailed_with_its_link(client, factory, login, post, smtp):
    factory.user("admin", email="admin@test.example")
    agency = factory.agency("CSC")
    db.session.commit()
    login(client, "admin@test.example")
    response = post(
        client,
        "/admin/users",
        {"email": "new@test.example", "display_name": "New Person", "roles": ["viewer"], "agency": str(agency.id)},
    )
    assert response.status_code == 200
    [(rcpt, message)] = smtp.messages
    assert rcpt == ["new@test.example"] and "/invitation/" in body_of(message)


def test_two_runs_at_once_send_each_message_once(app, overdue_setup, smtp):
    """Two servers running `flask notify run` at the same moment: the lock makes them take turns."""
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def one_run() -> None:
        try:
            with app.app_context():
                barrier.wait(timeout=10)
                run_reminders(today=DUE + timedelta(days=20), now=at(DUE + timedelta(days=20)))
                db.session.commit()
        except BaseException as error:  # noqa: BLE001  (reported below)
            errors.append(error)

    threads = [threading.Thread(target=one_run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert recipients(smtp) == ["co@test.example", "csc@test.example"]
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Notification.id))) == 2


def test_a_briefing_waiting_and_then_approved_tells_the_editors_once(app, factory, login, post, runner, smtp):
    from tests.app.roles_briefings import draft_for, reload, signed_in

    _audit, briefing = draft_for(factory, "author@test.example")
    factory.user("editor", email="editor2@test.example")
    factory.user("coordinator", email="approver@test.example")
    notify(runner, DUE)
    notify(runner, DUE)
    assert [(rcpt, m["Subject"].split(":")[0]) for rcpt, m in smtp.messages] == [
        (["editor2@test.example"], "Briefing waiting for approval")
    ]
    approver = signed_in(app, login, "approver@test.example")
    post(approver, f"/briefings/{briefing.id}/approve", {"lock_version": str(reload(briefing).lock_version)})
    assert reload(briefing).state == "approved"
    approved = sorted(rcpt[0] for rcpt, m in smtp.messages if m["Subject"].startswith("Briefing approved"))
    assert approved == ["author@test.example", "editor2@test.example"]


def test_a_message_the_mail_server_did_not_take_is_sent_by_the_next_run(app, ctx, runner, smtp):
    port = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = 1  # nothing listens there
    send_once("test:retry", "a@test.example", "Hello", "Body", kind="test")
    db.session.commit()
    assert db.session.scalar(sa.select(Notification.state)) == "failed"
    app.config["MAIL_PORT"] = port
    assert "retried: 1 message" in notify(runner, DUE).output
    assert recipients(smtp) == ["a@test.example"]
    assert db.session.scalar(sa.select(Notification.state)) == "sent"
    assert "Nothing due." in notify(runner, DUE).output
