"""An agency's own case number, sealed so that only the workbench holding the key can read it back.

A sampled case is known by its pseudonym everywhere; the agency that supplied the numbers needs
its own number to open the child's record. The number is sealed with Fernet (AES-128-CBC with an
HMAC-SHA-256 tag, from ``cryptography``) under a key held outside the database
(``AUDIT_CASE_NUMBER_KEY``), so a copy of the database alone does not give the numbers back, and a
changed token is refused rather than read wrongly. See docs/PSEUDONYMS.md for who may see it.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken


def _fernet(key: str | bytes) -> Fernet:
    try:
        return Fernet(key)
    except ValueError as error:
        raise ValueError("The case number key must be a Fernet key: 32 bytes in URL-safe base64.") from error


def seal_case_number(number: str, key: str | bytes) -> str:
    """The case number as the agency writes it, encrypted and authenticated, as text for the database."""
    return _fernet(key).encrypt(number.strip().encode()).decode("ascii")


def open_case_number(token: str, key: str | bytes) -> str | None:
    """The case number a token holds, or None when the token is not one this key sealed."""
    try:
        return _fernet(key).decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeError):
        return None


def new_case_number_key() -> str:
    """A fresh key, for setting AUDIT_CASE_NUMBER_KEY."""
    return Fernet.generate_key().decode("ascii")
