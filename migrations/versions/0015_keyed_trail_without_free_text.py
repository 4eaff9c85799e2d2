"""The audit trail sealed with a key held outside the database, and cleaned of typed free text.

First the old chain (plain SHA-256, migration 0011) is checked as it stands. Then every event's
payload is reduced to the allow-listed shape (free text becomes a keyed digest and a length),
and the whole trail is re-sealed with HMAC-SHA256 under AUDIT_TRAIL_KEY from the genesis value.
A closing ``trail.resealed`` event records how many events there were, how many were cleaned,
and what the old chain's check found with its last hash, so the change is itself on the record.

The append-only triggers now let one change through: a payload blanked (``flask trail purge``)
with every other column as it was; the seal covers the payload's digest, so it still holds.

Downgrading re-seals with the old plain SHA-256; the free text removed is not brought back.

Revision ID: 0015
Revises: 0014
"""
import hashlib
import json
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op
from flask import current_app

from audit_app.data import trail_seals

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

BATCH = 1_000
REFUSE = "audit_events is append-only: its rows are never changed or deleted"
# From 0015 one change is let through: blanking a payload (before and after to NULL) with every other
# column as it was. The seal covers the payload's digest, so it still holds; verification requires
# a sealed trail.purged event naming each blanked event, which only the key holder can add.
SAME = ("id", "at", "user_id", "action", "object_type", "object_id", "prev_hash", "hash", "payload_digest")
PURGE_ONLY = "NEW.before IS NULL AND NEW.after IS NULL AND " + " AND ".join(f"NEW.{c} IS OLD.{c}" for c in SAME)
PG_SAME = f"({', '.join('NEW.' + c for c in SAME)}) IS NOT DISTINCT FROM ({', '.join('OLD.' + c for c in SAME)})"
PURGEABLE = {
    "sqlite": (
        [f"CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events WHEN NOT ({PURGE_ONLY}) "
         f"BEGIN SELECT RAISE(ABORT, '{REFUSE}'); END",
         f"CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events BEGIN SELECT RAISE(ABORT, '{REFUSE}'); END"],
        ["DROP TRIGGER IF EXISTS audit_events_no_update", "DROP TRIGGER IF EXISTS audit_events_no_delete"],
    ),
    "postgresql": (
        [f"CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
         f"IF TG_OP = 'UPDATE' AND NEW.before IS NULL AND NEW.after IS NULL AND {PG_SAME} THEN RETURN NEW; END IF; "
         f"RAISE EXCEPTION '{REFUSE}'; END $$",
         "CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events "
         "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()",
         "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
         "FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()"],
        ["DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events",
         "DROP TRIGGER IF EXISTS audit_events_no_change ON audit_events",
         "DROP FUNCTION IF EXISTS audit_events_append_only()"],
    ),
}
# As in migration 0011: dialect → (statements that make the trail append-only, statements that undo them)
APPEND_ONLY = {
    "sqlite": (
        [f"CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events BEGIN SELECT RAISE(ABORT, '{REFUSE}'); END",
         f"CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events BEGIN SELECT RAISE(ABORT, '{REFUSE}'); END"],
        ["DROP TRIGGER IF EXISTS audit_events_no_update", "DROP TRIGGER IF EXISTS audit_events_no_delete"],
    ),
    "postgresql": (
        [f"CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS "
         f"$$ BEGIN RAISE EXCEPTION '{REFUSE}'; END $$",
         "CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events "
         "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()",
         "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
         "FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()"],
        ["DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events",
         "DROP TRIGGER IF EXISTS audit_events_no_change ON audit_events",
         "DROP FUNCTION IF EXISTS audit_events_append_only()"],
    ),
}
events = sa.table(
    "audit_events", sa.column("id", sa.Integer), sa.column("at", sa.DateTime(timezone=True)),
    sa.column("user_id", sa.Integer), sa.column("action", sa.String), sa.column("object_type", sa.String),
    sa.column("object_id", sa.Integer), sa.column("before", sa.JSON), sa.column("after", sa.JSON),
    sa.column("prev_hash", sa.String), sa.column("hash", sa.String), sa.column("payload_digest", sa.String),
)


def upgrade():
    with op.batch_alter_table("audit_events") as batch:
        batch.add_column(sa.Column("payload_digest", sa.String(length=64), nullable=False, server_default=""))
    _triggers(on=False)
    key = _key()
    old = _old_chain_check()
    last, cleaned, count = trail_seals.genesis(key), 0, 0
    for row in _rows():
        before, after = trail_seals.reduce_payload(row.before, key), trail_seals.reduce_payload(row.after, key)
        cleaned += (before, after) != (row.before, row.after)
        last = _write_sealed(key, row, before, after, last)
        count += 1
    if count:
        closing = {"events": count, "cleaned": cleaned, "previous_chain": old}
        _insert_sealed(key, "trail.resealed", trail_seals.reduce_payload(closing, key), last)
    _triggers(on=True, kind=PURGEABLE)


def downgrade():
    _triggers(on=False, kind=PURGEABLE)
    last = ""
    for row in _rows():
        at = _utc(row.at)
        content = json.dumps([last, at.isoformat(), row.user_id, row.action, row.object_type, row.object_id,
                              row.before, row.after], sort_keys=True, ensure_ascii=False,
                             separators=(",", ":"), default=str)
        sealed = hashlib.sha256(content.encode("utf-8")).hexdigest()
        op.get_bind().execute(events.update().where(events.c.id == row.id).values(prev_hash=last, hash=sealed))
        last = sealed
    with op.batch_alter_table("audit_events") as batch:
        batch.drop_column("payload_digest")
    _triggers(on=True)


def _key() -> str:
    key = current_app.config.get("AUDIT_TRAIL_KEY")
    if not key:
        raise RuntimeError("Set AUDIT_TRAIL_KEY before upgrading: migration 0015 re-seals the audit trail with it.")
    return key


def _triggers(*, on: bool, kind: dict = APPEND_ONLY) -> None:
    for statement in kind[op.get_bind().dialect.name][0 if on else 1]:
        op.execute(statement)


def _rows():
    """Every event in id order, a batch at a time (a trail may hold hundreds of thousands)."""
    last_id = 0
    while True:
        batch = op.get_bind().execute(sa.select(events).where(events.c.id > last_id)
                                      .order_by(events.c.id).limit(BATCH)).all()
        if not batch:
            return
        yield from batch
        last_id = batch[-1].id


def _utc(at: datetime) -> datetime:
    return at.replace(tzinfo=timezone.utc) if at.tzinfo is None else at.astimezone(timezone.utc)


def _old_seal(row) -> str:
    content = json.dumps([row.prev_hash, _utc(row.at).isoformat(), row.user_id, row.action, row.object_type,
                          row.object_id, row.before, row.after], sort_keys=True, ensure_ascii=False,
                         separators=(",", ":"), default=str)
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def _old_chain_check() -> dict:
    """The 0011 chain checked as 0011's own verification did: unsealed events may only come first."""
    previous, unsealed, broken = None, 0, None
    for row in _rows():
        if not row.hash:
            unsealed += previous is None
            broken = broken or (row.id if previous is not None else None)
            continue
        if broken is None and (row.hash != _old_seal(row) or (previous is not None and row.prev_hash != previous)):
            broken = row.id
        previous = row.hash
    return {"intact": broken is None, "broken_at": broken, "unsealed": unsealed, "last_hash": previous or ""}


def _write_sealed(key: str, row, before, after, prev_hash: str) -> str:
    digest = trail_seals.payload_digest(key, before, after)
    sealed = trail_seals.seal(key, prev_hash, _utc(row.at), row.user_id, row.action, row.object_type,
                              row.object_id, digest)
    op.get_bind().execute(events.update().where(events.c.id == row.id).values(
        before=before, after=after, payload_digest=digest, prev_hash=prev_hash, hash=sealed))
    return sealed


def _insert_sealed(key: str, action: str, after: dict, prev_hash: str) -> None:
    at = datetime.now(timezone.utc)
    digest = trail_seals.payload_digest(key, None, after)
    sealed = trail_seals.seal(key, prev_hash, at, None, action, "audit_events", None, digest)
    stored_at = at.replace(tzinfo=None) if op.get_bind().dialect.name == "sqlite" else at
    op.get_bind().execute(events.insert().values(
        at=stored_at, user_id=None, action=action, object_type="audit_events", object_id=None, before=None,
        after=after, prev_hash=prev_hash, hash=sealed, payload_digest=digest))
