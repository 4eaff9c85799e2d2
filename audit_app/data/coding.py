"""Coding an audit's free text to themes: the excerpts, suggestions, and a person's decisions on them.

An excerpt is a long-text answer or an evidence note of a counted return, or the
panel's learning about a case, on an included case. It is named by its source and a
key ("<return id>:<question key>", or "<case id>" for the panel), as codings are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from math import ceil
from typing import Any

from sqlalchemy import (
    Exists,
    Integer,
    Row,
    Select,
    String,
    Subquery,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import InstrumentedAttribute, selectinload

from audit_app.data.events import record_event
from audit_app.database import count_of
from audit_app.extensions import db
from audit_app.models import (
    COUNTED_STATES,
    Agency,
    Answer,
    Audit,
    Case,
    Coding,
    EvidenceNote,
    PanelRecord,
    Return,
    Theme,
    User,
)
from audit_tools.learning import suggest_themes, theme_keywords
from audit_tools.states import AuditState
from audit_tools.tools import LONGTEXT, ToolDefinition

PAGE_SIZE = 50
# Coding starts at the reveal and stops when the briefing is published.
OPEN_STATES = (AuditState.PANEL, AuditState.ANALYSIS)
SOURCE_LABELS = {"answer": "Long-text answers", "note": "Evidence notes", "panel": "Panel learning"}
DECISIONS = {"confirm": "confirmed", "reject": "rejected"}


@dataclass(frozen=True)
class CodingFilters:
    """Which excerpts the coding page lists: ``show`` is "todo" (still to code) or "all"."""

    show: str = "todo"
    theme_id: int | None = None
    source: str | None = None
    page: int = 1

    def as_args(self) -> dict:
        """The filters as query-string arguments, leaving out the defaults."""
        args = {
            "show": self.show if self.show != "todo" else None,
            "theme": self.theme_id,
            "source": self.source,
            "page": self.page if self.page > 1 else None,
        }
        return {key: value for key, value in args.items() if value is not None}


@dataclass
class Excerpt:
    source: str
    source_key: str
    case_id: int
    reference: str
    agency_id: int | None
    agency: str | None  # None: the panel's own text
    question_key: str
    text: str
    question: str = ""
    place: str = ""  # where in the return it was written, short: "question 3.2", "the evidence note on 3.2"
    codings: list[Coding] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return anchor(self.source, self.source_key)

    def with_status(self, status: str) -> list[Coding]:
        return [c for c in self.codings if c.status == status]


@dataclass(frozen=True)
class ExcerptPage:
    excerpts: list[Excerpt]
    total: int
    page: int
    pages: int


def anchor(source: str, source_key: str) -> str:
    """The excerpt's id on the coding page: "excerpt-note-12-child_voice"."""
    return f"excerpt-{source}-{source_key.replace(':', '-')}"


def coding_editable(audit: Audit) -> bool:
    return audit.state in OPEN_STATES


def why_not_editable(audit: Audit) -> str:
    if audit.state in (AuditState.SETUP, AuditState.OPEN):
        return "Coding starts when the returns are revealed to the panel."
    return "This audit's briefing has been published, so its coding can no longer change."


# --- The excerpts of an audit ---------------------------------------------------------------------


def _excerpts(audit: Audit, definition: ToolDefinition) -> Subquery:
    """Every excerpt of the audit as one subquery (notes, long-text answers, panel learning)."""
    counted = and_(Case.audit_id == audit.id, Case.included, Return.state.in_(COUNTED_STATES))
    longtext = [q.key for q in definition.questions if q.type == LONGTEXT]

    def from_return(
        source: str, row: type[Answer] | type[EvidenceNote], text: InstrumentedAttribute[str]
    ) -> Select[str, str, int, str, int, str, str, str]:
        key = cast(row.return_id, String).concat(":").concat(row.question_key)
        return (
            select(
                literal(source, String).label("source"),
                key.label("source_key"),
                Case.id.label("case_id"),
                Case.reference.label("reference"),
                Return.agency_id.label("agency_id"),
                Agency.name.label("agency"),
                row.question_key.label("question_key"),
                text.label("text"),
            )
            .join(Return, row.return_id == Return.id)
            .join(Case, Return.case_id == Case.id)
            .join(Agency, Return.agency_id == Agency.id)
            .where(counted, text != "")
        )

    panel = (
        select(
            literal("panel", String),
            cast(Case.id, String),
            Case.id,
            Case.reference,
            cast(null(), Integer),
            cast(null(), String),
            literal("", String),
            PanelRecord.learning,
        )
        .join(Case, PanelRecord.case_id == Case.id)
        .where(Case.audit_id == audit.id, Case.included, PanelRecord.learning != "")
    )
    return union_all(
        # The answers' own copies of their audit and whether they count (kept equal to their return's) let
        # PostgreSQL read this audit's answers only, not every audit's answers to these questions (350 → 120 ms).
        from_return("answer", Answer, Answer.value).where(
            Answer.question_key.in_(longtext), Answer.ordinal == 0, Answer.audit_id == audit.id, Answer.counted
        ),
        from_return("note", EvidenceNote, EvidenceNote.text),
        panel,
    ).subquery("excerpts")


def _codings_of(audit: Audit, excerpts: Subquery, *statuses: str) -> Exists:
    """Whether the excerpt has a coding of this audit in one of ``statuses``."""
    return exists().where(
        Coding.audit_id == audit.id,
        Coding.source == excerpts.c.source,
        Coding.source_key == excerpts.c.source_key,
        Coding.status.in_(statuses),
    )


def _filtered(audit: Audit, definition: ToolDefinition, filters: CodingFilters) -> tuple[Select[Any], Subquery]:
    excerpts = _excerpts(audit, definition)
    query = select(excerpts)
    if filters.show == "todo":  # no theme confirmed yet, or suggestions still waiting for a decision
        query = query.where(or_(~_codings_of(audit, excerpts, "confirmed"), _codings_of(audit, excerpts, "suggested")))
    if filters.theme_id is not None:
        query = query.where(
            _codings_of(audit, excerpts, "confirmed", "suggested").where(Coding.theme_id == filters.theme_id)
        )
    if filters.source:
        query = query.where(excerpts.c.source == filters.source)
    return query, excerpts


def excerpts_page(audit: Audit, definition: ToolDefinition, filters: CodingFilters) -> ExcerptPage:
    """One page of the filtered excerpts, in case, agency and question order, each with its codings."""
    query, excerpts = _filtered(audit, definition, filters)
    total = count_of(select(func.count()).select_from(query.subquery()))
    pages = max(1, ceil(total / PAGE_SIZE))
    page = min(max(filters.page, 1), pages)
    order = {key: position for position, key in enumerate(q.key for q in definition.questions)}
    rows = db.session.execute(
        query.order_by(
            excerpts.c.reference,
            excerpts.c.source == "panel",
            excerpts.c.agency,
            case(order, value=excerpts.c.question_key, else_=len(order)),
            excerpts.c.source,
            excerpts.c.source_key,
        )
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    found = [_excerpt(row, definition) for row in rows]
    _attach_codings(audit, found)
    return ExcerptPage(found, total, page, pages)


def _excerpt(row: Row[Any], definition: ToolDefinition) -> Excerpt:
    excerpt = Excerpt(**row._asdict())
    question = definition.questions_by_key.get(excerpt.question_key)
    if question is not None:
        label = f"{definition.number(question.key)} {question.text}"
        excerpt.question = f"Evidence note on {label}" if excerpt.source == "note" else label
        number = definition.number(question.key)
        excerpt.place = f"the evidence note on question {number}" if excerpt.source == "note" else f"question {number}"
    elif excerpt.source == "panel":
        excerpt.question = "What the panel learned from this case"
        excerpt.place = "the panel's learning"
    return excerpt


def _attach_codings(audit: Audit, excerpts: list[Excerpt]) -> None:
    by_key = {(e.source, e.source_key): e for e in excerpts}
    codings = db.session.scalars(
        select(Coding)
        .options(selectinload(Coding.theme))
        .where(Coding.audit_id == audit.id, Coding.source_key.in_({e.source_key for e in excerpts}))
        .order_by(Coding.coded_at, Coding.id)
    )
    for coding in codings:
        if (coding.source, coding.source_key) in by_key:
            by_key[(coding.source, coding.source_key)].codings.append(coding)


def find_excerpt(audit: Audit, definition: ToolDefinition, source: str, source_key: str) -> Excerpt | None:
    """The excerpt of this audit with this source and key, or None (never another audit's)."""
    query, excerpts = _filtered(audit, definition, CodingFilters(show="all"))
    row = db.session.execute(query.where(excerpts.c.source == source, excerpts.c.source_key == source_key)).first()
    return _excerpt(row, definition) if row else None


def still_listed(audit: Audit, definition: ToolDefinition, filters: CodingFilters, source: str, key: str) -> bool:
    """Whether the excerpt is still in the filtered list (after a decision it may have dropped out)."""
    query, excerpts = _filtered(audit, definition, filters)
    return (
        db.session.execute(query.where(excerpts.c.source == source, excerpts.c.source_key == key)).first() is not None
    )


# --- Suggestions and decisions --------------------------------------------------------------------


def suggest_codings(audit: Audit, definition: ToolDefinition, user: User) -> int:
    """Store suggested themes for every excerpt with no confirmed theme; returns how many are new.

    Running it again adds nothing that is already there, in any state: a suggestion a
    person rejected is never suggested again, and nothing is ever confirmed by it.
    """
    themes = list(db.session.scalars(select(Theme).order_by(Theme.slug)))
    ids = {theme.slug: theme.id for theme in themes}
    keywords = theme_keywords({"slug": t.slug, "keywords": t.keywords} for t in themes)
    query, excerpts = _filtered(audit, definition, CodingFilters(show="all"))
    uncoded = db.session.execute(query.where(~_codings_of(audit, excerpts, "confirmed"))).all()
    known = set(
        db.session.execute(select(Coding.source, Coding.source_key, Coding.theme_id).where(Coding.audit_id == audit.id))
    )
    new = [
        Coding(
            audit_id=audit.id,
            case_id=row.case_id,
            agency_id=row.agency_id,
            source=row.source,
            source_key=row.source_key,
            excerpt=row.text,
            theme_id=ids[s.theme_slug],
            status="suggested",
            matched=list(s.matched),
        )
        for row in uncoded
        for s in suggest_themes(row.text, keywords)
        if (row.source, row.source_key, ids[s.theme_slug]) not in known
    ]
    db.session.add_all(new)
    db.session.flush()
    record_event(
        "codings.suggested",
        "audit",
        audit.id,
        user=user,
        after={"excerpts_read": len(uncoded), "suggestions": len(new)},
    )
    return len(new)


def get_coding(audit: Audit, coding_id: int) -> Coding | None:
    """The coding, if it belongs to this audit."""
    coding = db.session.get(Coding, coding_id)
    return coding if coding is not None and coding.audit_id == audit.id else None


def decide(coding: Coding, decision: str, user: User) -> None:
    """Confirm or reject a coding (rejecting a confirmed one removes the theme from the excerpt)."""
    before = {"status": coding.status}
    _set_status(coding, DECISIONS[decision], user)
    record_event(
        f"coding.{DECISIONS[decision]}", "coding", coding.id, user=user, before=before, after=_event_values(coding)
    )


def add_coding(audit: Audit, excerpt: Excerpt, theme: Theme, user: User) -> Coding:
    """Code the excerpt to a theme a person chose: confirmed at once (a suggestion or rejection is overturned)."""
    coding = db.session.scalar(
        select(Coding).where(
            Coding.audit_id == audit.id,
            Coding.source == excerpt.source,
            Coding.source_key == excerpt.source_key,
            Coding.theme_id == theme.id,
        )
    )
    before = {"status": coding.status} if coding else None
    if coding is None:
        coding = Coding(
            audit_id=audit.id,
            case_id=excerpt.case_id,
            agency_id=excerpt.agency_id,
            source=excerpt.source,
            source_key=excerpt.source_key,
            theme_id=theme.id,
            matched=[],
        )
        db.session.add(coding)
    coding.excerpt = excerpt.text
    _set_status(coding, "confirmed", user)
    record_event("coding.added", "coding", coding.id, user=user, before=before, after=_event_values(coding))
    return coding


def _set_status(coding: Coding, status: str, user: User) -> None:
    coding.status, coding.coded_by_id, coding.coded_at = status, user.id, datetime.now(UTC)
    db.session.flush()


def _event_values(coding: Coding) -> dict:
    return {"status": coding.status, "theme": coding.theme_id, "source": coding.source, "source_key": coding.source_key}


# --- For the coding-reliability sample (data.coding_reliability) ----------------------------------


def excerpt_total(audit: Audit, definition: ToolDefinition) -> int:
    """How many excerpts the audit has, counted in the database (none of their text is read)."""
    query, _excerpts = _filtered(audit, definition, CodingFilters(show="all"))
    return count_of(select(func.count()).select_from(query.subquery()))


def all_excerpts(audit: Audit, definition: ToolDefinition) -> list[Excerpt]:
    """Every excerpt of the audit (without its codings), in case, source and key order."""
    query, excerpts = _filtered(audit, definition, CodingFilters(show="all"))
    rows = db.session.execute(query.order_by(excerpts.c.reference, excerpts.c.source, excerpts.c.source_key))
    return [_excerpt(row, definition) for row in rows]


def coders_of(audit_id: int, excerpts: list[tuple[str, str]]) -> set[int]:
    """Who confirmed or rejected a theme on any of these excerpts (source, key) of the audit."""
    rows = db.session.execute(
        select(Coding.source, Coding.source_key, Coding.coded_by_id).where(
            Coding.audit_id == audit_id, Coding.status != "suggested", Coding.coded_by_id.is_not(None)
        )
    )
    wanted = set(excerpts)
    # `by is not None` repeats the query's own condition for the type checker
    return {by for source, key, by in rows if (source, key) in wanted and by is not None}


def confirmed_themes(audit_id: int, excerpts: list[tuple[str, str]]) -> dict[tuple[str, str], set[int]]:
    """The confirmed themes (by key) of each of these excerpts (source, key) of the audit."""
    rows = db.session.execute(
        select(Coding.source, Coding.source_key, Coding.theme_id).where(
            Coding.audit_id == audit_id, Coding.status == "confirmed"
        )
    )
    wanted = set(excerpts)
    found: dict[tuple[str, str], set[int]] = {}
    for source, key, theme in rows:
        if (source, key) in wanted:
            found.setdefault((source, key), set()).add(theme)
    return found


def settle_themes(
    audit: Audit,
    definition: ToolDefinition,
    source: str,
    source_key: str,
    confirm: set[int],
    reject: set[int],
    user: User,
) -> None:
    """Make ``confirm`` the excerpt's confirmed themes among ``confirm | reject``: confirmed where missing,
    rejected where they were confirmed. An excerpt no longer in the audit (its text emptied) is left alone."""
    excerpt = find_excerpt(audit, definition, source, source_key)
    if excerpt is None:
        return
    for theme_id in sorted(confirm):
        theme = db.session.get(Theme, theme_id)
        if theme is not None:
            add_coding(audit, excerpt, theme, user)
    rejected = db.session.scalars(
        select(Coding).where(
            Coding.audit_id == audit.id,
            Coding.source == source,
            Coding.source_key == source_key,
            Coding.theme_id.in_(reject),
            Coding.status == "confirmed",
        )
    )
    for coding in rejected:
        decide(coding, "reject", user)
