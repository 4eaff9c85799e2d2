"""Issue 16 item 10: the audit trail records who changed what and when, never the text anyone typed."""

import json
import re
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from audit_app.data import trail_seals
from audit_app.data.events import record_event
from audit_app.data.trail_check import verify_trail
from audit_app.extensions import db
from audit_app.models import AuditEvent
from tests.app.roles_briefings import draft_for, reload, signed_in

SLIP = "Jayden Smith born 12/03/2019, NG7 2AB"
KEY = "test-audit-trail-key-not-for-production"
BLNS = json.loads((Path(__file__).parents[1] / "data" / "blns.json").read_text("utf-8"))  # MIT, see blns.LICENSE


def _whole_database_text() -> str:
    """Every row of every table, as text: what a dump of the database would show."""
    tables = sa.inspect(db.engine).get_table_names()
    with db.engine.connect() as conn:
        return "\n".join(repr(row) for name in tables for row in conn.execute(sa.text(f'SELECT * FROM "{name}"')))


def test_reduce_payload_keeps_codes_and_numbers_and_digests_every_other_string():
    payload = {
        "state": "closed",
        "changed": ["q_reason", "Jayden"],
        "source_key": "12:child_voice",
        "question": "4857773456",
        "rows": 3,
        "active": False,
        "at": None,
        "closed_on": "2024-01-10",
        "title": "neglect",
        "section": SLIP,
        "Jayden Smith": 1,
        "nested": [{"state": "NG7 2AB"}],
    }
    reduced = trail_seals.reduce_payload(payload, KEY)
    assert reduced["state"] == "closed" and reduced["rows"] == 3 and reduced["active"] is False
    assert reduced["closed_on"] == "2024-01-10" and reduced["changed"][0] == "q_reason"
    assert reduced["source_key"] == "12:child_voice" and reduced["question"]["length"] == 10  # digits alone: no
    assert reduced["changed"][1] == {"hmac_sha256": trail_seals.keyed(KEY, ["text", "Jayden"]), "length": 6}
    assert reduced["title"]["length"] == 7  # a free-text key keeps no text, even a lower-case word
    assert reduced["section"]["length"] == len(SLIP)
    assert reduced["nested"][0]["state"]["length"] == 7
    flat = repr(reduced)
    assert "Jayden" not in flat and "NG7" not in flat and "2019" not in flat
    assert trail_seals.reduce_payload(reduced, KEY) == reduced  # cleaning twice changes nothing


def test_hostile_strings_never_reach_the_trail(factory):
    user = factory.user("coordinator", email="c@test.example")
    for text in BLNS:
        event = record_event("x.saved", "audit", 1, user=user, after={"state": text, "note": text})
        assert event.after["note"] == trail_seals.text_digest(KEY, text)
        code = re.fullmatch(r"[a-z0-9][a-z0-9_.:\-/]{0,59}", text) and re.search("[a-z]", text)
        assert event.after["state"] == (text if code else trail_seals.text_digest(KEY, text))
    db.session.commit()
    assert verify_trail().intact and verify_trail().events == len(BLNS)


def test_a_name_typed_into_a_briefing_and_removed_leaves_no_trace(app, client, factory, login, post):
    audit, briefing = draft_for(factory)
    factory.user("admin", email="admin@test.example")
    factory.user("editor", email="editor@test.example")
    login(client, "editor@test.example")
    url = f"/briefings/{briefing.id}/sections/findings"
    for texts in ([SLIP], ["Support for the family was slow to start"]):
        data = {
            "lock_version": str(reload(briefing).lock_version),
            "action": "save",
            **{f"items-{n}-text": text for n, text in enumerate(texts)},
        }
        assert post(client, url, data).status_code == 302
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "briefing.section_saved").order_by(AuditEvent.id)
    ).all()
    assert [e.after["section"] for e in events] == ["findings", "findings"]
    assert events[0].after["findings"][0] == {
        "hmac_sha256": trail_seals.keyed(KEY, ["text", SLIP]),
        "length": len(SLIP),
    }
    for fragment in ("Jayden", "NG7 2AB", "12/03/2019"):
        assert fragment not in _whole_database_text()
    admin = signed_in(app, login, "admin@test.example")
    for page in ("/admin/events", "/admin/events.csv"):
        text = admin.get(page).get_data(as_text=True)
        assert "briefing.section_saved" in text and "Jayden" not in text and "NG7" not in text
    assert f"‹text, {len(SLIP)} characters›" in admin.get("/admin/events").get_data(as_text=True)
    assert verify_trail().intact


OLD_EVENTS = [  # as 0011-0013 recorded them: a briefing's text in full, sealed with plain SHA-256
    (
        "briefing.section_saved",
        "briefing",
        {"section": "findings", "findings": []},
        {"section": "findings", "findings": [SLIP]},
    ),
    ("audit.state", "audit", {"state": "panel"}, {"state": "closed"}),
    ("settings.changed", "settings", {"series_title": "Eyes On"}, {"series_title": "Jayden's review"}),
]


def _old_style_trail(conn):
    import hashlib
    import json

    previous = ""
    conn.execute(
        sa.text(
            "INSERT INTO audit_events (at, action, object_type, object_id, prev_hash, hash) "
            "VALUES ('2026-01-01 09:00:00', 'user.login', 'user', 1, '', '')"
        )
    )  # before sealing (0011)
    for number, (action, kind, before, after) in enumerate(OLD_EVENTS):
        at = f"2026-01-0{number + 2} 09:00:00"
        content = json.dumps(
            [previous, f"2026-01-0{number + 2}T09:00:00+00:00", None, action, kind, 1, before, after],
            sort_keys=True,
            ensure_ascii=False,
            separators=(",", ":"),
        )
        sealed = hashlib.sha256(content.encode()).hexdigest()
        conn.execute(
            sa.text(
                "INSERT INTO audit_events (at, action, object_type, object_id, before, after, "
                "prev_hash, hash) VALUES (:at, :action, :kind, 1, :before, :after, :prev, :hash)"
            ),
            {
                "at": at,
                "action": action,
                "kind": kind,
                "before": json.dumps(before),
                "after": json.dumps(after),
                "prev": previous,
                "hash": sealed,
            },
        )
        previous = sealed
    return previous


def test_migration_0015_cleans_and_re_seals_an_old_trail(migrating_app):  # noqa: F811
    with migrating_app.app_context():
        upgrade(revision="0013")
        with db.engine.begin() as conn:
            old_last = _old_style_trail(conn)
        upgrade(revision="0015")
        assert "Jayden" not in _whole_database_text() and "Eyes On" not in _whole_database_text()
        check = verify_trail()
        assert check.intact and check.events == 5
        assert any(
            "The first 4 events were re-sealed with the key" in line
            and "chain held" in line
            and "removed from 2 of them" in line
            for line in check.findings()
        )
        rows = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)).all()
        assert rows[2].after == {"state": "closed"}  # codes stay: retention still finds when an audit closed
        assert rows[1].after["findings"][0]["length"] == len(SLIP)
        closing = rows[-1]
        assert closing.action == "trail.resealed" and closing.after["cleaned"] == 2
        assert closing.after["previous_chain"] == {
            "intact": True,
            "broken_at": None,
            "unsealed": 1,
            "last_hash": old_last,
        }
        with db.engine.begin() as conn:  # still append-only
            try:
                conn.execute(sa.text("DELETE FROM audit_events"))
            except sa.exc.DatabaseError as error:
                assert "append-only" in str(error)
            else:
                raise AssertionError("the trail could be deleted after migration 0015")
        db.session.remove()
        downgrade(revision="0013")
        upgrade()
        assert verify_trail().intact


def test_migration_0015_records_an_old_chain_that_was_already_broken(migrating_app):  # noqa: F811
    with migrating_app.app_context():
        upgrade(revision="0013")
        with db.engine.begin() as conn:
            _old_style_trail(conn)
            for statement in (
                "DROP TRIGGER IF EXISTS audit_events_no_update",
                "ALTER TABLE audit_events DISABLE TRIGGER USER",
            ):
                if (db.engine.dialect.name == "sqlite") == statement.startswith("DROP"):
                    conn.execute(sa.text(statement))
            conn.execute(sa.text("UPDATE audit_events SET object_id = 2 WHERE action = 'audit.state'"))
            if db.engine.dialect.name == "postgresql":
                conn.execute(sa.text("ALTER TABLE audit_events ENABLE TRIGGER USER"))
        upgrade(revision="0015")
        closing = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        broken = db.session.scalar(sa.select(AuditEvent.id).where(AuditEvent.action == "audit.state"))
        assert closing.after["previous_chain"]["intact"] is False
        assert closing.after["previous_chain"]["broken_at"] == broken
