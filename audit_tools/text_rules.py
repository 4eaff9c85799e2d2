"""Rules for text people type as names and labels: is there anything visible in it?

A theme called "\u200b" (a zero-width space) looks empty on every page that lists it, yet
``str.strip`` keeps it, so a plain "is it empty?" check lets it through. ``is_blank_looking``
is the one rule every name and label is held to, in the web forms (through
``audit_app.form_fields``) and in imported tool files (``audit_tools.tool_files``).
"""

from __future__ import annotations

import unicodedata

# Unicode categories that draw nothing on their own: separators (spaces, line and paragraph
# separators), controls, format characters (zero-width space, joiners, word joiner, byte order
# mark, soft hyphen, bidirectional marks) and combining marks with no letter to sit on.
INVISIBLE_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf", "Mn", "Me", "Mc"})

# Letters and symbols that are drawn as nothing: Unicode's Default_Ignorable_Code_Point ranges
# outside the categories above (the Hangul fillers are letters, the variation selectors marks),
# and the braille pattern blank, which is a symbol.
INVISIBLE_RANGES = (
    (0x115F, 0x1160),  # Hangul choseong and jungseong fillers
    (0x17B4, 0x17B5),  # Khmer inherent vowels
    (0x180B, 0x180F),  # Mongolian free variation selectors and vowel separator
    (0x2800, 0x2800),  # braille pattern blank
    (0x3164, 0x3164),  # Hangul filler
    (0xFE00, 0xFE0F),  # variation selectors
    (0xFFA0, 0xFFA0),  # halfwidth Hangul filler
    (0xFFF0, 0xFFF8),  # unassigned specials
    (0x1BCA0, 0x1BCA3),  # shorthand format controls
    (0x1D173, 0x1D17A),  # musical symbol format controls
    (0xE0000, 0xE0FFF),  # tags and variation selectors supplement
)


def is_invisible(character: str) -> bool:
    """Whether one character, shown alone, would look like nothing at all."""
    code = ord(character)
    if unicodedata.category(character) in INVISIBLE_CATEGORIES:
        return True
    return any(low <= code <= high for low, high in INVISIBLE_RANGES)


def is_blank_looking(text: str | None) -> bool:
    """Whether ``text`` would look empty to a reader: nothing, or only spaces and invisible characters."""
    return not text or all(is_invisible(character) for character in text)
