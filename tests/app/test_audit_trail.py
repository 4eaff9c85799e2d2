"""The audit trail is append-only in the database itself and sealed as a keyed hash chain (ASVS 5.0 V16)."""

import hashlib
import json

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DatabaseError

from audit_app.data import trail_seals
from audit_app.data.events import record_event
from audit_app.data.trail_check import make_checkpoint, parse_checkpoint, verify_trail
from audit_app.extensions import db
from audit_app.models import AuditEvent
from tests.app.conftest import trail_writable


def _three_events(factory):
    user = factory.user("coordinator", email="c@test.example")
    for number in range(3):
        record_event("audit.changed", "audit", number, user=user, before={"state": "open"}, after={"n": number})
    db.session.commit()
    return db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)).all()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET action = 'nothing happened'",
        "DELETE FROM audit_events",
        "UPDATE audit_events SET after = NULL, hash = ''",  # more than a purge
        "UPDATE audit_events SET after = '{\"n\": 9}'",
    ],
)
def test_v16_4_2_the_database_refuses_to_change_or_delete_an_event(factory, statement):
    _three_events(factory)
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(sa.text(statement))
        db.session.flush()
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 3


def test_v16_4_2_each_event_seals_the_one_before(factory, app):
    events = _three_events(factory)
    assert events[0].prev_hash == trail_seals.genesis(app.config["AUDIT_TRAIL_KEY"])
    assert all(len(e.hash) == 64 for e in events)
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    check = verify_trail()
    assert check.intact and check.events == 3


def test_v16_4_2_tampering_with_an_event_is_found_where_it_happened(factory):
    events = _three_events(factory)
    with trail_writable():  # someone with direct database access switched the triggers off
        db.session.execute(
            sa.text("UPDATE audit_events SET after = :after WHERE id = :id"), {"after": '{"n": 99}', "id": events[1].id}
        )
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


def test_events_recorded_in_one_transaction_chain_in_order(factory, app):
    user = factory.user("coordinator", email="c@test.example")
    first = record_event("a", "audit", 1, user=user)
    second = record_event("b", "audit", 1, user=user)
    assert second.prev_hash == first.hash
    db.session.rollback()  # nothing kept: the next event chains from what is committed
    third = record_event("c", "audit", 1, user=user)
    assert third.prev_hash == trail_seals.genesis(app.config["AUDIT_TRAIL_KEY"])


def test_v16_3_admins_filter_and_export_the_trail_and_the_export_is_itself_recorded(client, factory, login):
    admin = factory.user("admin", email="a@test.example")
    login(client, "a@test.example")  # records user.login
    record_event("return.saved", "return", 7, user=admin, after={"changed": ["=HYPERLINK(1)"]})
    db.session.commit()
    page = client.get("/admin/events?action=return.").get_data(as_text=True)
    assert "return.saved" in page and "user.login" not in page.split("<tbody")[1]
    checked = client.get("/admin/events?verify=1").get_data(as_text=True)
    assert "no tampering found" in checked and "Every seal and link holds" in checked
    assert "No checkpoint given: deletion of the newest events cannot be ruled out." in checked
    csv_text = client.get("/admin/events.csv?action=return.").get_data(as_text=True)
    assert "return.saved" in csv_text and "user.login" not in csv_text
    assert db.session.scalar(sa.select(AuditEvent.action).order_by(AuditEvent.id.desc()).limit(1)) == "events.exported"


def test_auditors_cannot_read_the_trail(client, factory, login):
    factory.user("auditor", agency=factory.agency("CSC"), email="x@test.example")
    login(client, "x@test.example")
    assert client.get("/admin/events").status_code == 403 and client.get("/admin/events.csv").status_code == 403


# ---------------------------------------------------------------- issue 16 item 9: what the seals missed


def _delete(*ids):
    with trail_writable():
        db.session.execute(sa.delete(AuditEvent).where(AuditEvent.id.in_(ids)))
    db.session.commit()
    db.session.expire_all()


def test_deleting_the_newest_event_is_found_against_the_checkpoint(factory):
    events = _three_events(factory)
    checkpoint = make_checkpoint()
    _delete(events[-1].id)
    without = verify_trail()
    assert without.intact  # the seals alone cannot tell: the check says so plainly
    assert "No checkpoint given: deletion of the newest events cannot be ruled out." in without.findings()
    check = verify_trail(checkpoint)
    assert not check.intact and "counted 3 events, but only 2 are here" in check.checkpoint_problem
    assert "the newest events have been removed" in " ".join(check.findings())


def test_deleting_everything_and_starting_again_is_found_against_the_checkpoint(factory):
    events = _three_events(factory)
    checkpoint = make_checkpoint()
    _delete(*(e.id for e in events))
    for number in range(4):  # a fresh chain, longer than the old one, from the same genesis
        record_event("audit.changed", "audit", number)
    db.session.commit()
    assert verify_trail().intact
    check = verify_trail(checkpoint)
    assert not check.intact and "is not the one the checkpoint" in check.checkpoint_problem


def test_events_added_after_the_checkpoint_keep_it_valid(factory):
    _three_events(factory)
    checkpoint = parse_checkpoint("INFO Audit trail checkpoint: " + make_checkpoint().to_json())
    record_event("audit.changed", "audit", 9)
    db.session.commit()
    check = verify_trail(checkpoint)
    assert check.intact and check.events == 4
    assert "counted 3 events; they are all still here" in " ".join(check.findings())


def test_a_checkpoint_edited_to_match_a_shorter_trail_is_refused(factory):
    events = _three_events(factory)
    data = json.loads(make_checkpoint().to_json())
    _delete(events[-1].id)
    data.update(events=2, last_id=events[1].id, last_seal=events[1].hash)
    check = verify_trail(parse_checkpoint(json.dumps(data)))
    assert not check.intact and "not made with this installation's key" in check.checkpoint_problem


def test_deleting_the_oldest_event_is_found(factory):
    events = _three_events(factory)
    _delete(events[0].id)
    check = verify_trail()
    assert not check.intact and check.broken_at == events[1].id
    assert "first event does not follow where sealing began" in check.problem


def test_blanking_the_first_events_seals_is_found(factory):
    """Under the old scheme blank seals read as "recorded before sealing began"; now every event is sealed."""
    events = _three_events(factory)
    with trail_writable():
        db.session.execute(
            sa.update(AuditEvent).where(AuditEvent.id.in_([events[0].id, events[1].id])).values(hash="", prev_hash="")
        )
        db.session.execute(sa.update(AuditEvent).where(AuditEvent.id == events[2].id).values(prev_hash=""))
    db.session.commit()
    db.session.expire_all()
    check = verify_trail()
    assert not check.intact and check.broken_at == events[0].id and "has no seal" in check.problem


def _plain_sha256(prev_hash: str, row: AuditEvent) -> str:
    content = json.dumps(
        [prev_hash, row.at.isoformat(), row.user_id, row.action, row.object_type, row.object_id, row.before, row.after],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(content.encode()).hexdigest()


def _hmac_with(key: str):
    def reseal(prev_hash: str, row: AuditEvent) -> str:
        return trail_seals.seal(
            key,
            prev_hash,
            row.at,
            row.user_id,
            row.action,
            row.object_type,
            row.object_id,
            trail_seals.payload_digest(key, row.before, row.after),
        )

    return reseal


@pytest.mark.parametrize(
    "reseal, start",
    [(_plain_sha256, ""), (_hmac_with("guessed-key"), None)],
    ids=["plain-sha256", "hmac-with-a-guessed-key"],
)
def test_re_sealing_the_chain_after_a_change_without_the_key_is_found(factory, reseal, start):
    events = _three_events(factory)
    with trail_writable():  # change an event, then seal the whole chain again as the attacker can
        db.session.execute(sa.update(AuditEvent).where(AuditEvent.id == events[1].id).values(after={"n": 99}))
        db.session.commit()
        db.session.expire_all()
        previous = start if start is not None else trail_seals.genesis("guessed-key")
        for row in db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)):
            digest = trail_seals.payload_digest("guessed-key", row.before, row.after)
            sealed = reseal(previous, row)
            db.session.execute(
                sa.update(AuditEvent)
                .where(AuditEvent.id == row.id)
                .values(prev_hash=previous, hash=sealed, payload_digest=digest)
            )
            previous = sealed
    db.session.commit()
    db.session.expire_all()
    check = verify_trail()
    assert not check.intact and check.broken_at == events[0].id


def test_the_admin_page_checks_against_a_pasted_checkpoint(client, factory, login):
    factory.user("admin", email="a@test.example")
    login(client, "a@test.example")
    events = _three_events(factory)
    checkpoint = make_checkpoint().to_json()
    page = client.get("/admin/events", query_string={"verify": "1", "checkpoint": checkpoint}).get_data(as_text=True)
    assert "no tampering found" in page and "they are all still here" in page
    assert "audit-trail-checkpoint" in page.split('id="seal-check"')[1]  # a fresh one to keep
    _delete(events[-1].id)
    page = client.get("/admin/events", query_string={"verify": "1", "checkpoint": checkpoint}).get_data(as_text=True)
    assert "The audit trail has been tampered with" in page and "the newest events have been removed" in page
    garbled = client.get("/admin/events", query_string={"verify": "1", "checkpoint": "not a checkpoint"})
    assert garbled.status_code == 200 and "That is not an audit trail checkpoint" in garbled.get_data(as_text=True)


def test_flask_trail_commands_write_a_checkpoint_and_verify_against_it(app, runner, factory, tmp_path):
    events = _three_events(factory)
    saved = tmp_path / "trail.checkpoint"
    made = runner.invoke(args=["trail", "checkpoint", "--out", str(saved)])
    assert made.exit_code == 0 and (saved.stat().st_mode & 0o777) == 0o600
    assert parse_checkpoint(saved.read_text()).events == 3
    result = runner.invoke(args=["trail", "verify", "--checkpoint", str(saved)])
    assert result.exit_code == 0 and "No tampering found." in result.output
    _delete(events[-1].id)
    result = runner.invoke(args=["trail", "verify"])
    assert result.exit_code == 0 and "No checkpoint given" in result.output
    result = runner.invoke(args=["trail", "verify", "--checkpoint", str(saved)])
    assert result.exit_code == 1 and "TAMPERED" in result.output and "newest events have been removed" in result.output


# ---------------------------------------------------------------- a payload may be purged, and only on the record


def test_a_recorded_purge_removes_what_events_said_and_the_seals_still_hold(runner, factory):
    events = _three_events(factory)
    checkpoint = make_checkpoint()
    result = runner.invoke(args=["trail", "purge", str(events[0].id), str(events[2].id), "999999", "--yes"])
    assert result.exit_code == 0 and f"Purged 2 events: {events[0].id}, {events[2].id}." in result.output
    assert "Not found" in result.output and "999999" in result.output
    db.session.expire_all()
    rows = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)).all()
    assert rows[0].before is None and rows[0].after is None and rows[1].after == {"n": 1}
    assert rows[-1].action == "trail.purged" and rows[-1].after == {"events": [events[0].id, events[2].id]}
    check = verify_trail(checkpoint)
    assert check.intact and "2 events had what they said removed by a recorded purge" in " ".join(check.findings())


def test_a_payload_blanked_without_a_recorded_purge_is_found(factory):
    events = _three_events(factory)
    db.session.execute(
        sa.text("UPDATE audit_events SET before = NULL, after = NULL WHERE id = :id"), {"id": events[1].id}
    )  # the triggers let a bare blanking through: the check catches it
    db.session.commit()
    db.session.expire_all()
    check = verify_trail()
    assert not check.intact and check.broken_at == events[1].id and "no purge records it" in check.problem
