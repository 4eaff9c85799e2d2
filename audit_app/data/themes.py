"""The theme codebook, which lives across audits, and how often each theme was confirmed.

Only confirmed codings are ever counted: a suggestion nobody has confirmed, or one a
person rejected, never reaches a count, a table or the briefing.
"""

from __future__ import annotations

from itertools import groupby

from sqlalchemy import Select, distinct, func, literal, select, tuple_
from sqlalchemy.exc import IntegrityError

from audit_app.data.audits import REVEALED_STATES
from audit_app.data.events import record_event
from audit_app.database import count_of
from audit_app.extensions import db
from audit_app.models import (
    COUNTED_STATES,
    Agency,
    Audit,
    Case,
    Coding,
    Return,
    Theme,
    User,
    learning_point_themes,
)
from audit_tools.errors import WorkbenchError
from audit_tools.learning import (
    THEME_FIELDS,
    ImportPlan,
    ThemeTable,
    codebook_to_csv,
    name_key,
    pivot,
    plan_import,
    read_codebook,
    slug_from_name,
    unique_slug,
    years_by_theme,
)

CONFIRMED = "confirmed"
PANEL_COLUMN = "Panel"


class ThemeError(WorkbenchError):
    """A change to the codebook was refused; the message says why."""


# --- The codebook ---------------------------------------------------------------------------------


def list_themes() -> list[Theme]:
    """Every theme, by category (themes without one last) and then by name, ignoring capitals."""
    return list(
        db.session.scalars(
            select(Theme).order_by(Theme.category == "", func.lower(Theme.category), func.lower(Theme.name), Theme.id)
        )
    )


def themes_by_category() -> list[tuple[str, list[Theme]]]:
    """The codebook in groups of one category each ("" for themes without one), in the order of ``list_themes``."""
    return [(category, list(themes)) for category, themes in groupby(list_themes(), lambda t: t.category.casefold())]


def get_theme(theme_id: int) -> Theme | None:
    return db.session.get(Theme, theme_id)


def audits_confirmed_in() -> dict[int, int]:
    """For each theme id, the number of audits in which it was confirmed at least once."""
    return dict(
        db.session.execute(
            select(Coding.theme_id, func.count(distinct(Coding.audit_id)))
            .where(Coding.status == CONFIRMED)
            .group_by(Coding.theme_id)
        ).all()
    )


def name_taken(name: str, theme_id: int | None = None) -> bool:
    """True when another theme has this name, ignoring capitals and extra spaces."""
    key = name_key(name)
    return any(
        name_key(other) == key
        for other_id, other in db.session.execute(select(Theme.id, Theme.name))
        if other_id != theme_id
    )


def theme_values(theme: Theme) -> dict:
    return {
        "slug": theme.slug,
        "name": theme.name,
        "description": theme.description,
        "category": theme.category,
        "keywords": list(theme.keywords),
    }


def create_theme(values: dict, user: User) -> Theme:
    """A new theme; its slug (the key in CSV files) is made from the name and never changes."""
    slug = unique_slug(slug_from_name(values["name"]), db.session.scalars(select(Theme.slug)))
    theme = Theme(slug=slug, **{field: values[field] for field in THEME_FIELDS})
    db.session.add(theme)
    _flush_names()
    record_event("theme.created", "theme", theme.id, user=user, after=theme_values(theme))
    return theme


def update_theme(theme: Theme, values: dict, user: User) -> None:
    before = theme_values(theme)
    for field in THEME_FIELDS:
        setattr(theme, field, values[field])
    _flush_names()
    record_event("theme.updated", "theme", theme.id, user=user, before=before, after=theme_values(theme))


def _flush_names() -> None:
    try:
        db.session.flush()
    except IntegrityError:  # someone gave another theme this name a moment ago
        raise ThemeError("Another theme was given this name just now. Choose a different name.") from None


def theme_uses(theme: Theme) -> dict[str, int]:
    """How the theme is used: confirmed codings, audits they are in, suggestions waiting, learning points."""
    by_status = dict(
        db.session.execute(
            select(Coding.status, func.count()).where(Coding.theme_id == theme.id).group_by(Coding.status)
        ).all()
    )
    return {
        "confirmed": by_status.get(CONFIRMED, 0),
        "audits": count_of(
            select(func.count(distinct(Coding.audit_id))).where(Coding.theme_id == theme.id, Coding.status == CONFIRMED)
        ),
        "suggested": by_status.get("suggested", 0) + by_status.get("rejected", 0),
        "learning_points": count_of(
            select(func.count()).select_from(learning_point_themes).where(learning_point_themes.c.theme_id == theme.id)
        ),
    }


def delete_theme(theme: Theme, user: User) -> None:
    """Delete a theme never confirmed and on no learning point; its unreviewed suggestions go with it."""
    uses = theme_uses(theme)
    if uses["confirmed"] or uses["learning_points"]:
        raise ThemeError(f"{theme.name} has been used, so it stays in the codebook to keep past findings whole.")
    record_event("theme.deleted", "theme", theme.id, user=user, before=theme_values(theme))
    db.session.delete(theme)
    db.session.flush()


def codebook_csv() -> str:
    """The whole codebook as CSV, in the order of the codebook page; no cell can run as a formula."""
    return codebook_to_csv(theme_values(theme) for theme in list_themes())


def plan_codebook_import(text: str) -> ImportPlan:
    """What importing this CSV text would add and update, or CodebookError listing every problem by line."""
    existing = [{"id": theme.id, **theme_values(theme)} for theme in list_themes()]
    return plan_import(read_codebook(text), existing)


def apply_import(plan: ImportPlan, user: User) -> None:
    """Carry out a checked plan (it never gives a theme another theme's name): update, then add."""
    themes = {theme.id: theme for theme in list_themes()}
    for change in plan.updated:
        theme = themes[change.theme_id or 0]  # an update always names the theme it changes
        before = theme_values(theme)
        for field, value in change.values.items():
            setattr(theme, field, value)
        record_event("theme.updated", "theme", theme.id, user=user, before=before, after=theme_values(theme))
    _flush_names()
    for change in plan.added:
        theme = Theme(slug=change.slug, **change.values)
        db.session.add(theme)
        _flush_names()
        record_event("theme.created", "theme", theme.id, user=user, after=theme_values(theme))
    record_event(
        "codebook.imported",
        "theme",
        None,
        user=user,
        after={"added": len(plan.added), "updated": len(plan.updated), "unchanged": plan.unchanged},
    )


# --- Counting confirmed themes in an audit --------------------------------------------------------


def _confirmed_in(audit_id: int) -> Select[()]:
    """Confirmed codings on the audit's included cases: the only codings that ever count."""
    return (
        select()
        .select_from(Coding)
        .join(Case, Coding.case_id == Case.id)
        .where(Coding.audit_id == audit_id, Coding.status == CONFIRMED, Case.included)
    )


def included_case_count(audit: Audit) -> int:
    return count_of(select(func.count(Case.id)).where(Case.audit_id == audit.id, Case.included))


def theme_case_counts(audit: Audit) -> list[tuple[Theme, int]]:
    """Each theme confirmed in the audit with its number of distinct cases, most frequent first (then by name)."""
    query = (
        _confirmed_in(audit.id)
        .join(Theme, Coding.theme_id == Theme.id)
        .add_columns(Theme, func.count(distinct(Coding.case_id)).label("cases"))
        .group_by(Theme.id)
        .order_by(func.count(distinct(Coding.case_id)).desc(), Theme.name)
    )
    return [(theme, cases) for theme, cases in db.session.execute(query)]


def theme_agency_table(audit: Audit) -> ThemeTable:
    """Distinct cases per theme and agency (the panel's own learning in a last column), confirmed codings only."""
    themes = [theme for theme, _ in theme_case_counts(audit)]
    counts = {
        (theme_id, agency_id or 0): cases
        for theme_id, agency_id, cases in db.session.execute(
            _confirmed_in(audit.id)
            .add_columns(Coding.theme_id, Coding.agency_id, func.count(distinct(Coding.case_id)))
            .group_by(Coding.theme_id, Coding.agency_id)
        )
    }
    agencies = db.session.execute(
        select(Agency.id, Agency.name)
        .join(Return)
        .join(Case)
        .where(Case.audit_id == audit.id, Return.state.in_(COUNTED_STATES))
        .distinct()
        .order_by(Agency.name)
    ).all()
    columns = [*((agency_id, name) for agency_id, name in agencies), (0, PANEL_COLUMN)]
    return pivot(themes, columns, lambda theme: theme.id, counts)


def themes_in_common(audit: Audit) -> list[tuple[Theme, list[int]]]:
    """Themes confirmed in this audit that were also confirmed in earlier audits, with those audits' years.

    Earlier means an earlier year, or the same year and set up before this audit; only
    audits whose results have been revealed count. Themes found in most years come first.
    """
    here = (
        select(Coding.theme_id)
        .join(Case, Coding.case_id == Case.id)
        .where(Coding.audit_id == audit.id, Coding.status == CONFIRMED, Case.included)
    )
    earlier = tuple_(Audit.year, Audit.id) < tuple_(literal(audit.year), literal(audit.id))
    pairs = db.session.execute(
        select(Coding.theme_id, Audit.year)
        .join(Audit, Coding.audit_id == Audit.id)
        .join(Case, Coding.case_id == Case.id)
        .where(
            Coding.status == CONFIRMED,
            Case.included,
            Coding.theme_id.in_(here),
            Audit.state.in_(REVEALED_STATES),
            earlier,
        )
        .distinct()
    ).all()
    themes = {t.id: t for t in db.session.scalars(select(Theme).where(Theme.id.in_({t for t, _ in pairs})))}
    rows = ((themes[theme_id], year) for theme_id, year in pairs)
    return years_by_theme(rows, lambda theme: theme.name)


def coding_progress(audit: Audit) -> dict[str, int]:
    """How many codings of the audit are confirmed, waiting for review, and rejected, and how many excerpts
    have a confirmed theme (``coded``: an excerpt with two confirmed themes is one excerpt coded)."""
    rows = db.session.execute(
        select(Coding.status, func.count(), func.count(func.distinct(Coding.source + ":" + Coding.source_key)))
        .where(Coding.audit_id == audit.id)
        .group_by(Coding.status)
    ).all()
    counts = {status: count for status, count, _ in rows}
    coded = next((excerpts for status, _, excerpts in rows if status == CONFIRMED), 0)
    return {**{status: counts.get(status, 0) for status in (CONFIRMED, "suggested", "rejected")}, "coded": coded}
