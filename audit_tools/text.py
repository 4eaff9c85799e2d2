"""Text shared by every stage: what people type (is anything visible? control characters?) and
the small wording helpers every page and briefing uses (dates, ages, lists, numbers in words).

Names and labels: a theme called "\u200b" (a zero-width space) looks empty on every page that
lists it, yet ``str.strip`` keeps it, so a plain "is it empty?" check lets it through.
``is_blank_looking`` is the one rule every name and label is held to, in the web forms (through
``audit_app.form_fields``) and in imported tool files (``audit_tools.tools.files``).

Control characters: text people type never needs them, and PostgreSQL cannot store NUL at all.
C0 control characters (U+0000 to U+001F) other than tab, line feed and carriage return come from
pasting out of terminals and binary files, or from someone probing the service. PostgreSQL refuses
NUL in ``text`` and ``jsonb`` (the request fails), and XML, so every spreadsheet and PDF the
workbench writes, cannot hold any of them.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

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


CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


# Characters pasted from Word or Outlook that print nothing, or print wrongly, in a PDF: zero-width
# spaces, joiners and the word joiner; byte-order marks; soft hyphens (printed as stray hyphens);
# direction marks, embeddings, overrides and isolates (they can make printed text read differently
# from what was typed); variation selectors (left behind when an emoji is replaced). Line and
# paragraph separators become line breaks.
_UNPRINTED = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufe00-\ufe0f\ufeff]")
_SEPARATORS = str.maketrans({"\u2028": "\n", "\u2029": "\n"})


def printable_text(text: str) -> str:
    """``text`` as it should print: composed (NFC), without invisible formatting characters."""
    return _UNPRINTED.sub("", unicodedata.normalize("NFC", text).translate(_SEPARATORS))


def strip_control_characters(text: str) -> str:
    """The text without C0 control characters, keeping tab, line feed and carriage return."""
    return CONTROL_CHARACTERS.sub("", text)


def has_control_characters(text: str) -> bool:
    """True when the text holds a C0 control character other than tab, line feed or carriage return."""
    return CONTROL_CHARACTERS.search(text) is not None


# Wording


UK_ZONE = ZoneInfo("Europe/London")


def uk_local(moment: datetime) -> datetime:
    """A stored instant (UTC; a naive one is taken as UTC) as the clock in the UK showed it (GMT or BST)."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UK_ZONE)


def uk_time(moment: datetime | None, seconds: bool = False) -> str:
    """14:05 (UK time): the time of day in the UK, saying so."""
    if moment is None:
        return ""
    local = uk_local(moment)
    clock = f"{local:%H:%M:%S}" if seconds else f"{local:%H:%M}"
    return f"{clock} (UK time)"


def uk_date_time(moment: datetime | None, seconds: bool = False) -> str:
    """27 March 2026 at 14:05 (UK time)."""
    if moment is None:
        return ""
    local = uk_local(moment)
    clock = f"{local:%H:%M:%S}" if seconds else f"{local:%H:%M}"
    return f"{local.day} {local:%B %Y} at {clock} (UK time)"


def long_date(value: date | None) -> str:
    """27 March 2026 (portable: no platform-specific strftime flags); an instant is dated as in the UK."""
    if isinstance(value, datetime):
        value = uk_local(value)
    return f"{value.day} {value:%B %Y}" if value else ""


def format_age(age: Decimal | float | None) -> str:
    """1.5 → "1½", 8.0 → "8"; ages are shown in whole and half years."""
    if age is None:
        return "unknown"
    halves = round(float(age) * 2)
    whole, half = divmod(halves, 2)
    if not half:
        return str(whole)
    return f"{whole}½" if whole else "½"


def join_words(items: tuple[str, ...] | list[str]) -> str:
    """["a", "b", "c"] → "a, b and c"."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def number_words(n: int) -> str:
    """Small numbers in words, as plain-English style prefers: 4 → "four"; 12 → "12"."""
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else str(n)


def shortened(text: str, limit: int) -> str:
    """``text`` on one line, cut to ``limit`` characters with an ellipsis, for places of a fixed size."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def lower_first(text: str) -> str:
    """ "Child protection plan" → "child protection plan", but "CP plan" stays "CP plan"."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]
