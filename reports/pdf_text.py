"""Turn person-typed strings into safe reportlab paragraph markup.

reportlab reads ``Paragraph`` text as markup, so a stray ``<`` breaks the build and a
typed ``<link href=...>`` would become a live link. Every string from a briefing
passes through ``markup`` (text) or ``link_markup`` (title + URL) on its way in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from audit_tools.text import printable_text, shortened
from reports.fonts import covers

LINK_SCHEMES = frozenset({"http", "https", "mailto"})
_BLANKED = re.compile("[\t\r\x0b\x0c]")
# Other control characters, lone surrogates (unencodable) and bidirectional
# overrides, which can make printed text read differently from what was typed;
# the invisible byte-order mark, which makes PDF readers lose the text before it;
# and soft hyphens, which reportlab can print as visible hyphens ("\xadword" → "-word").
_DROPPED = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\xad\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufeff]")
# Printed in place of a character the font lacks (an emoji, say), so the gap is seen, not silent.
MISSING_MARK = "\ufffd"


def clean(text: object) -> str:
    """Drop control characters, bidi overrides, invisible formatting and lone surrogates (keeping newlines),
    and mark each character the font cannot draw with ``MISSING_MARK``."""
    text = _DROPPED.sub("", printable_text(_BLANKED.sub(" ", str(text))))
    if text.isascii():
        return text
    return "".join(ch if covers(ch) or ch == "\n" else MISSING_MARK for ch in text)


def unprintable(texts: Iterable[str]) -> list[str]:
    """The characters of ``texts`` (after the clean-up above) that the briefing's font cannot draw, in order."""
    seen: dict[str, None] = {}
    for text in texts:
        cleaned = _DROPPED.sub("", printable_text(str(text)))
        if not cleaned.isascii():
            seen.update((ch, None) for ch in cleaned if ch not in "\n\t\r" and not covers(ch))
    return list(seen)


def markup(text: object) -> str:
    """Escape ``text`` for a ``Paragraph``; line breaks the person typed are kept."""
    return escape(clean(text)).replace("\n", "<br/>")


def safe_href(url: str) -> str | None:
    """``url`` if it is a well-formed http(s) or mailto address, else ``None``."""
    candidate = clean(url).strip()
    if not candidate or any(ch.isspace() for ch in candidate):
        return None
    try:
        parts = urlsplit(candidate)
    except ValueError:
        return None
    if parts.scheme.lower() not in LINK_SCHEMES:
        return None
    if parts.scheme.lower() != "mailto" and not parts.netloc:
        return None
    return candidate


def link_markup(label: str, url: str, colour: str) -> str:
    """Markup for ``label`` as a live link to ``url``, or as plain text if unsafe."""
    href = safe_href(url)
    if href is None:
        return markup(label)
    attribute = escape(href, {'"': "&quot;"})
    return f'<link href="{attribute}" color="{colour}"><u>{markup(label)}</u></link>'


def shorten(text: str, limit: int) -> str:
    """``text`` cleaned for the PDF and cut to ``limit`` characters with an ellipsis, for fixed-size places."""
    return shortened(clean(text), limit)
