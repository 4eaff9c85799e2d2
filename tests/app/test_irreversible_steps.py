"""Steps that cannot be undone are guarded: moving on with nothing counted is refused, and revealing
returns, publishing a tool version and publishing a briefing each say first what becomes permanent."""

import pytest
from sqlalchemy import select

from audit_app.extensions import db
from audit_app.models import Audit, Case, Return


@pytest.fixture
def open_audit(client, factory, login):
    factory.user("coordinator", email="co@test.example")
    audit = factory.audit(state="open", cases=2)
    login(client, "co@test.example")
    return audit


def test_moving_on_with_no_counted_return_is_refused(client, post, open_audit):
    page = client.get(f"/audits/{open_audit.id}/advance").get_data(as_text=True)
    assert "No return has been submitted yet, so there is nothing to count" in page
    assert post(client, f"/audits/{open_audit.id}/advance").status_code == 200
    assert db.session.get(Audit, open_audit.id).state == "open"


def test_revealing_says_how_many_returns_are_unsubmitted_and_whose(client, post, open_audit):
    first = db.session.scalars(select(Return).join(Case).where(Case.audit_id == open_audit.id)).first()
    first.state = "submitted"
    db.session.commit()
    page = client.get(f"/audits/{open_audit.id}/advance").get_data(as_text=True)
    assert "Close returns and reveal them to the panel" in page
    assert "returns are not submitted (" in page and "CSC service" in page and "EH service" in page
    assert post(client, f"/audits/{open_audit.id}/advance").status_code == 302
    db.session.expire_all()
    assert db.session.get(Audit, open_audit.id).state == "panel"
