"""What a form was opened with (its *base*), carried in the form itself for a three-way merge.

When two people save the same return or panel record, ``audit_tools.merge`` needs to know what
each started from. The form carries that base (a fingerprint per field, ``merge.fingerprints``:
small whatever was typed, and no second copy of the text) in one hidden field, signed with the app's secret
and bound to the object and the version the form holds, so a missing, garbled, altered or
mismatched base reads as ``None``: "unknown", and the merge then asks about every difference
instead of guessing. (Holding a snapshot per version in the database would do the same without
the hidden field; it would need a new table, and the signed field needs none.)
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from itsdangerous import BadData, URLSafeSerializer


def _serializer(kind: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=f"form-base:{kind}")


def sign_base(kind: str, object_id: int, version: int, values: dict | None) -> str:
    """A token for a form of ``kind`` about ``object_id`` holding ``version``; ``values=None``: base unknown.

    ``values`` are the ``merge.fingerprints`` of what the form holds."""
    return _serializer(kind).dumps([object_id, version, values])


def read_base(token: str | None, kind: str, object_id: int, version: int | None) -> dict | None:
    """The base values, or None when the token is missing, altered, for another object or version, or unknown."""
    if not token or version is None:
        return None
    try:
        found_id, found_version, values = _serializer(kind).loads(token)
    except (BadData, TypeError, ValueError):
        return None
    if found_id != object_id or found_version != version or not isinstance(values, dict):
        return None
    if not all(isinstance(k, str) and _is_value(v) for k, v in values.items()):
        return None
    return values


def _is_value(value: Any) -> bool:
    return isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))
