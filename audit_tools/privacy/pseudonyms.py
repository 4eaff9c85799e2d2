"""Keyed pseudonyms for agencies' own case numbers: the workbench never stores a case number.

When a sample frame carries an agency's own case numbers (a children's social care
case number, a school's or a health trust's record number …), the workbench keeps
only

* the **pseudonym**: HMAC-SHA-256, keyed with the partnership's pseudonym key, over
  the normalised case number (``normalise_case_number``: surrounding and inner white
  space removed, upper-cased), written as 64 lower-case hex digits; and
* a **display code** such as ``C-7F3A9K`` for screens and conversation, made from the
  first 30 bits of the pseudonym in Crockford's base-32 alphabet (no I, L, O or U).

The key is 32 or more random bytes held **outside the database** (an environment
variable or the host's secret store, read with ``key_from_environment``), so a copy of
the database alone cannot be matched back to case numbers, even by trying every
possible number. Without the key, a pseudonym says nothing about the case number.

How an agency re-identifies its own case
----------------------------------------
The agency, holding the partnership key under the information-sharing agreement, runs
the same calculation over its own list of case numbers and looks for the pseudonym (or
the display code) the workbench shows::

    import base64, hashlib, hmac
    key = bytes.fromhex(PARTNERSHIP_KEY_HEX)            # or base64.b64decode(...)
    def pseudonym(number: str) -> str:
        normalised = "".join(number.split()).upper()   # "ab 123 " -> "AB123"
        return hmac.new(key, normalised.encode("utf-8"), hashlib.sha256).hexdigest()
    matches = [n for n in our_case_numbers if pseudonym(n) == pseudonym_from_the_workbench]

Only someone holding both the key and the agency's case list can do this; the
workbench holds neither the case list nor the key in its database. Display codes are
short and can coincide for two cases in a large frame, so match on the full pseudonym
whenever the two could be confused.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re

KEY_BYTES = 32
DISPLAY_PREFIX = "C-"
DISPLAY_LENGTH = 6
# Crockford's base 32: digits and capitals without I, L, O and U, so nothing is misread.
DISPLAY_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_HEX = re.compile(r"[0-9a-fA-F]+")
_PSEUDONYM = re.compile(r"[0-9a-f]{64}")
_BASE64 = re.compile(r"[A-Za-z0-9+/]+={0,2}")
_URLSAFE_BASE64 = re.compile(r"[A-Za-z0-9_-]+={0,2}")


def normalise_case_number(case_number: str) -> str:
    """The case number as pseudonymised: all white space removed, upper-cased ("ab 123 " → "AB123")."""
    return "".join(case_number.split()).upper()


def pseudonymise(case_number: str, key: bytes | None) -> str:
    """HMAC-SHA-256 (64 lower-case hex digits) of the normalised case number under the partnership key."""
    if not isinstance(key, (bytes, bytearray)) or len(key) < KEY_BYTES:
        raise ValueError(f"The pseudonym key must be at least {KEY_BYTES} bytes.")
    normalised = normalise_case_number(case_number)
    if not normalised:
        raise ValueError("The case number is empty.")
    return hmac.new(bytes(key), normalised.encode("utf-8"), hashlib.sha256).hexdigest()


def display_code(pseudonym: str) -> str:
    """A short code for screens, like "C-7F3A9K": the first 30 bits of the pseudonym in Crockford base 32."""
    if not isinstance(pseudonym, str) or not _PSEUDONYM.fullmatch(pseudonym):
        raise ValueError("A pseudonym is 64 lower-case hex digits, as made by pseudonymise().")
    bits = int(pseudonym[:8], 16) >> (32 - 5 * DISPLAY_LENGTH)
    chars = [DISPLAY_ALPHABET[(bits >> (5 * i)) & 31] for i in reversed(range(DISPLAY_LENGTH))]
    return DISPLAY_PREFIX + "".join(chars)


def key_from_environment(value: str | None) -> bytes:
    """The pseudonym key from an environment variable's value: hex (64+ digits) or base64 (standard or URL-safe).

    Raises ``ValueError`` with a message that never repeats the value when it is missing,
    cannot be decoded, or gives fewer than 32 bytes.
    """
    how = (
        "Set it to 32 random bytes written as hex or base64, for example the output of "
        'python -c "import secrets; print(secrets.token_hex(32))", and keep it outside the database.'
    )
    text = (value or "").strip()
    if not text:
        raise ValueError(f"The pseudonym key is not set. {how}")
    key: bytes | None = None
    padded = text + "=" * (-len(text) % 4)
    try:
        if _HEX.fullmatch(text) and len(text) % 2 == 0:
            key = bytes.fromhex(text)
        elif _BASE64.fullmatch(padded):
            key = base64.b64decode(padded, validate=True)
        elif _URLSAFE_BASE64.fullmatch(padded):
            key = base64.urlsafe_b64decode(padded)
    except (binascii.Error, ValueError):
        key = None
    if key is None:
        raise ValueError(f"The pseudonym key is neither hex nor base64. {how}")
    if len(key) < KEY_BYTES:
        raise ValueError(f"The pseudonym key is {len(key)} bytes long; it must be at least {KEY_BYTES}. {how}")
    return key
