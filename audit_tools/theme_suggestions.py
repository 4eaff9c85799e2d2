"""Suggesting codebook themes for an uncoded excerpt, and the codebook as a CSV file.

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

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
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
    for step in (_plurals, _inflections, _final_y, _long_suffixes, _everyday_suffixes, _formal_suffixes,
                 _silent_e):
        word = step(word)
    return word[:-2] + "is" if word.endswith("iz") else word


def _shape(word: str) -> str:
    """The word as consonants and vowels: "happy" → "cvccv" (y after a consonant sounds like a vowel)."""
    shape = []
    for letter in word:
        vowel = letter in _VOWELS or (letter == "y" and shape[-1:] == ["c"])
        shape.append("v" if vowel else "c")
    return "".join(shape)


def _is_consonant(word: str, i: int) -> bool:
    return _shape(word[:i + 1])[-1] == "c"


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
        if word.endswith(suffix) and _has_vowel(word[:-len(suffix)]):
            return _repair(word[:-len(suffix)])
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
        if word.endswith(suffix) and _measure(word[:-len(suffix)]) > 0:
            return word[:-len(suffix)] + replacement
    return word


def _everyday_suffixes(word: str) -> str:
    # "-ly" (spelt "li" by now) only after four letters, so "early" keeps its meaning apart from "ear".
    if word.endswith("li") and len(word) >= 6 and _has_vowel(word[:-2]):
        word = word[:-2]
    for suffix in ("ness", "ful"):
        if word.endswith(suffix) and _measure(word[:-len(suffix)]) > 0:
            word = word[:-len(suffix)]
    return word


def _formal_suffixes(word: str) -> str:
    if word.endswith("ment") and _measure(word[:-4]) > 0:
        return word[:-4]
    for suffix in ("ance", "ence", "ate"):
        if word.endswith(suffix) and _measure(word[:-len(suffix)]) > 1:
            return word[:-len(suffix)]
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
    """Codebook themes as dictionaries (``builtin_themes()``, ``codebook_from_csv``) → ``ThemeKeywords``."""
    return [ThemeKeywords(str(theme["slug"]), tuple(theme.get("keywords", ()))) for theme in themes]


def suggest_themes(text: str, themes: Sequence[ThemeKeywords | Mapping[str, Any]], *,
                   limit: int = 3) -> list[Suggestion]:
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
    """"DNA" → "DNA", "ACEs" → "ACE"; None for an ordinary word (at least two letters, all capitals)."""
    core = raw[:-1] if raw.endswith("s") else raw
    letters = [c for c in core if c.isalpha()]
    return core if len(letters) >= 2 and all(c.isupper() for c in letters) else None


def _compile(keywords: Iterable[str]) -> list[tuple[_Part, ...]]:
    """Each keyword as a tuple of parts; keywords that stem alike ("father", "fathers") are kept once."""
    compiled = {}
    for keyword in keywords:
        parts = tuple(_Part(w.stem, w.acronym) for w in _words(str(keyword)))
        if parts:
            compiled.setdefault(parts, None)
    return list(compiled)


def _theme_matches(keywords: list[tuple[_Part, ...]], words: list[_Word], joined: list[bool],
                   index: dict[str, list[int]]) -> list[tuple[int, int]]:
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
    return any(furthest.get(s, -1) >= end and (s, furthest[s]) != (start, end)
               for s in range(max(0, end - longest), start + 1))


def _phrase_at(parts: tuple[_Part, ...], words: list[_Word], joined: list[bool], start: int) -> bool:
    end = start + len(parts)
    if end > len(words):
        return False
    return (all(part.matches(words[start + i]) for i, part in enumerate(parts))
            and all(joined[start:end - 1]))


def _surface(text: str, words: list[_Word], start: int, end: int) -> str:
    """The matched words exactly as written, with any run of white space shown as one space."""
    return _SPACES.sub(" ", text[words[start].start:words[end - 1].end])


# --- The codebook as CSV -------------------------------------------------------------------------

CSV_COLUMNS = ("name", "description", "keywords", "category", "slug")
REQUIRED_COLUMNS = ("name",)
MAX_NAME, MAX_DESCRIPTION, MAX_CATEGORY, MAX_KEYWORD, MAX_KEYWORDS = 120, 2000, 60, 60, 40
MAX_THEMES = 500
MAX_PROBLEMS = 50
FORMULA_START = "=+-@\t\r"
SLUG_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,59}")
_CHARACTER_NAMES = {"\t": "a tab", "\r": "a carriage return"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # invisible, and NUL cannot be stored in PostgreSQL


class CodebookError(ValueError):
    """Raised with every problem found in a codebook file; ``problems`` lists them, each naming its line."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def codebook_to_csv(themes: Iterable[Mapping[str, Any]]) -> str:
    """The codebook as CSV text: name, description, keywords ("; " between them), category, slug.

    A cell that a spreadsheet would run as a formula (starting with = + - @, a tab or
    a carriage return) is written with an apostrophe in front, so it opens as text (and
    would then be refused on import, which never accepts formula-like cells). A keyword
    containing ";" would come back as two keywords, so the theme editor should refuse it.
    """
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for theme in themes:
        cells = (theme.get("name", ""), theme.get("description", ""), "; ".join(theme.get("keywords", ())),
                 theme.get("category", ""), theme.get("slug", ""))
        writer.writerow([_neutralise(str(cell)) for cell in cells])
    return out.getvalue()


def _neutralise(cell: str) -> str:
    return "'" + cell if cell[:1] and cell[0] in FORMULA_START else cell


def codebook_from_csv(text: str) -> list[dict]:
    """Themes from CSV text as dictionaries (slug, name, description, category, keywords), or CodebookError.

    The header must name a "name" column and may name description, keywords,
    category and slug, in any order. Blank rows are ignored. Keywords are split at
    ";" (a repeated keyword is kept once). A missing slug is made from the name.
    Nothing is returned unless the whole file is good.
    """
    problems: list[str] = []
    records = _records(text.removeprefix("\ufeff"), problems)
    if not records and not problems:
        problems.append("Line 1: the file is empty; it needs a header row (name, description, keywords, category)")
    if problems:
        raise CodebookError(problems)
    columns = _columns(records[0][1], problems)
    if problems:  # rows cannot be read against a header that is wrong
        raise CodebookError(problems)
    themes: list[dict] = []
    lines_by_name: dict[str, int] = {}
    for line, cells in records[1:]:
        if any(cell.strip() for cell in cells):
            themes.append(_theme(line, cells, columns, lines_by_name, problems))
    if not themes and not problems:
        problems.append("Line 2: there are no themes under the header row")
    if len(themes) > MAX_THEMES:
        problems.append(f"Line 1: the file has {len(themes)} themes; the limit is {MAX_THEMES}")
    _assign_slugs(themes, problems)
    if problems:
        raise CodebookError(_capped(problems))
    for theme in themes:
        del theme["line"]
    return themes


def _records(text: str, problems: list[str]) -> list[tuple[int, list[str]]]:
    """Each CSV record with the line on which it starts (line 1 is the header)."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records, line = [], 1
    try:
        for cells in reader:
            records.append((line, cells))
            line = reader.line_num + 1
    except csv.Error as error:
        problems.append(f"Line {line}: this is not readable CSV ({error}); save the file as CSV (UTF-8) again")
    return records


def _columns(header: list[str], problems: list[str]) -> list[str]:
    columns = [cell.strip().lower() for cell in header]
    for column in columns:
        if column not in CSV_COLUMNS:
            problems.append(f'Line 1: "{column}" is not a codebook column; use {", ".join(CSV_COLUMNS)}')
    for column in sorted({c for c in columns if columns.count(c) > 1 and c in CSV_COLUMNS}):
        problems.append(f'Line 1: the column "{column}" appears more than once')
    for column in REQUIRED_COLUMNS:
        if column not in columns:
            problems.append(f'Line 1: the header has no "{column}" column')
    return columns


def _theme(line: int, cells: list[str], columns: list[str], lines_by_name: dict[str, int],
           problems: list[str]) -> dict:
    """One row as a theme dictionary, noting every problem on that line."""
    def fail(message: str) -> None:
        problems.append(f"Line {line}: {message}")

    if len(cells) > len(columns):
        fail(f"there are {len(cells)} values but the header names {len(columns)} columns")
    raw = dict(zip(columns, cells))
    for column, cell in raw.items():
        if _starts_like_formula(cell):
            first = cell[0] if cell[0] in FORMULA_START else cell.strip()[0]
            fail(f"the {column} starts with {_describe(first)}, which a spreadsheet could run as a formula; "
                 "remove that character")
        control = _CONTROL.search(cell)
        if control:
            fail(f"the {column} contains a control character (U+{ord(control.group()):04X}); remove it")
    name = raw.get("name", "").strip()
    if not name:
        fail("the name is missing")
    for column, limit in (("name", MAX_NAME), ("description", MAX_DESCRIPTION), ("category", MAX_CATEGORY)):
        value = raw.get(column, "").strip()
        if len(value) > limit:
            fail(f"the {column} is {len(value)} characters long; the limit is {limit}")
    key = " ".join(name.casefold().split())
    if name and key in lines_by_name:
        fail(f'the name "{name}" is already used on line {lines_by_name[key]} (names must differ, '
             "ignoring capitals)")
    lines_by_name.setdefault(key, line)
    return {"slug": raw.get("slug", "").strip(), "name": name, "description": raw.get("description", "").strip(),
            "category": raw.get("category", "").strip(), "keywords": _keywords(raw.get("keywords", ""), fail),
            "line": line}


def _keywords(cell: str, fail: Callable[[str], None]) -> list[str]:
    keywords = list(dict.fromkeys(k.strip() for k in cell.split(";") if k.strip()))
    if len(keywords) > MAX_KEYWORDS:
        fail(f"there are {len(keywords)} keywords; the limit is {MAX_KEYWORDS}")
    for keyword in keywords:
        if len(keyword) > MAX_KEYWORD:
            fail(f'the keyword "{keyword[:30]}…" is {len(keyword)} characters long; the limit is {MAX_KEYWORD}')
        if keyword[0] in FORMULA_START:
            fail(f'the keyword "{keyword}" starts with {_describe(keyword[0])}, which a spreadsheet could run '
                 "as a formula; remove that character")
    return keywords


def _starts_like_formula(cell: str) -> bool:
    stripped = cell.strip()
    return bool(cell) and (cell[0] in FORMULA_START or (stripped[:1] != "" and stripped[0] in FORMULA_START))


def _describe(character: str) -> str:
    return _CHARACTER_NAMES.get(character, f'"{character}"')


def _assign_slugs(themes: list[dict], problems: list[str]) -> None:
    """Check the slugs given; make the missing ones from the name, unique within the codebook."""
    taken: dict[str, int] = {}
    for theme in themes:
        slug = theme["slug"]
        if not slug:
            continue
        if not SLUG_PATTERN.fullmatch(slug):
            problems.append(f'Line {theme["line"]}: the slug "{slug}" must start with a lower-case letter and use only '
                            "lower-case letters, digits and underscores (at most 60)")
        elif slug in taken:
            problems.append(f'Line {theme["line"]}: the slug "{slug}" is already used on line {taken[slug]}')
        taken.setdefault(slug, theme["line"])
    for theme in themes:
        if not theme["slug"]:
            theme["slug"] = _unique(slug_from_name(theme["name"]), taken)
            taken[theme["slug"]] = theme["line"]


def slug_from_name(name: str) -> str:
    """A slug for a theme name: "Drift, delay and 'start again'" → "drift_delay_and_start_again"."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "_", ascii_name.lower()).strip("_")
    if not slug[:1].isalpha():
        slug = f"theme_{slug}".rstrip("_")
    return slug[:60].rstrip("_")


def _unique(slug: str, taken: Mapping[str, int]) -> str:
    candidate, number = slug, 2
    while candidate in taken:
        suffix = f"_{number}"
        candidate, number = slug[:60 - len(suffix)].rstrip("_") + suffix, number + 1
    return candidate


def _capped(problems: list[str]) -> list[str]:
    if len(problems) <= MAX_PROBLEMS:
        return problems
    return problems[:MAX_PROBLEMS] + [f"Stopped after {MAX_PROBLEMS} problems; correct these and try again."]
