"""The audit trail is append-only in the database itself and sealed as a hash chain (ASVS 5.0 V16)."""

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DatabaseError

from audit_app.data.events import record_event, verify_trail
from audit_app.extensions import db
from audit_app.models import AuditEvent
from tests.app.conftest import trail_writable


def _three_events(factory):
    user = factory.user("coordinator", email="c@test.example")
    for number in range(3):
        record_event("audit.changed", "audit", number, user=user, before={"state": "open"}, after={"n": number})
    db.session.commit()
    return db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)).all()


@pytest.mark.parametrize("statement", ["UPDATE audit_events SET action = 'nothing happened'",
                                       "DELETE FROM audit_events"])
def test_v16_4_2_the_database_refuses_to_change_or_delete_an_event(factory, statement):
    _three_events(factory)
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(sa.text(statement))
        db.session.flush()
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 3


def test_v16_4_2_each_event_seals_the_one_before(factory):
    events = _three_events(factory)
    assert events[0].prev_hash == "" and all(len(e.hash) == 64 for e in events)
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    check = verify_trail()
    assert check.intact and check.events == check.sealed == 3


def test_v16_4_2_tampering_with_an_event_is_found_where_it_happened(factory):
    events = _three_events(factory)
    with trail_writable():  # someone with direct database access switched the triggers off
        db.session.execute(sa.text("UPDATE audit_events SET after = :after WHERE id = :id"),
                           {"after": '{"n": 99}', "id": events[1].id})
    db.session.commit()
    db.session.expire_all()
    check = verify_trail()
    assert not check.intact and check.broken_at == events[1].id and "does not match its seal" in check.problem


def test_v16_4_2_removing_an_event_breaks_the_chain(factory):
    events = _three_events(factory)
    with trail_writable():
        db.session.execute(sa.text("DELETE FROM audit_events WHERE id = :id"), {"id": events[1].id})
    db.session.commit()
    check = verify_trail()
    assert check.broken_at == events[2].id and "does not follow" in check.problem


def test_events_recorded_in_one_transaction_chain_in_order(factory):
    user = factory.user("coordinator", email="c@test.example")
    first = record_event("a", "audit", 1, user=user)
    second = record_event("b", "audit", 1, user=user)
    assert second.prev_hash == first.hash
    db.session.rollback()  # nothing kept: the next event chains from what is committed
    third = record_event("c", "audit", 1, user=user)
    assert third.prev_hash == ""


def test_v16_3_admins_filter_and_export_the_trail_and_the_export_is_itself_recorded(client, factory, login):
    admin = factory.user("admin", email="a@test.example")
    login(client, "a@test.example")  # records user.login
    record_event("return.saved", "return", 7, user=admin, after={"changed": ["=HYPERLINK(1)"]})
    db.session.commit()
    page = client.get("/admin/events?action=return.").get_data(as_text=True)
    assert "return.saved" in page and "user.login" not in page.split("<tbody")[1]
    checked = client.get("/admin/events?verify=1").get_data(as_text=True)
    assert "No event has been changed or removed" in checked
    csv_text = client.get("/admin/events.csv?action=return.").get_data(as_text=True)
    assert "return.saved" in csv_text and "user.login" not in csv_text
    assert db.session.scalar(sa.select(AuditEvent.action).order_by(AuditEvent.id.desc()).limit(1)) == "events.exported"


def test_auditors_cannot_read_the_trail(client, factory, login):
    factory.user("auditor", agency=factory.agency("CSC"), email="x@test.example")
    login(client, "x@test.example")
    assert client.get("/admin/events").status_code == 403 and client.get("/admin/events.csv").status_code == 403
