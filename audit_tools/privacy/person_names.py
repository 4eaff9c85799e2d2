"""Finding people's names in free text without knowing who the people are.

The disclosure check finds the names of people known to the workbench; a child's or a
relative's name ("Jayden Smith", "his mother Kerry") is known to nobody, so it is found
by its shape instead:

* a **title** and what follows it: "Mrs Okafor", "Dr A. Shah", "Master Jayden";
* a **given name** from the list shipped in ``data/given_names.txt`` (see its header for
  sources and licences), with the surname-like words after it: "Jayden", "Jayden Smith",
  "Anne-Marie Okafor", "Jayden's";
* **initials and a surname**: "J. Smith", "A.B. Shah", "J Smith".

Given names that are also ordinary words ("Faith", "Will", "May", "Summer") are reported
only with context: a surname-like word after it, a title before it, a family word before
it ("her daughter Faith") or after its possessive ("Jack's dad"), an age ("Hope, aged 3").
A run of capitalised words that ends in (or holds) a place or organisation word is a
place or organisation, not a person: "Grace Darling Primary", "Early Help Hub", "Rose Street".
Words in capitals (headings, "CAMHS") are never taken for names.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from importlib import resources

TITLES = frozenset(["mr", "mrs", "ms", "miss", "mx", "dr", "master", "mstr"])

# Words that make a run of capitalised words a place, an organisation, a service, a document
# or a job, so its given names are not a person's ("Grace Darling Primary", "Rose Street").
ORGANISATION_WORDS = frozenset(
    [
        "street",
        "road",
        "lane",
        "avenue",
        "close",
        "court",
        "drive",
        "way",
        "park",
        "centre",
        "center",
        "house",
        "cottage",
        "lodge",
        "manor",
        "farm",
        "estate",
        "gardens",
        "square",
        "terrace",
        "crescent",
        "place",
        "mews",
        "grove",
        "row",
        "rise",
        "walk",
        "village",
        "town",
        "city",
        "borough",
        "county",
        "district",
        "ward",
        "wards",
        "unit",
        "units",
        "bridge",
        "station",
        "hospital",
        "hospitals",
        "surgery",
        "practice",
        "clinic",
        "clinics",
        "school",
        "schools",
        "academy",
        "primary",
        "secondary",
        "infant",
        "infants",
        "junior",
        "juniors",
        "nursery",
        "nurseries",
        "college",
        "university",
        "pre-school",
        "preschool",
        "playgroup",
        "church",
        "chapel",
        "mosque",
        "temple",
        "synagogue",
        "hall",
        "library",
        "centre",
        "hub",
        "hubs",
        "team",
        "teams",
        "service",
        "services",
        "trust",
        "trusts",
        "council",
        "councils",
        "partnership",
        "partnerships",
        "board",
        "boards",
        "group",
        "groups",
        "project",
        "projects",
        "foundation",
        "charity",
        "society",
        "association",
        "network",
        "forum",
        "panel",
        "committee",
        "conference",
        "office",
        "department",
        "directorate",
        "authority",
        "agency",
        "agencies",
        "police",
        "constabulary",
        "fire",
        "nhs",
        "icb",
        "ccg",
        "care",
        "social",
        "help",
        "health",
        "visiting",
        "visitor",
        "visitors",
        "safeguarding",
        "protection",
        "children",
        "children's",
        "family",
        "families",
        "parenting",
        "parents",
        "carers",
        "community",
        "communities",
        "programme",
        "programmes",
        "program",
        "plan",
        "plans",
        "profile",
        "tool",
        "toolkit",
        "kit",
        "framework",
        "model",
        "approach",
        "assessment",
        "assessments",
        "policy",
        "procedure",
        "procedures",
        "protocol",
        "strategy",
        "review",
        "reviews",
        "act",
        "guidance",
        "standard",
        "standards",
        "award",
        "network",
        "principles",
        "rules",
        "checklist",
        "matrix",
        "pathway",
        "pathways",
        "offer",
        "front",
        "door",
        "mash",
        "edge",
        "court",
        "courts",
        "prison",
        "prisons",
        "house",
        "homes",
        "officer",
        "officers",
        "lead",
        "leads",
        "manager",
        "managers",
        "coordinator",
        "worker",
        "workers",
        "nurse",
        "nurses",
        "practitioner",
        "practitioners",
        "designated",
        "independent",
        "reviewing",
        "chair",
        "head",
        "teacher",
        "headteacher",
        "deputy",
        "director",
        "safety",
        "signs",
        "eyes",
        "learning",
        "briefing",
        "report",
        "reports",
        "summary",
        "overview",
        "appendix",
        "annex",
        "infirmary",
        "café",
        "cafe",
        "garden",
        "gardens",
        "project",
        "forum",
        "challenge",
        "club",
        "clubs",
        "term",
        "terms",
        "holiday",
        "holidays",
        "half-term",
        "festival",
        "fair",
        "week",
        "weekend",
        "years",
        "barnardo",
        "nspcc",
    ]
)

# Written in small letters after a capitalised run, these still make it a place: "Grace Darling ward".
PLACE_NOUNS = frozenset(
    [
        "street",
        "road",
        "lane",
        "avenue",
        "close",
        "court",
        "drive",
        "park",
        "centre",
        "house",
        "estate",
        "ward",
        "school",
        "academy",
        "nursery",
        "surgery",
        "hospital",
        "clinic",
        "library",
        "church",
        "hall",
        "station",
    ]
)

# Family and other people words: "her daughter Faith", "Jack's dad".
RELATION_WORDS = frozenset(
    [
        "mother",
        "father",
        "mum",
        "mummy",
        "mam",
        "dad",
        "daddy",
        "son",
        "sons",
        "daughter",
        "daughters",
        "brother",
        "brothers",
        "sister",
        "sisters",
        "sibling",
        "siblings",
        "half-brother",
        "half-sister",
        "stepfather",
        "stepmother",
        "stepdad",
        "stepmum",
        "step-father",
        "step-mother",
        "step-dad",
        "step-mum",
        "grandmother",
        "grandfather",
        "nan",
        "nana",
        "nanna",
        "gran",
        "granny",
        "grandma",
        "grandad",
        "grandpa",
        "grandparent",
        "grandparents",
        "aunt",
        "auntie",
        "aunty",
        "uncle",
        "cousin",
        "cousins",
        "nephew",
        "niece",
        "partner",
        "boyfriend",
        "girlfriend",
        "husband",
        "wife",
        "ex-partner",
        "baby",
        "child",
        "twin",
        "twins",
        "carer",
        "carers",
        "friend",
        "friends",
        "neighbour",
        "named",
        "called",
    ]
)
# After a name's possessive, these say the name is a person's: "Faith's school", "Will's bedroom".
POSSESSED_WORDS = RELATION_WORDS | frozenset(
    [
        "school",
        "nursery",
        "teacher",
        "class",
        "bedroom",
        "birthday",
        "attendance",
        "behaviour",
        "weight",
        "health",
        "needs",
        "gp",
        "social",
        "worker",
        "voice",
        "views",
        "wishes",
        "feelings",
        "lived",
        "experience",
        "plan",
        "development",
        "teeth",
        "speech",
    ]
)

MONTHS = frozenset(
    [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ]
)
DAYS = frozenset(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])
SEASONS = frozenset(["spring", "summer", "autumn", "winter"])
# Given names that are words used capitalised in running text for other reasons: reported
# only with a title, a family word, a surname or an age, never for the capital alone.
WEAK_NAMES = (
    MONTHS
    | SEASONS
    | frozenset(
        [
            "easter",
            "christmas",
            "diwali",
            "eid",
            "king",
            "queen",
            "prince",
            "princess",
            "duke",
            "earl",
            "major",
            "judge",
            "sir",
            "lady",
            "lord",
            "master",
            "baron",
            "chancellor",
            "marshal",
            "bishop",
            "deacon",
            "dean",
            "saint",
            "general",
            "early",
            "case",
            "an",
            "any",
            "see",
            "my",
            "true",
            "unique",
            "star",
            "golden",
            "page",
            "link",
            "memory",
            "tab",
            "journey",
            "young",
            "little",
            "seven",
            "cache",
            "mar",
            "ma",
            "pa",
            "ha",
            "eh",
            "even",
            "special",
            "royal",
            "justice",
            "liberty",
            "unity",
            "freedom",
            "peace",
            "truth",
            "nature",
            "knowledge",
            "wisdom",
            "hope",
            "faith",
            "charity",
            "promise",
            "destiny",
            "trinity",
            "genesis",
            "exodus",
            "paradise",
            "heaven",
            "legacy",
            "legend",
            "victory",
            "quest",
            "summit",
            "era",
            "rise",
            "park",
            "parks",
            "terrace",
            "lane",
            "cross",
            "gates",
            "banks",
            "manual",
            "oral",
            "loan",
            "son",
            "sun",
            "can",
            "said",
            "shone",
            "hang",
            "long",
            "lean",
            "even",
            "deep",
            "tan",
            "tin",
            "toy",
            "usher",
            "steward",
            "walker",
            "ward",
            "west",
        ]
    )
)
# Given names that are also words (in the word list) but are almost always names when
# written with a capital: reported wherever they are, like any other given name.
NAMES_FIRST = frozenset(
    [
        "harry",
        "peter",
        "john",
        "martin",
        "maria",
        "mike",
        "matt",
        "victor",
        "derrick",
        "sally",
        "sherry",
        "kitty",
        "patty",
        "eddy",
        "ken",
        "amir",
        "ameer",
        "emir",
        "ani",
        "aria",
        "ares",
        "chi",
        "sera",
        "sari",
        "mason",
        "cooper",
        "archer",
        "hunter",
        "tanner",
        "piper",
        "jasper",
        "jarred",
        "garret",
        "colt",
        "drew",
        "rob",
        "nick",
        "bob",
        "bud",
        "buddy",
        "chuck",
        "don",
        "jay",
        "lee",
        "ray",
        "guy",
        "frank",
        "bill",
        "sue",
        "pat",
        "carol",
        "dawn",
        "holly",
        "ivy",
        "lily",
        "rosemary",
        "poppy",
        "daisy",
        "ruby",
        "jade",
        "amber",
        "hazel",
        "heather",
        "olive",
        "violet",
        "iris",
        "willow",
        "skye",
        "robin",
        "penny",
        "melody",
        "harmony",
        "scarlet",
    ]
)
# Given names that are also UK places or countries: reported only with context, like words.
PLACE_NAMES = frozenset(
    [
        "london",
        "chester",
        "lincoln",
        "beverley",
        "preston",
        "devon",
        "kent",
        "chelsea",
        "paisley",
        "jersey",
        "sydney",
        "florence",
        "camden",
        "brooklyn",
        "clifton",
        "milton",
        "carlton",
        "kendal",
        "kingsley",
        "hamilton",
        "darwin",
        "sutton",
        "weston",
        "ashton",
        "crosby",
        "harlow",
        "kirby",
        "india",
        "georgia",
        "kenya",
        "israel",
        "asia",
        "africa",
        "america",
        "dakota",
        "paris",
        "austin",
        "dallas",
        "houston",
        "orlando",
        "eden",
        "york",
        "stanley",
        "shirley",
        "ashley",
        "bradford",
        "bristol",
        "derby",
        "durham",
        "lancaster",
        "warwick",
        "winchester",
        "wells",
        "chelmsford",
        "cheltenham",
        "bedford",
        "hastings",
        "buxton",
        "ely",
        "bury",
        "wigan",
        "halifax",
        "douglas",
        "ireland",
        "scotland",
        "wales",
        "england",
        "britain",
        "essex",
        "surrey",
        "sussex",
        "oxford",
        "cambridge",
        "windsor",
        "kensington",
        "brixton",
        "hackney",
        "lewisham",
        "croydon",
    ]
)
FUNCTION_WORDS = frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "or",
        "but",
        "of",
        "in",
        "on",
        "at",
        "to",
        "for",
        "from",
        "by",
        "with",
        "as",
        "is",
        "was",
        "were",
        "be",
        "been",
        "are",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "he",
        "she",
        "they",
        "we",
        "you",
        "i",
        "his",
        "her",
        "their",
        "our",
        "your",
        "my",
        "no",
        "not",
        "all",
        "any",
        "each",
        "every",
        "some",
        "one",
        "two",
        "three",
        "if",
        "when",
        "where",
        "while",
        "after",
        "before",
        "then",
        "than",
        "so",
        "also",
        "only",
        "just",
        "more",
        "most",
        "less",
        "very",
        "there",
        "here",
        "what",
        "who",
    ]
)
# A single letter before these names a thing, not a person: "Child H", "Appendix B", "Vitamin D".
LETTER_LABELS = frozenset(
    [
        "child",
        "children",
        "case",
        "family",
        "plan",
        "appendix",
        "annex",
        "section",
        "part",
        "table",
        "figure",
        "chart",
        "year",
        "stage",
        "phase",
        "tier",
        "level",
        "option",
        "step",
        "grade",
        "category",
        "block",
        "room",
        "ward",
        "unit",
        "site",
        "team",
        "group",
        "form",
        "class",
        "vitamin",
        "hepatitis",
        "type",
        "model",
        "schedule",
        "group",
        "sibling",
        "baby",
        "mother",
        "father",
        "person",
        "young",
        "adult",
        "boy",
        "girl",
    ]
)
PARTICLES = frozenset(
    [
        "van",
        "von",
        "de",
        "da",
        "di",
        "du",
        "del",
        "della",
        "der",
        "den",
        "le",
        "la",
        "bin",
        "ibn",
        "al",
        "el",
        "ap",
        "mac",
        "st",
    ]
)

_TOKEN = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*\.?")
_POSSESSIVE = re.compile(r"['’]s?$")
_AGE_AFTER = re.compile(r"\s*(?:,\s*|\(\s*)?(?:aged?\s+\d|\d{1,2}\s*\)|\d{1,2}\s*(?:years?|yrs|months?)\b)", re.I)


@lru_cache(maxsize=1)
def given_names() -> dict[str, str]:
    """The shipped given names, folded to plain lower case, each with its kind: "name" or "word"."""
    table: dict[str, str] = {}
    text = resources.files("audit_tools.data").joinpath("given_names.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, kind = line.split("\t")
            table[fold(name)] = kind
    return table


def fold(word: str) -> str:
    """Lower case without accents, so "Zoë" is looked up as "zoe"."""
    if word.isascii():
        return word.lower()
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("’", "'")


class _Token:
    __slots__ = ("text", "start", "end", "bare", "key", "gap_before")

    def __init__(self, match: re.Match[str], text: str, previous_end: int) -> None:
        word = match.group().rstrip(".")
        self.text, self.start = word, match.start()
        self.end = match.start() + len(word)
        self.bare = _POSSESSIVE.sub("", word) if ("'" in word[-2:] or "’" in word[-2:]) else word
        self.key = fold(self.bare)
        self.gap_before = text[previous_end : match.start()]

    @property
    def capitalised(self) -> bool:
        return self.text[:1].isupper() and not (len(self.bare) > 1 and self.bare.isupper())

    @property
    def possessive(self) -> bool:
        return self.bare != self.text


def name_spans(text: str, *, lone: bool = True) -> Iterator[tuple[int, int, str]]:
    """Each stretch of ``text`` that looks like a person's name: (start, end, why), in order.

    ``lone``: report a given name with nothing else to show it is a person's ("Jayden was seen");
    off, a given name needs a surname, a title before it or a family word.
    """
    tokens = _tokens(text)
    taken = -1
    for i, token in enumerate(tokens):
        if token.start < taken:
            continue
        found = _title_name(text, tokens, i) or _initials_name(text, tokens, i) or _given_name(text, tokens, i, lone)
        if found:
            start, end, why = found
            taken = end
            yield start, end, why


def _tokens(text: str) -> list[_Token]:
    tokens, end = [], 0
    for match in _TOKEN.finditer(text):
        token = _Token(match, text, end)
        tokens.append(token)
        end = token.end
    return tokens


def _joined(tokens: list[_Token], i: int) -> bool:
    """True when token ``i`` follows token ``i - 1`` on the same line with only a space or a hyphen between."""
    return i > 0 and tokens[i].gap_before in (" ", "\u00a0", "-", " - ")


def _surname_like(token: _Token) -> bool:
    return (
        token.capitalised
        and token.key not in ORGANISATION_WORDS
        and token.key not in FUNCTION_WORDS
        and token.key not in MONTHS
        and token.key not in DAYS
        and len(token.bare) > 1
    )


def _run_after(tokens: list[_Token], i: int) -> tuple[int, bool]:
    """The last index of the run of surname-like words after token ``i``, and whether a place word ends it."""
    last, j = i, i + 1
    while j < len(tokens) and j - i <= 4 and _joined(tokens, j):
        token = tokens[j]
        if token.key in PARTICLES and j + 1 < len(tokens) and tokens[j + 1].capitalised:
            j += 1
            continue
        if token.capitalised and (token.key in ORGANISATION_WORDS or token.key in DAYS):
            return last, True
        if not token.capitalised and token.key in PLACE_NOUNS and not tokens[last].possessive:
            return last, True
        if not _surname_like(token) or tokens[last].possessive:
            break
        last = j
        j += 1
    return last, False


def _title_name(text: str, tokens: list[_Token], i: int) -> tuple[int, int, str] | None:
    token = tokens[i]
    if token.key not in TITLES or not token.capitalised or i + 1 >= len(tokens):
        return None
    first = tokens[i + 1]
    if not (first.capitalised and _surname_like(first)) or first.start - token.end > 3 or "\n" in first.gap_before:
        return None
    last, place = _run_after(tokens, i + 1)
    if place:
        return None
    return first.start, tokens[last].start + len(tokens[last].bare), "a title and a name"


def _initials_name(text: str, tokens: list[_Token], i: int) -> tuple[int, int, str] | None:
    token = tokens[i]
    if len(token.text) != 1 or not token.text.isupper():
        return None
    if i > 0 and tokens[i - 1].key in LETTER_LABELS and _joined(tokens, i):
        return None
    j = i
    dotted = text[token.end : token.end + 1] == "."
    while (
        j + 1 < len(tokens)
        and len(tokens[j + 1].text) == 1
        and tokens[j + 1].text.isupper()
        and tokens[j + 1].start - tokens[j].end <= 2
    ):
        j += 1
    if j + 1 >= len(tokens):
        return None
    surname = tokens[j + 1]
    gap = text[tokens[j].end : surname.start]
    # Without a full stop, "B Smith" needs a surname that is not also a word: "Plan B Review", "Vitamin D".
    if (
        gap not in (". ", " ", ".")
        or not _surname_like(surname)
        or not dotted
        and given_names().get(surname.key) == "word"
    ):
        return None
    if not dotted and (token.text in "AI" or j > i):
        return None
    last, place = _run_after(tokens, j + 1)
    if place:
        return None
    return token.start, tokens[last].start + len(tokens[last].bare), "initials and a surname"


def _given_name(text: str, tokens: list[_Token], i: int, lone: bool) -> tuple[int, int, str] | None:
    token = tokens[i]
    if not token.capitalised:
        return None
    parts = token.key.split("-")
    kinds = [given_names().get(part) for part in parts]
    if None in kinds or token.key in DAYS:
        return None
    if i > 0 and tokens[i - 1].key in ("st", "saint") and _joined(tokens, i):
        return None  # St Mary's, Saint Anne
    last, place = _run_after(tokens, i)
    if place:
        return None
    end = tokens[last].start + len(tokens[last].bare)
    with_surname = last > i
    strength = _strength(token.key, parts, kinds)
    if with_surname and not (strength == "weak" and _sentence_start(text, token)) or strength == "name" and lone:
        return token.start, end, "a given name and a surname" if with_surname else "a given name"
    if _has_context(text, tokens, i) or lone and strength == "context" and _isolated_capital(text, tokens, i):
        return token.start, end, "a given name"
    return None


def _strength(key: str, parts: list[str], kinds: list[str | None]) -> str:
    """ "name" (reported alone), "context" (reported with context or an isolated capital) or "weak"."""
    if len(parts) > 1:
        return "name"  # Anne-Marie, Kerry-Ann: hyphenated given names are not words
    if key in WEAK_NAMES:
        return "weak"
    if key in NAMES_FIRST:
        return "name"
    if key in PLACE_NAMES or kinds[0] == "word":
        return "context"
    return "name"


def _sentence_start(text: str, token: _Token) -> bool:
    before = text[: token.start].rstrip(" \t\u00a0")
    return not before or before[-1] in "\n.!?:;•*#>|\"“”'‘([–—-"


def _has_context(text: str, tokens: list[_Token], i: int) -> bool:
    token = tokens[i]
    if (
        i > 0
        and (tokens[i - 1].key in TITLES or tokens[i - 1].key in RELATION_WORDS)
        and tokens[i - 1].end >= token.start - 3
        and "\n" not in token.gap_before
    ):
        return True
    if token.possessive and i + 1 < len(tokens) and tokens[i + 1].key in POSSESSED_WORDS:
        return True
    return bool(_AGE_AFTER.match(text, token.end))


def _isolated_capital(text: str, tokens: list[_Token], i: int) -> bool:
    """A capital inside running text, between words in lower case: "when Faith was seen"."""
    if _sentence_start(text, tokens[i]):
        return False
    before = tokens[i - 1] if i > 0 else None
    after = tokens[i + 1] if i + 1 < len(tokens) else None
    return bool(before and not before.capitalised and (after is None or not after.capitalised))
