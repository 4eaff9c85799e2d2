"""What makes a password acceptable: long enough, not common, not easy to guess. No composition rules.

The blocklist is zxcvbn's list of 30,000 most common passwords; zxcvbn's estimate then refuses
what is easy to guess in other ways (a common word with digits, a keyboard run, the user's own
name or address). Nothing is ever truncated: argon2id hashes the whole password.
"""

from __future__ import annotations

from functools import lru_cache

from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

MIN_LENGTH = 12
MAX_LENGTH = 1024  # long passphrases are welcome; this only stops abuse of the hashing
MIN_GUESS_SCORE = 3  # zxcvbn's 0–4 scale: 3 is "safely unguessable" for an online attack


@lru_cache(maxsize=1)
def _common() -> frozenset[str]:
    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """A sentence saying what is wrong with ``password``, or None when it may be used."""
    if len(password) < MIN_LENGTH:
        return f"Your password must be at least {MIN_LENGTH} characters long. A few words together work well."
    if len(password) > MAX_LENGTH:
        return f"Your password must be {MAX_LENGTH:,} characters or fewer."
    if password.lower() in _common():
        return "That password is one of the most commonly used passwords. Choose another."
    result = zxcvbn(password[:72], user_inputs=[part for part in (email, email.split("@")[0], name) if part])
    if result["score"] < MIN_GUESS_SCORE:
        hint = result["feedback"].get("warning") or "It would be easy to guess."
        return f"That password is too easy to guess. {hint.rstrip('.')}. Try a few unrelated words together."
    return None
