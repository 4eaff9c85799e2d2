"""Naming auditors per agency: only they see the agency's returns on that audit, and only they are reminded."""

import pytest
from sqlalchemy import select

from audit_app.extensions import db
from audit_app.models import Assignment


@pytest.fixture
def team(client, factory, login):
    csc = factory.agency("CSC")
    factory.agency("EH")
    factory.user("coordinator", email="co@test.example")
    named = factory.user("auditor", agency=csc, email="named@test.example")
    other = factory.user("auditor", agency=csc, email="other@test.example")
    eh = factory.user("auditor", agency=factory.agency("EH"), email="eh@test.example")
    audit = factory.audit(state="open", agencies=("CSC", "EH"))
    return audit, csc, named, other, eh


def name_auditor(client, login, post, audit, agency, user):
    login(client, "co@test.example")
    response = post(client, f"/audits/{audit.id}/auditors", {f"agency_{agency.id}": [str(user.id)]})
    return response


def test_only_named_auditors_see_their_agencys_returns(app, client, login, post, team, factory):
    audit, csc, named, other, _eh = team
    assert name_auditor(client, login, post, audit, csc, named).status_code == 302
    ret = factory.return_for(audit, "CSC")
    for email, expected in (("named@test.example", 200), ("other@test.example", 404)):
        c = app.test_client()
        login(c, email)
        assert c.get(f"/returns/{ret.id}").status_code == expected, email
        assert ("Case T-01" in c.get("/returns/").get_data(as_text=True)) == (expected == 200), email


def test_without_anyone_named_every_auditor_of_the_agency_may_work(app, login, team, factory):
    audit, _csc, _named, _other, _eh = team
    ret = factory.return_for(audit, "CSC")
    for email in ("named@test.example", "other@test.example"):
        c = app.test_client()
        login(c, email)
        assert c.get(f"/returns/{ret.id}").status_code == 200


def test_an_auditor_of_another_agency_cannot_be_named(client, login, post, team):
    audit, csc, _named, _other, eh = team
    name_auditor(client, login, post, audit, csc, eh)
    assert db.session.scalars(select(Assignment)).all() == []


def test_reminders_go_to_the_named_auditor_only(client, login, post, team, factory, app):
    from audit_app.data.reminders import reminder_messages

    audit, csc, named, _other, _eh = team
    name_auditor(client, login, post, audit, csc, named)
    with app.test_request_context():
        recipients = sorted(m["To"] for m in reminder_messages(audit, "https://example.org/returns/"))
    assert recipients == ["eh@test.example", "named@test.example"]
