"""Disclosure check: before a learning briefing is published, find anything that could identify a child.

``check_text`` reports every stretch of text that looks like an identifier:

* the audit's **case references** (whole word, any letter case);
* **names of people known to the workbench**: each full name, and each part of a name
  of three or more letters, whole word, any letter case, except the ordinary words in
  ``NAME_STOP_WORDS`` ("Grace", "Young", "Will" …), which would flag half a briefing;
  a stop-listed part is still found inside the full name ("Grace Hall");
* **dates that could be dates of birth**: a day, a month and a year together (12/03/2019,
  12-03-2019, 12.03.19, 12 March 2019, 12th March 2019, 12-Mar-2019, March 12, 2019,
  2019-03-12). A year alone, "2018-19", "March 2026", ages and durations are not dates;
  the check cannot tell a birth date from a meeting date, so every full date is reported;
* **UK postcodes** in full (GIR 0AA too), with or without the space;
* **NHS numbers**: ten digits, plain or grouped 3-3-4, with a valid modulus-11 check digit;
* **UK phone numbers**: +44, 0044 or 0, then a 9- or 10-digit number starting 1, 2, 3,
  5, 7, 8 or 9 (landlines, mobiles, freephone and non-geographic), spaced, dashed or
  with the area code in brackets;
* **e-mail addresses**;
* **names of people nobody told the workbench about** (a child, a relative), by their shape:
  a title and a name, a given name from a shipped list with a surname, initials and a surname
  (see ``person_names``). Turned off with ``find_unknown_names=False``.

Where two hits overlap, the more specific kind is kept (``_PRIORITY``): an NHS number
is not also a phone number, and a name inside an e-mail address is reported once, as
the address. The check guards against slips, not against someone hiding a name on
purpose (spelt out digits, look-alike characters).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from audit_tools.privacy.person_names import name_spans

KIND_LABELS = {
    "case_reference": "Case reference",
    "name": "Name of a person",
    "date_of_birth": "Date that could be a date of birth",
    "postcode": "UK postcode",
    "nhs_number": "NHS number",
    "phone": "UK phone number",
    "email": "E-mail address",
}
# Most specific first: of two overlapping hits, the one whose kind comes first is kept.
_PRIORITY = ("email", "case_reference", "nhs_number", "phone", "postcode", "date_of_birth", "name")
CONTEXT_WIDTH = 40
MIN_NAME_PART = 3

# Parts of names that are also ordinary words in a briefing. Alone they are not reported
# (a surname "Young" would flag every "young people"); the full name still is.
NAME_STOP_WORDS = frozenset(
    [
        "child",
        "children",
        "young",
        "people",
        "person",
        "social",
        "care",
        "carer",
        "early",
        "help",
        "family",
        "families",
        "parent",
        "parents",
        "mother",
        "father",
        "mum",
        "dad",
        "baby",
        "school",
        "nursery",
        "health",
        "police",
        "nurse",
        "doctor",
        "worker",
        "team",
        "service",
        "services",
        "lead",
        "plan",
        "review",
        "case",
        "audit",
        "panel",
        "practice",
        "learning",
        "partnership",
        "agency",
        "home",
        "house",
        "court",
        "trust",
        "safe",
        "support",
        "visit",
        "report",
        "council",
        "county",
        "city",
        "borough",
        "north",
        "south",
        "east",
        "west",
        "central",
        "test",
        "demo",
        "admin",
        "administrator",
        "coordinator",
        "auditor",
        "editor",
        "viewer",
        "user",
        "manager",
        "officer",
        "camhs",
        "nhs",
        "csc",
        "may",
        "june",
        "april",
        "august",
        "will",
        "mark",
        "rose",
        "grace",
        "hope",
        "faith",
        "joy",
        "dawn",
        "eve",
        "ivy",
        "holly",
        "lily",
        "daisy",
        "amber",
        "ruby",
        "pearl",
        "autumn",
        "summer",
        "winter",
        "spring",
        "sky",
        "river",
        "brook",
        "rain",
        "storm",
        "bill",
        "pat",
        "sue",
        "jack",
        "rob",
        "nick",
        "frank",
        "art",
        "gene",
        "guy",
        "ray",
        "sandy",
        "carol",
        "chase",
        "hunter",
        "mason",
        "taylor",
        "baker",
        "cook",
        "walker",
        "turner",
        "parker",
        "fisher",
        "bishop",
        "king",
        "knight",
        "bell",
        "page",
        "ward",
        "hall",
        "wood",
        "hill",
        "field",
        "lane",
        "green",
        "brown",
        "white",
        "black",
        "gray",
        "grey",
        "long",
        "short",
        "little",
        "small",
        "best",
        "good",
        "rich",
        "price",
        "lord",
        "law",
        "judge",
        "moss",
        "marsh",
        "ash",
        "well",
        "wells",
        "day",
        "week",
        "story",
        "love",
        "noble",
        "sharp",
        "strong",
        "fair",
        "free",
        "hardy",
        "hale",
        "major",
        "new",
        "van",
        "von",
        "der",
        "den",
        "del",
    ]
)

_MONTH_NUMBERS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)(?![a-z])\.?"
)
_DAY = r"(?:0?[1-9]|[12][0-9]|3[01])(?:st|nd|rd|th)?(?![0-9a-z])"
_YEAR = r"(?:19|20)[0-9]{2}(?![0-9])"
# Every form starts with a digit or a month's first letter: the lookahead skips other places fast.
_WORDY_DATE = re.compile(
    rf"(?=[0-9jfmasond])(?<!\w)(?:{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}"
    rf"|{_DAY}-{_MONTH}-(?:{_YEAR}|[0-9]{{2}}(?![0-9]))"
    rf"|{_MONTH}\s+{_DAY},?\s+{_YEAR})",
    re.I,
)
_NOT_AFTER_NUMBER = r"(?![0-9]|[/.\-][0-9])"
_DMY = re.compile(rf"(?<![\w./\-])([0-9]{{1,2}})([/.\-])([0-9]{{1,2}})\2([0-9]{{4}}|[0-9]{{2}}){_NOT_AFTER_NUMBER}")
_YMD = re.compile(rf"(?<![\w./\-])((?:19|20)[0-9]{{2}})([/.\-])([0-9]{{1,2}})\2([0-9]{{1,2}}){_NOT_AFTER_NUMBER}")

_POSTCODE = re.compile(
    r"(?<!\w)(?:GIR[ \u00a0]?0AA|[A-PR-UWYZ](?:[0-9][0-9A-HJKPSTUW]?|[A-HK-Y][0-9][0-9ABEHMNPRVWXY]?)"
    r"[ \u00a0]?[0-9][ABD-HJLNP-UW-Z]{2})(?!\w)",
    re.I,
)
_NHS_NUMBER = re.compile(r"(?<![0-9])([0-9]{3})([ \-\u00a0]?)([0-9]{3})\2([0-9]{4})(?![0-9])")

_SEP = r"[ \-.\u00a0]?"
_GAP = r"[ \-\u00a0]?"


def _digits(least: int, most: int) -> str:
    return rf"(?:{_SEP}[0-9]){{{least},{most}}}"


# After the trunk 0 (or +44) a UK number has 9 or 10 digits; the first is never 0, 4 or 6.
_BRACKETED = "|".join(rf"\(0[1-35789][0-9]{{{k}}}\){_GAP}[0-9]{_digits(7 - k, 8 - k)}" for k in range(1, 5))
_PHONE = re.compile(
    rf"(?<![\w+])(?:(?:\+|00)44{_GAP}(?:\(0\){_GAP}|0{_GAP})?[1-35789]{_digits(8, 9)}"
    rf"|{_BRACKETED}|0[1-35789]{_digits(8, 9)})(?![0-9])"
)

_EMAIL = re.compile(
    r"(?<![\w.%+\-])[A-Za-z0-9](?:[A-Za-z0-9._%+\-]*[A-Za-z0-9_%+\-])?"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}(?![\w\-])"
)
_NAME_PART = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
_APOSTROPHE = re.compile("['’]")
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})


@dataclass(frozen=True)
class Hit:
    """One stretch of text that could identify someone: ``start``/``end`` are offsets, ``column`` is 1-based."""

    kind: str
    text: str
    line: int
    column: int
    start: int
    end: int
    context: str

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]


def check_text(
    text: str,
    *,
    case_references: Iterable[str] = (),
    names: Iterable[str] = (),
    find_unknown_names: bool = True,
    lone_given_names: bool = True,
) -> list[Hit]:
    """Every possible identifier in ``text``, in order of position; an empty list means none was found.

    ``find_unknown_names``: look for names by their shape too (``person_names``); ``lone_given_names``:
    report a given name written alone ("Jayden"), not only with a surname, a title or a family word.
    """
    if isinstance(case_references, str) or isinstance(names, str):
        raise TypeError("case_references and names are collections of strings, not one string")
    spans = [
        *_email_spans(text),
        *_word_spans(text, "case_reference", _reference_alternatives(case_references)),
        *_nhs_spans(text),
        *_phone_spans(text),
        *_postcode_spans(text),
        *_date_spans(text),
        *_word_spans(text, "name", _name_alternatives(names)),
    ]
    if find_unknown_names:
        # Listed after the known names: of two hits of one kind and length, the first is kept.
        spans += [("name", start, end) for start, end, _ in name_spans(text, lone=lone_given_names)]
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    return [_hit(text, kind, start, end, line_starts) for kind, start, end in _most_specific(spans)]


def nhs_number_is_valid(digits: str) -> bool:
    """True for ten digits whose last is the modulus-11 check digit of the first nine (spaces and dashes ignored)."""
    digits = re.sub(r"[ \-]", "", digits)
    if not re.fullmatch(r"[0-9]{10}", digits):
        return False
    remainder = sum(int(d) * weight for d, weight in zip(digits[:9], range(10, 1, -1), strict=False)) % 11
    check = (11 - remainder) % 11  # 11 becomes 0; 10 means no valid check digit exists
    return check != 10 and check == int(digits[9])


def format_hit(hit: Hit) -> str:
    """``line:column kind "text"``, with backslash, double quote and line breaks in the text escaped."""
    return f'{hit.line}:{hit.column} {hit.kind} "{hit.text.translate(_ESCAPES)}"'


Span = tuple[str, int, int]


def _most_specific(spans: list[Span]) -> list[Span]:
    """Drop each span that overlaps a more specific (or, of the same kind, longer) one; sort by position."""
    kept: list[Span] = []  # in order of position; never overlapping, so only one neighbour can clash
    starts: list[int] = []
    for span in sorted(spans, key=lambda s: (_PRIORITY.index(s[0]), s[1] - s[2], s[1])):
        at = bisect.bisect_left(starts, span[2])
        if at == 0 or kept[at - 1][2] <= span[1]:
            kept.insert(at, span)
            starts.insert(at, span[1])
    return kept


def _hit(text: str, kind: str, start: int, end: int, line_starts: list[int]) -> Hit:
    line = bisect.bisect_right(line_starts, start)
    left, right = max(0, start - CONTEXT_WIDTH), min(len(text), end + CONTEXT_WIDTH)
    context = ("…" if left else "") + " ".join(text[left:right].split()) + ("…" if right < len(text) else "")
    return Hit(kind, text[start:end], line, start - line_starts[line - 1] + 1, start, end, context)


def _email_spans(text: str) -> Iterator[Span]:
    return (("email", m.start(), m.end()) for m in _EMAIL.finditer(text))


def _postcode_spans(text: str) -> Iterator[Span]:
    return (("postcode", m.start(), m.end()) for m in _POSTCODE.finditer(text))


def _nhs_spans(text: str) -> Iterator[Span]:
    return (("nhs_number", m.start(), m.end()) for m in _NHS_NUMBER.finditer(text) if nhs_number_is_valid(m.group()))


def _phone_spans(text: str) -> Iterator[Span]:
    for match in _PHONE.finditer(text):
        number = match.group()
        digits = re.sub(r"[^0-9]", "", number)
        national = digits[4:] if number.startswith("00") else digits[2:] if number.startswith("+") else digits
        national = national.removeprefix("0")  # the trunk 0, written alone or as (0)
        # Only some 01 numbers and 0800 numbers are one digit short; a 10-digit 07 number is a typo.
        if number.count("(") == number.count(")") and (len(national) == 10 or national[0] in "18"):
            yield "phone", match.start(), match.end()


def _date_spans(text: str) -> Iterator[Span]:
    for match in _WORDY_DATE.finditer(text):
        yield "date_of_birth", match.start(), match.end()
    for match in _DMY.finditer(text):
        day, separator, month, year = match.groups()
        if separator == "." and len(year) == 2 and (len(day) < 2 or len(month) < 2):
            continue  # "2.10.15" is more likely a version number than a date
        if _is_date(year, month, day) or _is_date(year, day, month):
            yield "date_of_birth", match.start(), match.end()
    for match in _YMD.finditer(text):
        year, _, month, day = match.groups()
        if _is_date(year, month, day):
            yield "date_of_birth", match.start(), match.end()


def _is_date(year: str, month: str, day: str) -> bool:
    try:
        date(int(year) if len(year) == 4 else 2000 + int(year), int(month), int(day))
    except ValueError:
        return False
    return True


def _word_spans(text: str, kind: str, alternatives: set[str]) -> Iterator[Span]:
    """Each alternative (a regular expression) as a whole word, any letter case, longest first."""
    if not alternatives:
        return
    pattern = re.compile(rf"(?<!\w)(?:{'|'.join(sorted(alternatives, key=lambda a: (-len(a), a)))})(?!\w)", re.I)
    for match in pattern.finditer(text):
        yield kind, match.start(), match.end()


def _words(phrase: str) -> str:
    """A phrase as a pattern: any run of white space between words, either kind of apostrophe."""
    return r"\s+".join(_APOSTROPHE.sub("['’]", re.escape(word)) for word in phrase.split())


def _reference_alternatives(references: Iterable[str]) -> set[str]:
    return {_words(reference) for reference in references if reference.strip()}


def _name_alternatives(names: Iterable[str]) -> set[str]:
    """Each full name, and each part of it that is long enough and not an ordinary word."""
    alternatives = set()
    for name in names:
        name = _EMAIL.sub(" ", name)  # a display name may be an e-mail address, found as such
        parts = [part for whole in _NAME_PART.findall(name) for part in {whole, *re.split(r"['’\-]", whole)}]
        for part in parts:
            if sum(c.isalpha() for c in part) >= MIN_NAME_PART and part.casefold() not in NAME_STOP_WORDS:
                alternatives.add(_words(part))
        if len(name.split()) > 1:
            alternatives.add(_words(name))
    return alternatives
