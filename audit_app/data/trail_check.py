"""Checking the audit trail's seals, and the checkpoints kept outside the database that it is checked against.

The seals alone prove that no event was changed, inserted or removed between the first and the
last event still there, and that the first one is where keyed sealing began. They cannot show
that the newest events were removed (or all of them): only a checkpoint kept elsewhere (the
number of events and the last seal, itself sealed with the key) can. A checkpoint is written
next to every backup, to the application log, and by ``flask trail checkpoint``.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from audit_app.data import trail_seals
from audit_app.data.events import PURGED, seal, trail_key
from audit_app.database import count_of
from audit_app.extensions import db
from audit_app.models import AuditEvent, utcnow
from audit_tools.errors import WorkbenchError
from audit_tools.text import uk_date_time

CHECKPOINT_KIND = "audit-trail-checkpoint"
MAX_CHECKPOINT_CHARS = 1_000
RESEALED = "trail.resealed"  # the closing event of migration 0015


class CheckpointError(WorkbenchError):
    """The text given is not a checkpoint of this installation's trail; the message says why."""


@dataclass(frozen=True)
class Checkpoint:
    """How long the trail was, and how it ended, at one moment."""

    events: int
    last_id: int | None
    last_seal: str
    made_at: str
    mac: str

    def to_json(self) -> str:
        return json.dumps(
            {
                "kind": CHECKPOINT_KIND,
                "events": self.events,
                "last_id": self.last_id,
                "last_seal": self.last_seal,
                "made_at": self.made_at,
                "mac": self.mac,
            },
            separators=(",", ":"),
        )

    def genuine(self, key: str) -> bool:
        expected = trail_seals.checkpoint_mac(key, self.events, self.last_id, self.last_seal, self.made_at)
        return hmac.compare_digest(expected, self.mac)


def make_checkpoint() -> Checkpoint:
    """The trail's length and last seal now, sealed with the key."""
    key = trail_key()
    last = db.session.execute(select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).first()
    count = count_of(select(db.func.count()).select_from(AuditEvent))
    last_id, last_seal = (last[0], last[1]) if last else (None, "")
    made_at = utcnow().isoformat(timespec="seconds")
    return Checkpoint(
        count, last_id, last_seal, made_at, trail_seals.checkpoint_mac(key, count, last_id, last_seal, made_at)
    )


def parse_checkpoint(raw: str) -> Checkpoint:
    """A checkpoint from its one-line JSON (as written to the log, a backup's .checkpoint file or the page)."""
    raw = (raw or "").strip()
    start = raw.find("{")  # a log line carries the checkpoint after its own prefix
    try:
        if len(raw) > MAX_CHECKPOINT_CHARS or start < 0:
            raise ValueError
        data = json.loads(raw[start:])
        if data.get("kind") != CHECKPOINT_KIND:
            raise ValueError
        events, last_id = data["events"], data["last_id"]
        if not (isinstance(events, int) and events >= 0 and (last_id is None or isinstance(last_id, int))):
            raise ValueError
        return Checkpoint(events, last_id, str(data["last_seal"]), str(data["made_at"]), str(data["mac"]))
    except (ValueError, KeyError, TypeError, AttributeError):
        raise CheckpointError(
            "That is not an audit trail checkpoint. Paste the whole line that begins "
            '{"kind":"audit-trail-checkpoint", from a backup\'s .checkpoint file or the log.'
        ) from None


@dataclass(frozen=True)
class TrailCheck:
    """What a check of the seals looked at and what it found."""

    events: int
    broken_at: int | None = None  # id of the first event whose seal or link does not hold
    problem: str = ""
    checkpoint: Checkpoint | None = None
    checkpoint_problem: str = ""
    last_seal: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return self.broken_at is None and not self.checkpoint_problem

    def findings(self) -> list[str]:
        """Plain sentences: what was checked, what was found, and what cannot be ruled out."""
        lines = [
            f"Checked {self.events} event{'s' if self.events != 1 else ''}: each one's seal, "
            "its link to the one before, and that the first follows where sealing began."
        ]
        if self.broken_at is not None:
            lines.append(f"Event {self.broken_at}: {self.problem}.")
        elif self.events:
            lines.append(
                "Every seal and link holds: no event has been changed, added or removed in between, "
                "and none before the first."
            )
        lines.extend(self.notes)
        if self.checkpoint is None:
            lines.append("No checkpoint given: deletion of the newest events cannot be ruled out.")
        elif self.checkpoint_problem:
            lines.append(self.checkpoint_problem)
        else:
            lines.append(
                f"The checkpoint made {_readable(self.checkpoint.made_at)} counted "
                f"{self.checkpoint.events} events; they are all still here, ending with the same seal. "
                "Events after the checkpoint are covered only by their seals."
            )
        return lines


def verify_trail(checkpoint: Checkpoint | None = None, batch: int = 5_000) -> TrailCheck:
    """Walk the whole trail in id order, re-computing every seal and link; compare with ``checkpoint``."""
    key = trail_key()
    if checkpoint is not None and not checkpoint.genuine(key):
        return TrailCheck(
            0,
            checkpoint=checkpoint,
            checkpoint_problem=(
                "The checkpoint given was not made with this installation's key, or has been edited: "
                "nothing was checked against it."
            ),
        )
    previous, count, at_checkpoint, notes = trail_seals.genesis(key), 0, None, []
    empty = trail_seals.payload_digest(key, None, None)
    purges = _Purges()
    for row in _events_in_order(batch):
        count += 1
        blanked = row.before is None and row.after is None and row.payload_digest != empty
        problem = _problem(row, previous, key, first=count == 1, blanked=blanked)
        if problem:
            return TrailCheck(count, row.id, problem, checkpoint)
        previous = row.hash
        purges.see(row, blanked)
        if row.action == RESEALED:
            notes.append(_resealed_note(row, count))
        if checkpoint is not None and count == checkpoint.events:
            at_checkpoint = (row.id, row.hash)
    if purges.unrecorded:
        return TrailCheck(
            count, min(purges.unrecorded), "what the event said has been removed, and no purge records it", checkpoint
        )
    if purges.recorded:
        removed = len(purges.recorded)
        notes.append(
            f"{removed} event{'s' if removed != 1 else ''} had what they said removed by a "
            f"recorded purge (flask trail purge); their seals still hold."
        )
    return TrailCheck(count, None, "", checkpoint, _against(checkpoint, count, at_checkpoint), previous, notes)


def _events_in_order(batch: int) -> Iterator[AuditEvent]:
    """Every event in id order, read ``batch`` at a time (the trail can be long)."""
    last_id = 0
    while rows := db.session.scalars(
        select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch)
    ).all():
        yield from rows
        last_id = rows[-1].id


class _Purges:
    """Events whose payload was blanked, and whether a later purge event names them."""

    def __init__(self) -> None:
        self.recorded: set[int] = set()
        self.unrecorded: set[int] = set()  # blank payloads that no purge event has (yet) named

    def see(self, row: AuditEvent, blanked: bool) -> None:
        if blanked:
            self.unrecorded.add(row.id)
        if row.action == PURGED:
            purged = {i for i in (row.after or {}).get("events", []) if isinstance(i, int) and i < row.id}
            self.recorded |= self.unrecorded & purged
            self.unrecorded -= purged


def _resealed_note(row: AuditEvent, position: int) -> str:
    """What migration 0015 found when it moved the trail to keyed seals (its closing event says)."""
    old = (row.after or {}).get("previous_chain") or {}
    found = (
        "the earlier plain SHA-256 chain held"
        if old.get("intact")
        else f"the earlier plain SHA-256 chain was already broken at event {old.get('broken_at')}"
    )
    return (
        f"The first {position - 1} events were re-sealed with the key on {row.at:%d %B %Y} (event {row.id}); "
        f"{found}, and text was removed from {(row.after or {}).get('cleaned', 0)} of them."
    )


def _problem(row: AuditEvent, previous: str, key: str, *, first: bool, blanked: bool) -> str:
    if not row.hash:
        return "the event has no seal (every event is sealed, from the first)"
    if not blanked and row.payload_digest != trail_seals.payload_digest(key, row.before, row.after):
        return "what the event says does not match its seal"
    if not hmac.compare_digest(row.hash, seal(row, key)):
        return "the event's content does not match its seal (changed, or re-sealed without the key)"
    if row.prev_hash != previous:
        if first:
            return (
                "the first event does not follow where sealing began: older events have been removed, "
                "or the trail was re-sealed without the key"
            )
        return "the event does not follow the one before it: an event before it was removed or changed"
    return ""


def _against(checkpoint: Checkpoint | None, count: int, found: tuple[int, str] | None) -> str:
    if checkpoint is None:
        return ""
    when = _readable(checkpoint.made_at)
    if count < checkpoint.events:
        return (
            f"The checkpoint made {when} counted {checkpoint.events} events, but only {count} are here: "
            "the newest events have been removed."
        )
    if checkpoint.events and found != (checkpoint.last_id, checkpoint.last_seal):
        return (
            f"Event {checkpoint.events} of the trail is not the one the checkpoint made {when} ended with: "
            "events have been removed or the trail replaced since."
        )
    return ""


def _readable(made_at: str) -> str:
    try:
        return f"on {uk_date_time(datetime.fromisoformat(made_at))}"
    except ValueError:
        return "at an unreadable time"
