"""Suggesting codebook themes for an uncoded excerpt (the codebook as CSV is in ``codebook_files``).

A person codes excerpts (auditors' evidence notes, the panel's learning text) to
themes; the software only *suggests*, and every suggestion can be explained: it
carries the words of the excerpt, exactly as written, that matched a keyword.

Matching rules, kept simple so that a suggestion can always be explained:

* Only a theme's **keywords** are used, never its name or description: "Suggested
  because it mentions 'chronology'" is true, checkable and short.
* Words are compared by **stem** (``stem``), so "assessed" matches the keyword
  "assessment". Whole words only: "ear" never matches "early", "the rapist" never
  matches "therapist".
* A keyword phrase matches when its words appear **consecutively** in the excerpt,
  separated only by spaces, hyphens or apostrophes (not across "." or ",").
* A keyword written in capitals (an acronym such as "SEND", "DNA", "ACEs") matches
  only a word written in capitals, so "send a letter" is not about SEND.
* Score: each distinct keyword that matched adds its number of words, so a
  phrase counts more than a single word; a keyword counts once however often it
  appears, and a match inside a longer matched phrase of the same theme ("not
  brought" inside "was not brought") is not counted again.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

# A word: letters or digits (any script, with combining accents), joined by inner apostrophes.
_LETTER = r"(?:[^\W_]|[\u0300-\u036f])"
_WORD = re.compile(rf"{_LETTER}+(?:['’ʼ]{_LETTER}+)*")
_APOSTROPHES = re.compile(r"['’ʼ]")
_POSSESSIVE = re.compile(r"['’ʼ]s$", re.IGNORECASE)
_JOINER = re.compile(r"[\s'’ʼ\-\u2010\u2011]*")  # what may sit between the words of a phrase
_SPACES = re.compile(r"\s+")
_VOWELS = frozenset("aeiouàáâäæèéêëìíîïòóôöœùúûü")
_IRREGULAR = {"children": "child", "people": "person", "women": "woman", "men": "man"}


def tokens(text: str) -> list[str]:
    """The words of ``text``, lower-cased, with possessives dropped: "The child's room" → the, child, room.

    Letters of any alphabet (including accented ones) and digits make words; an
    apostrophe inside a word is dropped ("don't" → "dont"), a final "'s" removed.
    """
    return [_normalise(match.group()) for match in _WORD.finditer(text)]


def _normalise(word: str) -> str:
    word = _APOSTROPHES.sub("", _POSSESSIVE.sub("", word))
    return unicodedata.normalize("NFC", word.lower())


# --- Stemming -------------------------------------------------------------------------------------


@lru_cache(maxsize=8192)
def stem(word: str) -> str:
    """A light English stem of a lower-case word, so that different forms of a word compare equal.

    This is the first step of Porter's algorithm (plurals, -ed, -ing, final y) plus a
    short list of everyday suffixes: -ation, -isation/-ization, -ly, -ness, -ful,
    -ment, -ance/-ence, -ate and a final silent e; "-ize" is spelt "-ise". Examples:
    assessment, assessments, assessed, assessing, assess → "assess"; neglected,
    neglectful, neglecting → "neglect"; chronology, chronologies → "chronologi";
    escalate, escalated, escalation → "escal"; planned, planning, plans → "plan";
    shared, sharing → "share"; children → "child". It is not a dictionary: it leaves
    "supervision" and "supervisor" apart, and stems "family" and "families" to the
    odd-looking but consistent "fami". Words of one or two letters are unchanged.
    """
    word = word.lower()
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if len(word) <= 2:
        return word
    for step in (_plurals, _inflections, _final_y, _long_suffixes, _everyday_suffixes, _formal_suffixes, _silent_e):
        word = step(word)
    return word[:-2] + "is" if word.endswith("iz") else word


def _shape(word: str) -> str:
    """The word as consonants and vowels: "happy" → "cvccv" (y after a consonant sounds like a vowel)."""
    shape: list[str] = []
    for letter in word:
        vowel = letter in _VOWELS or (letter == "y" and shape[-1:] == ["c"])
        shape.append("v" if vowel else "c")
    return "".join(shape)


def _is_consonant(word: str, i: int) -> bool:
    return _shape(word[: i + 1])[-1] == "c"


def _measure(word: str) -> int:
    """Porter's measure: how many vowel-then-consonant groups the word has ("tree" 0, "trouble" 1, "private" 2)."""
    return _shape(word).count("vc")


def _has_vowel(word: str) -> bool:
    return "v" in _shape(word)


def _ends_cvc(word: str) -> bool:
    """Consonant, vowel, consonant at the end (not w, x or y): a short syllable such as "hop" or "shar"."""
    return len(word) >= 3 and _shape(word)[-3:] == "cvc" and word[-1] not in "wxy"


def _plurals(word: str) -> str:
    if word.endswith("sses") or word.endswith("ies"):
        return word[:-2]
    if word.endswith(("ss", "us", "is")) or not word.endswith("s"):
        return word
    return word[:-1]


def _inflections(word: str) -> str:
    if word.endswith("eed"):
        return word[:-1] if _measure(word[:-3]) > 0 else word
    for suffix in ("ed", "ing"):
        if word.endswith(suffix) and _has_vowel(word[: -len(suffix)]):
            return _repair(word[: -len(suffix)])
    return word


def _repair(word: str) -> str:
    """Undo what removing -ed/-ing does to spelling: "hopp" → "hop", "escalat" → "escalate", "not" → "note"."""
    if word.endswith(("at", "bl", "iz")):
        return word + "e"
    if len(word) >= 2 and word[-1] == word[-2] and _is_consonant(word, len(word) - 1) and word[-1] not in "lsz":
        return word[:-1]
    if _measure(word) == 1 and _ends_cvc(word):
        return word + "e"
    return word


def _final_y(word: str) -> str:
    return word[:-1] + "i" if word.endswith("y") and _has_vowel(word[:-1]) else word


def _long_suffixes(word: str) -> str:
    for suffix, replacement in (("isation", "ise"), ("ization", "ize"), ("ational", "ate"), ("ation", "ate")):
        if word.endswith(suffix) and _measure(word[: -len(suffix)]) > 0:
            return word[: -len(suffix)] + replacement
    return word


def _everyday_suffixes(word: str) -> str:
    # "-ly" (spelt "li" by now) only after four letters, so "early" keeps its meaning apart from "ear".
    if word.endswith("li") and len(word) >= 6 and _has_vowel(word[:-2]):
        word = word[:-2]
    for suffix in ("ness", "ful"):
        if word.endswith(suffix) and _measure(word[: -len(suffix)]) > 0:
            word = word[: -len(suffix)]
    return word


def _formal_suffixes(word: str) -> str:
    if word.endswith("ment") and _measure(word[:-4]) > 0:
        return word[:-4]
    for suffix in ("ance", "ence", "ate"):
        if word.endswith(suffix) and _measure(word[: -len(suffix)]) > 1:
            return word[: -len(suffix)]
    return word


def _silent_e(word: str) -> str:
    if not word.endswith("e"):
        return word
    rest = word[:-1]
    return rest if _measure(rest) > 1 or (_measure(rest) == 1 and not _ends_cvc(rest)) else word


# --- Suggesting themes ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ThemeKeywords:
    """The part of a codebook theme that suggestions use: its slug and its keywords."""

    slug: str
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class Suggestion:
    """A theme suggested for an excerpt, with the excerpt's own words that matched, in reading order."""

    theme_slug: str
    score: float
    matched: tuple[str, ...]


@dataclass(frozen=True)
class _Word:
    start: int
    end: int
    stem: str
    acronym: str | None


@dataclass(frozen=True)
class _Part:
    """One word of a keyword: compared by stem, or letter for letter when it is an acronym."""

    stem: str
    acronym: str | None

    def matches(self, word: _Word) -> bool:
        return word.acronym == self.acronym if self.acronym else word.stem == self.stem


def theme_keywords(themes: Iterable[Mapping[str, Any]]) -> list[ThemeKeywords]:
    """Codebook themes as dictionaries (``builtin_themes()``, ``codebook_files.codebook_from_csv``) →
    ``ThemeKeywords``."""
    return [ThemeKeywords(str(theme["slug"]), tuple(theme.get("keywords", ()))) for theme in themes]


def suggest_themes(
    text: str, themes: Sequence[ThemeKeywords | Mapping[str, Any]], *, limit: int = 3
) -> list[Suggestion]:
    """Up to ``limit`` themes whose keywords appear in ``text``, best first (then by slug); [] if none match.

    ``themes`` holds ``ThemeKeywords`` or mappings with "slug" and "keywords".
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    words = _words(text)
    joined = [_JOINER.fullmatch(text, words[i].end, words[i + 1].start) is not None for i in range(len(words) - 1)]
    index: dict[str, list[int]] = {}  # stems are lower-case and acronyms are not, so one index holds both
    for position, word in enumerate(words):
        for key in filter(None, (word.stem, word.acronym)):
            index.setdefault(key, []).append(position)
    suggestions = []
    for theme in themes:
        slug, keywords = _slug_and_keywords(theme)
        found = _theme_matches(_compile(keywords), words, joined, index)
        if found:
            score = float(sum(end - start for start, end in found))
            matched = tuple(dict.fromkeys(_surface(text, words, start, end) for start, end in sorted(found)))
            suggestions.append(Suggestion(slug, score, matched))
    suggestions.sort(key=lambda s: (-s.score, s.theme_slug))
    return suggestions[:limit]


def _slug_and_keywords(theme: ThemeKeywords | Mapping[str, Any]) -> tuple[str, tuple[str, ...]]:
    if isinstance(theme, Mapping):
        return str(theme["slug"]), tuple(theme.get("keywords", ()))
    return theme.slug, tuple(theme.keywords)


def _words(text: str) -> list[_Word]:
    found = []
    for match in _WORD.finditer(text):
        raw = _POSSESSIVE.sub("", match.group())
        found.append(_Word(match.start(), match.end(), stem(_normalise(raw)), _acronym(raw)))
    return found


def _acronym(raw: str) -> str | None:
    """ "DNA" → "DNA", "ACEs" → "ACE"; None for an ordinary word (at least two letters, all capitals)."""
    core = raw[:-1] if raw.endswith("s") else raw
    letters = [c for c in core if c.isalpha()]
    return core if len(letters) >= 2 and all(c.isupper() for c in letters) else None


@lru_cache(maxsize=2048)
def _compile(keywords: tuple[str, ...]) -> tuple[tuple[_Part, ...], ...]:
    """Each keyword as a tuple of parts; keywords that stem alike ("father", "fathers") are kept once.

    Cached: suggesting for a whole audit reads the same codebook thousands of times.
    """
    compiled: dict[tuple[_Part, ...], None] = {}
    for keyword in keywords:
        parts = tuple(_Part(w.stem, w.acronym) for w in _words(str(keyword)))
        if parts:
            compiled.setdefault(parts, None)
    return tuple(compiled)


def _theme_matches(
    keywords: tuple[tuple[_Part, ...], ...], words: list[_Word], joined: list[bool], index: dict[str, list[int]]
) -> list[tuple[int, int]]:
    """The first occurrence (word span) of each keyword that is not inside a longer matched phrase."""
    occurrences = []
    for number, parts in enumerate(keywords):
        first = parts[0].acronym or parts[0].stem
        for start in index.get(first, ()):
            if _phrase_at(parts, words, joined, start):
                occurrences.append((start, start + len(parts), number))
    furthest: dict[int, int] = {}
    for start, end, _ in occurrences:
        furthest[start] = max(end, furthest.get(start, end))
    longest = max((len(parts) for parts in keywords), default=0)
    kept: dict[int, tuple[int, int]] = {}
    for start, end, number in sorted(occurrences):
        if number not in kept and not _inside_longer(start, end, furthest, longest):
            kept[number] = (start, end)
    return list(kept.values())


def _inside_longer(start: int, end: int, furthest: dict[int, int], longest: int) -> bool:
    """True when another matched phrase strictly contains the words ``start`` to ``end``."""
    return any(
        furthest.get(s, -1) >= end and (s, furthest[s]) != (start, end) for s in range(max(0, end - longest), start + 1)
    )


def _phrase_at(parts: tuple[_Part, ...], words: list[_Word], joined: list[bool], start: int) -> bool:
    end = start + len(parts)
    if end > len(words):
        return False
    return all(part.matches(words[start + i]) for i, part in enumerate(parts)) and all(joined[start : end - 1])


def _surface(text: str, words: list[_Word], start: int, end: int) -> str:
    """The matched words exactly as written, with any run of white space shown as one space."""
    return _SPACES.sub(" ", text[words[start].start : words[end - 1].end])
