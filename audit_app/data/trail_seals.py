"""The audit trail's keyed seals, and the shape an event's payload is reduced to before it is kept.

Plain Python (no Flask, no SQLAlchemy), so that migration 0015 re-seals old events with exactly
the functions the application uses. Every seal and digest is HMAC-SHA256 under a key held outside
the database (``AUDIT_TRAIL_KEY``): someone who can write to the database but does not hold the key
cannot make a changed event, a re-sealed chain or a forged checkpoint look genuine.

Typed free text never reaches the trail. ``reduce_payload`` keeps numbers, booleans and null as
they are, and a string only where it is a code the application chose: under a key named in
``CODE_KEYS`` and shaped like a state, question key, ISO date or hex digest. Every other string
becomes ``{"hmac_sha256": ..., "length": n}``: enough to see that something changed and by how
much, and (for someone holding the key) to confirm a suspected value, never to read it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from datetime import date, datetime
from typing import Any

# Keys whose string values are codes chosen by the application, never text a person typed.
CODE_KEYS = frozenset(
    {
        "action",
        "agreed_grade",
        "changed",
        "decision",
        "format",
        "hmac_sha256",
        "kind",
        "last_hash",
        "layout",
        "method",
        "mimetype",
        "object",
        "question",
        "rag",
        "roles",
        "section",
        "sha256",
        "source",
        "source_key",
        "state",
        "status",
        "at",
        "closed_on",
    }
)
# States, question keys, "12:child_voice", "image/png": at least one letter, so never a bare NHS number.
_CODE = re.compile(r"(?=[^a-z]*[a-z])[a-z0-9][a-z0-9_.:\-/]{0,59}")
_ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?([+-]\d{2}:\d{2}|Z)?)?")
_HEX = re.compile(r"[0-9a-f]{64}")
# A dict key kept as it is (content keys, setting names), or one already reduced to "~" and 16 hex digits.
_KEY = re.compile(r"[a-z][a-z0-9_.\-]{0,59}|~[0-9a-f]{16}")
DIGEST = "hmac_sha256"


def canonical(value: Any) -> bytes:
    """One byte string per value: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8")


def keyed(key: str, value: Any) -> str:
    """HMAC-SHA256 of ``value`` (as canonical JSON) under ``key``, in hex."""
    return hmac.new(key.encode("utf-8"), canonical(value), hashlib.sha256).hexdigest()


def text_digest(key: str, text: str) -> dict[str, Any]:
    """What the trail keeps of a piece of text: its keyed digest and its length."""
    return {DIGEST: keyed(key, ["text", text]), "length": len(text)}


def reduce_payload(value: Any, key: str, *, code: bool = False) -> Any:
    """``value`` with every string that is not an application code replaced by its digest and length.

    Idempotent: a payload already reduced comes back unchanged, so old events can be cleaned twice.
    """
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, dict):
        return {
            _reduced_key(name, key): reduce_payload(item, key, code=name in CODE_KEYS) for name, item in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [reduce_payload(item, key, code=code) for item in value]
    if isinstance(value, (date, datetime)):
        value = value.isoformat()
    text = value if isinstance(value, str) else str(value)
    if code and (_CODE.fullmatch(text) or _ISO_TIME.fullmatch(text) or _HEX.fullmatch(text)):
        return text
    return text_digest(key, text)


def _reduced_key(name: Any, key: str) -> str:
    if isinstance(name, int) and not isinstance(name, bool):
        return str(name)  # an id used as a key (JSON makes every key a string anyway)
    if isinstance(name, str) and (_KEY.fullmatch(name) or name.isdigit() and len(name) < 10):
        return name
    return "~" + keyed(key, ["key", str(name)])[:16]


def payload_digest(key: str, before: Any, after: Any) -> str:
    """The seal covers this digest, not the payload: a payload can later be purged without re-sealing."""
    return keyed(key, ["payload", before, after])


def genesis(key: str) -> str:
    """The ``prev_hash`` of the first event: where keyed sealing began. Only the key holder can make it."""
    return keyed(key, ["genesis", "audit trail sealing began"])


def seal(
    key: str,
    prev_hash: str,
    at: datetime,
    user_id: int | None,
    action: str,
    object_type: str,
    object_id: int | None,
    digest: str,
) -> str:
    """HMAC-SHA256 over the previous seal, what happened, when, by whom, and the payload's digest."""
    return keyed(key, ["seal", prev_hash, at.isoformat(), user_id, action, object_type, object_id, digest])


def checkpoint_mac(key: str, events: int, last_id: int | None, last_seal: str, made_at: str) -> str:
    """A checkpoint seals itself too, so one kept outside cannot be edited to match a shortened trail."""
    return keyed(key, ["checkpoint", events, last_id, last_seal, made_at])
