"""Control characters: text people type never needs them, and PostgreSQL cannot store NUL at all.

C0 control characters (U+0000 to U+001F) other than tab, line feed and carriage return come from
pasting out of terminals and binary files, or from someone probing the service. PostgreSQL refuses
NUL in ``text`` and ``jsonb`` (the request fails), and XML, so every spreadsheet and PDF the
workbench writes, cannot hold any of them.
"""

from __future__ import annotations

import re

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def strip_control_characters(text: str) -> str:
    """The text without C0 control characters, keeping tab, line feed and carriage return."""
    return CONTROL_CHARACTERS.sub("", text)


def has_control_characters(text: str) -> bool:
    """True when the text holds a C0 control character other than tab, line feed or carriage return."""
    return CONTROL_CHARACTERS.search(text) is not None
