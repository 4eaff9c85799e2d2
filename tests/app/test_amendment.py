"""Submitted → returned for amendment (with a reason) → draft again → submitted → accepted."""

from sqlalchemy import select

from audit_app.extensions import db
from audit_app.models import AuditEvent, Return


def test_the_amendment_cycle(app, client, factory, login, post):
    factory.user("coordinator", email="co@test.example")
    factory.user("auditor", agency=factory.agency("CSC"), email="csc@test.example")
    audit = factory.audit(state="open", agencies=("CSC",))
    ret = factory.return_for(audit, "CSC")
    ret.state = "submitted"
    db.session.commit()
    login(client, "co@test.example")
    url = f"/audits/{audit.id}/returns/{ret.id}"
    assert "Accept this return" in client.get(url).get_data(as_text=True)
    no_reason = post(client, url, {"reason": ""})
    assert "Say what needs amending" in no_reason.get_data(as_text=True)
    assert (
        post(client, url, {"reason": "Question 2.1 says no tool was used; the file shows a checklist."}).status_code
        == 302
    )
    db.session.refresh(ret)
    assert ret.state == "returned"

    auditor = app.test_client()
    login(auditor, "csc@test.example")
    page = auditor.get(f"/returns/{ret.id}").get_data(as_text=True)
    assert "Returned for amendment" in page and "the file shows a checklist" in page and "Submit return" in page

    ret.state = "submitted"  # the auditor corrected and submitted again
    db.session.commit()
    assert post(client, url, {"accept": "1"}).status_code == 302
    db.session.refresh(ret)
    assert ret.state == "accepted" and ret.amendment_reason == ""
    actions = list(
        db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_id == ret.id).order_by(AuditEvent.id))
    )
    assert actions[-2:] == ["return.returned", "return.accepted"]


def test_a_return_of_another_audit_is_not_found_and_drafts_cannot_be_accepted(client, factory, login, post):
    factory.user("coordinator", email="co@test.example")
    one, other = factory.audit(state="open"), factory.audit(state="open")
    ret = factory.return_for(other, "CSC")
    login(client, "co@test.example")
    assert client.get(f"/audits/{one.id}/returns/{ret.id}").status_code == 404
    response = post(client, f"/audits/{other.id}/returns/{ret.id}", {"accept": "1"}, follow_redirects=True)
    assert "Only a submitted return can be accepted" in response.get_data(as_text=True)
    assert db.session.scalar(select(Return.state).where(Return.id == ret.id)) == "draft"
