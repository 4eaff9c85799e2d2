"""The theme codebook as a CSV file: export, import (refused whole on any problem), and what an import changes.

The same rules check a theme typed into the codebook editor, so that whatever the
codebook holds can be exported and imported again unchanged.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from audit_tools.errors import WorkbenchError
from audit_tools.files import first_visible, runs_as_formula, spreadsheet_safe
from audit_tools.text import is_blank_looking

CSV_COLUMNS = ("name", "description", "keywords", "category", "slug")
REQUIRED_COLUMNS = ("name",)
THEME_FIELDS = ("name", "description", "category", "keywords")  # what an import may change; never the slug
MAX_NAME, MAX_DESCRIPTION, MAX_CATEGORY, MAX_KEYWORD, MAX_KEYWORDS = 120, 2000, 60, 60, 40
MAX_THEMES = 500
MAX_PROBLEMS = 50
SLUG_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,59}")
_CHARACTER_NAMES = {"\t": "a tab", "\r": "a carriage return"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # invisible, and NUL cannot be stored in PostgreSQL
_KEYWORD_SEPARATORS = re.compile(r"[;\r\n]")


class CodebookError(WorkbenchError):
    """Raised with every problem found in a codebook file; ``problems`` lists them, each naming its line."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class CodebookRow:
    """One theme read from a file, with its line and whether the file gave its slug (else made from the name)."""

    line: int
    slug: str
    name: str
    description: str
    category: str
    keywords: tuple[str, ...]
    slug_given: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "name": self.name,
            "description": self.description,
            "category": self.category,
            "keywords": list(self.keywords),
        }


@dataclass(frozen=True)
class CodebookFile:
    """A codebook file that passed every check: the columns it has and its themes."""

    columns: tuple[str, ...]
    rows: tuple[CodebookRow, ...]


# --- Rules shared by the file and the codebook editor ---------------------------------------------


def formula_problem(column: str, cell: str) -> str | None:
    """Why a value would be refused because a spreadsheet could run it as a formula, or None.

    Export puts an apostrophe before exactly these values, so refusing them keeps every
    stored theme exportable and importable unchanged.
    """
    if not runs_as_formula(cell):
        return None
    return (
        f"the {column} starts with {_describe(_formula_start(cell))}, which a spreadsheet could run as a formula; "
        "remove that character"
    )


def _formula_start(text: str) -> str:
    """The character that makes ``text`` a formula: its first, or the first that shows after blanks and
    invisible characters (which the person cannot see to remove)."""
    return text[0] if runs_as_formula(text[0]) else first_visible(text)


def control_problem(column: str, cell: str) -> str | None:
    """Why a value would be refused for an invisible control character, or None (tabs and line breaks are fine)."""
    control = _CONTROL.search(cell)
    return f"the {column} contains a control character (U+{ord(control.group()):04X}); remove it" if control else None


def split_keywords(text: str) -> list[str]:
    """Keywords separated by ";" or line breaks, each trimmed, blanks dropped, a repeat kept once."""
    return list(dict.fromkeys(k.strip() for k in _KEYWORD_SEPARATORS.split(text) if k.strip()))


def keyword_problems(keywords: Sequence[str]) -> list[str]:
    """What is wrong with a theme's keywords: too many, too long, or starting like a formula."""
    problems = (
        [f"there are {len(keywords)} keywords; the limit is {MAX_KEYWORDS}"] if len(keywords) > MAX_KEYWORDS else []
    )
    for keyword in keywords:
        if len(keyword) > MAX_KEYWORD:
            problems.append(
                f'the keyword "{keyword[:30]}…" is {len(keyword)} characters long; the limit is {MAX_KEYWORD}'
            )
        if runs_as_formula(keyword):
            problems.append(
                f'the keyword "{keyword}" starts with {_describe(_formula_start(keyword))}, which a spreadsheet '
                "could run as a formula; remove that character"
            )
    return problems


def name_key(name: str) -> str:
    """How theme names are compared: ignoring capitals and runs of spaces."""
    return " ".join(name.casefold().split())


def slug_from_name(name: str) -> str:
    """A slug for a theme name: "Drift, delay and 'start again'" → "drift_delay_and_start_again"."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "_", ascii_name.lower()).strip("_")
    if not slug[:1].isalpha():
        slug = f"theme_{slug}".rstrip("_")
    return slug[:60].rstrip("_")


def unique_slug(slug: str, taken: Iterable[str]) -> str:
    """``slug``, or ``slug_2``, ``slug_3``… whichever is not taken (at most 60 characters)."""
    taken = set(taken)
    candidate, number = slug, 2
    while candidate in taken:
        suffix = f"_{number}"
        candidate, number = slug[: 60 - len(suffix)].rstrip("_") + suffix, number + 1
    return candidate


def _describe(character: str) -> str:
    return _CHARACTER_NAMES.get(character, f'"{character}"')


# --- Export ---------------------------------------------------------------------------------------


def codebook_to_csv(themes: Iterable[Mapping[str, Any]]) -> str:
    """The codebook as CSV text: name, description, keywords ("; " between them), category, slug.

    A cell that a spreadsheet would run as a formula (starting, perhaps after spaces, with
    = + - @, their full-width forms, a tab or a carriage return) is written with an apostrophe in
    front, so it opens as text (and would then be refused on import, which never accepts
    formula-like cells). The
    codebook editor refuses such values, so an exported codebook imports unchanged.
    """
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for theme in themes:
        cells = (
            theme.get("name", ""),
            theme.get("description", ""),
            "; ".join(theme.get("keywords", ())),
            theme.get("category", ""),
            theme.get("slug", ""),
        )
        writer.writerow([spreadsheet_safe(str(cell)) for cell in cells])
    return out.getvalue()


# --- Import ---------------------------------------------------------------------------------------


def codebook_from_csv(text: str) -> list[dict[str, Any]]:
    """Themes from CSV text as dictionaries (slug, name, description, category, keywords), or CodebookError.

    The header must name a "name" column and may name description, keywords,
    category and slug, in any order. Blank rows are ignored. Keywords are split at
    ";" (a repeated keyword is kept once). A missing slug is made from the name.
    Nothing is returned unless the whole file is good.
    """
    return [row.as_dict() for row in read_codebook(text).rows]


def read_codebook(text: str) -> CodebookFile:
    """The file's columns and themes, each with its line, or CodebookError listing every problem by line."""
    problems: list[str] = []
    records = _records(text.removeprefix("\ufeff"), problems)
    if not records and not problems:
        problems.append("Line 1: the file is empty; it needs a header row (name, description, keywords, category)")
    if problems:
        raise CodebookError(problems)
    columns = _columns(records[0][1], problems)
    if problems:  # rows cannot be read against a header that is wrong
        raise CodebookError(problems)
    themes: list[dict[str, Any]] = []
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
    return CodebookFile(tuple(columns), tuple(CodebookRow(**theme) for theme in themes))


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


def _theme(
    line: int, cells: list[str], columns: list[str], lines_by_name: dict[str, int], problems: list[str]
) -> dict[str, Any]:
    """One row as a theme dictionary, noting every problem on that line."""

    def fail(message: str) -> None:
        problems.append(f"Line {line}: {message}")

    if len(cells) > len(columns):
        fail(f"there are {len(cells)} values but the header names {len(columns)} columns")
    raw = dict(zip(columns, cells, strict=False))
    for column, cell in raw.items():
        for problem in filter(None, (formula_problem(column, cell), control_problem(column, cell))):
            fail(problem)
    name = raw.get("name", "").strip()
    if is_blank_looking(name):  # spaces or invisible characters alone are no name (audit_tools.text)
        fail("the name is missing")
    for column, limit in (("name", MAX_NAME), ("description", MAX_DESCRIPTION), ("category", MAX_CATEGORY)):
        value = raw.get(column, "").strip()
        if len(value) > limit:
            fail(f"the {column} is {len(value)} characters long; the limit is {limit}")
    key = name_key(name)
    if name and key in lines_by_name:
        fail(f'the name "{name}" is already used on line {lines_by_name[key]} (names must differ, ignoring capitals)')
    lines_by_name.setdefault(key, line)
    return {
        "slug": raw.get("slug", "").strip(),
        "name": name,
        "description": raw.get("description", "").strip(),
        "category": raw.get("category", "").strip(),
        "keywords": _keywords(raw.get("keywords", ""), fail),
        "line": line,
        "slug_given": bool(raw.get("slug", "").strip()),
    }


def _keywords(cell: str, fail: Callable[[str], None]) -> tuple[str, ...]:
    keywords = split_keywords(cell)
    for problem in keyword_problems(keywords):
        fail(problem)
    return tuple(keywords)


def _assign_slugs(themes: list[dict[str, Any]], problems: list[str]) -> None:
    """Check the slugs given; make the missing ones from the name, unique within the codebook."""
    taken: dict[str, int] = {}
    for theme in themes:
        slug = theme["slug"]
        if not slug:
            continue
        if not SLUG_PATTERN.fullmatch(slug):
            problems.append(
                f'Line {theme["line"]}: the slug "{slug}" must start with a lower-case letter and use only '
                "lower-case letters, digits and underscores (at most 60)"
            )
        elif slug in taken:
            problems.append(f'Line {theme["line"]}: the slug "{slug}" is already used on line {taken[slug]}')
        taken.setdefault(slug, theme["line"])
    for theme in themes:
        if not theme["slug"]:
            theme["slug"] = unique_slug(slug_from_name(theme["name"]), taken)
            taken[theme["slug"]] = theme["line"]


def _capped(problems: list[str]) -> list[str]:
    if len(problems) <= MAX_PROBLEMS:
        return problems
    return problems[:MAX_PROBLEMS] + [f"Stopped after {MAX_PROBLEMS} problems; correct these and try again."]


# --- What an import would change ------------------------------------------------------------------


@dataclass(frozen=True)
class ThemeChange:
    """A theme an import adds (``theme_id`` None) or updates, with the values it will have."""

    line: int
    theme_id: int | None
    slug: str
    values: dict[str, Any]
    changed: tuple[str, ...] = ()  # for an update: the fields whose value changes


@dataclass(frozen=True)
class ImportPlan:
    added: tuple[ThemeChange, ...]
    updated: tuple[ThemeChange, ...]
    unchanged: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def plan_import(codebook: CodebookFile, existing: Sequence[Mapping[str, Any]]) -> ImportPlan:
    """What importing ``codebook`` into a codebook holding ``existing`` themes would do, or CodebookError.

    A row updates the theme with its slug (when the file gives one), else the theme
    with its name (ignoring capitals); any other row adds a theme, whose slug is made
    unique. Only the file's columns are changed, and a slug never changes. A row may
    not take the name of another theme, and two rows may not update the same theme.
    """
    by_slug = {t["slug"]: t for t in existing}
    by_name = {name_key(t["name"]): t for t in existing}
    taken = set(by_slug) | {row.slug for row in codebook.rows if row.slug_given}
    columns = [c for c in THEME_FIELDS if c in codebook.columns]
    added: list[ThemeChange] = []
    updated: list[ThemeChange] = []
    problems: list[str] = []
    claimed: dict[Any, int] = {}
    unchanged = 0
    for row in codebook.rows:
        match = (by_slug.get(row.slug) if row.slug_given else None) or by_name.get(name_key(row.name))
        values = {c: list(row.keywords) if c == "keywords" else getattr(row, c) for c in columns}
        if match is None:
            slug = row.slug if row.slug_given else unique_slug(slug_from_name(row.name), taken)
            taken.add(slug)
            added.append(
                ThemeChange(row.line, None, slug, {**dict.fromkeys(THEME_FIELDS, ""), "keywords": [], **values})
            )
            continue
        problems += _match_problems(row, match, by_name, claimed)
        changed = tuple(c for c in columns if values[c] != (list(match[c]) if c == "keywords" else match[c]))
        if changed:
            updated.append(ThemeChange(row.line, match["id"], match["slug"], values, changed))
        else:
            unchanged += 1
    if problems:
        raise CodebookError(_capped(problems))
    return ImportPlan(tuple(added), tuple(updated), unchanged)


def _match_problems(
    row: CodebookRow, match: Mapping[str, Any], by_name: Mapping[str, Mapping[str, Any]], claimed: dict[Any, int]
) -> list[str]:
    problems = []
    if match["id"] in claimed:
        problems.append(
            f'Line {row.line}: this row and line {claimed[match["id"]]} would both change the theme "{match["name"]}"'
        )
    claimed.setdefault(match["id"], row.line)
    other = by_name.get(name_key(row.name))
    if other is not None and other["id"] != match["id"]:
        problems.append(
            f'Line {row.line}: the name "{row.name}" is already used by another theme in the codebook '
            f"(slug {other['slug']}); choose another name or give that theme's slug"
        )
    return problems
