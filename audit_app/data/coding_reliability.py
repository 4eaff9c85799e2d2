"""Coding reliability: a reproducible sample of an audit's excerpts, coded again blind by a second coder,
then the differences settled side by side.

The blind rule lives here: ``coding_blind_to`` says whether a person is the named second coder of an audit
whose sample they have not submitted yet, and every page that shows the audit's codings asks it (the coding
page, its actions, the theme counts), so the second coder never sees the first coder's themes early. The
first coder's themes are copied onto the sample when the second coding is submitted; where the two differ,
the agreed themes become the excerpt's confirmed codings, and both originals stay on ``CodingSampleItem``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from sqlalchemy import exists, select

from audit_app.data import coding as coding_data
from audit_app.data.events import record_event
from audit_app.data.notifications import send_once
from audit_app.extensions import db
from audit_app.links import external_url
from audit_app.models import Audit, CodingSample, CodingSampleItem, Theme, User, UserRole
from audit_tools.reliability import ModerationError, ThemeAgreement, coding_agreement, draw_excerpt_sample
from audit_tools.states import MODERATION_MOVES, ModerationState, Role, check_move
from audit_tools.tools import ToolDefinition

CODERS = (Role.COORDINATOR, Role.EDITOR)  # who codes themes today (the themes blueprint's CODEBOOK_EDITORS)
DEFAULT_RATE = 20  # per cent of the excerpts: fewer than returns are moderated, each excerpt is short
DEFAULT_MINIMUM = 5


def sample_of(audit: Audit) -> CodingSample | None:
    return db.session.scalar(select(CodingSample).where(CodingSample.audit_id == audit.id))


def _key(source: str, source_key: str) -> str:
    return f"{source}|{source_key}"


def excerpt_count(audit: Audit, definition: ToolDefinition) -> int:
    """The pool a sample would be drawn from, counted without reading it (a 500-case audit has thousands)."""
    return coding_data.excerpt_total(audit, definition)


def draw(
    audit: Audit, definition: ToolDefinition, rate_percent: int, minimum: int, seed: int, user: User
) -> CodingSample:
    """Draw the audit's coding sample (once): ``rate_percent`` of its excerpts, at least ``minimum``."""
    if not coding_data.coding_editable(audit):
        raise ModerationError(coding_data.why_not_editable(audit))
    if sample_of(audit) is not None:
        raise ModerationError("This audit's coding sample has already been drawn.")
    excerpts = {_key(e.source, e.source_key): e for e in coding_data.all_excerpts(audit, definition)}
    if not excerpts:
        raise ModerationError("This audit has no excerpts to code yet, so there is nothing to sample.")
    chosen = draw_excerpt_sample(excerpts, rate_percent, seed, minimum)
    sample = CodingSample(
        audit_id=audit.id,
        rate_percent=rate_percent,
        minimum=minimum,
        seed=seed,
        pool_size=len(excerpts),
        drawn_by_id=user.id,
    )
    sample.items = [
        CodingSampleItem(
            source=excerpts[key].source,
            source_key=excerpts[key].source_key,
            case_id=excerpts[key].case_id,
            place=_place(excerpts[key]),
            excerpt=excerpts[key].text,
        )
        for key in chosen
    ]
    db.session.add(sample)
    db.session.flush()
    drawn = [_key(i.source, i.source_key) for i in sample.items]
    record_event(
        "coding_sample.drawn",
        "audit",
        audit.id,
        user=user,
        after={"seed": seed, "rate_percent": rate_percent, "minimum": minimum, "excerpts": drawn},
    )
    return sample


def _place(excerpt: coding_data.Excerpt) -> str:
    return f"{excerpt.agency}, {excerpt.place}" if excerpt.agency else excerpt.place.capitalize()


def coder_choices(sample: CodingSample) -> list[User]:
    """Who may code the sample again: an active coordinator or editor who coded none of its excerpts."""
    coded = coding_data.coders_of(sample.audit_id, [(i.source, i.source_key) for i in sample.items])
    people = db.session.scalars(
        select(User)
        .where(User.active, exists().where(UserRole.user_id == User.id, UserRole.role.in_(CODERS)))
        .order_by(User.display_name, User.id)
    )
    return [p for p in people if p.id not in coded]


def name_coder(sample: CodingSample, coder_id: int, user: User) -> User:
    """Name the second coder and tell them (once)."""
    if sample.state != ModerationState.ASSIGNED:
        raise ModerationError("The second coding has been submitted, so it cannot be given to another coder.")
    coder = next((p for p in coder_choices(sample) if p.id == coder_id), None)
    if coder is None:
        raise ModerationError("Choose a coordinator or editor who coded none of the sampled excerpts.")
    sample.coder_id = coder.id
    db.session.flush()
    record_event("coding_sample.coder_named", "coding_sample", sample.id, user=user, after={"user": coder.id})
    audit = sample.audit
    send_once(
        f"coding-sample-assigned:{sample.id}:{coder.id}",
        coder.email,
        f"Coding reliability: please code {len(sample.items)} excerpts – {audit.title}",
        f"Hello {coder.display_name},\n\nPlease code {len(sample.items)} excerpts of {audit.title} to themes, "
        "without seeing how they were coded first (the audit's coding is hidden from you until yours is in)."
        f"\n\nOpen them: {external_url('themes.second_coding', sample_id=sample.id)}",
        kind="coding-sample-assigned",
        user_id=coder.id,
        object_type="coding_sample",
        object_id=sample.id,
    )
    return coder


def coding_blind_to(user: User, audit: Audit) -> bool:
    """Whether ``user`` is the audit's named second coder and has not submitted their coding yet."""
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    CodingSample.audit_id == audit.id,
                    CodingSample.coder_id == user.id,
                    CodingSample.state == ModerationState.ASSIGNED,
                )
            )
        )
    )


def sample_for_coder(sample_id: int, user: User) -> CodingSample | None:
    """The sample if ``user`` is its named second coder and still codes themes."""
    sample = db.session.get(CodingSample, sample_id)
    if sample is None or sample.coder_id != user.id or not user.has_role(*CODERS):
        return None
    return sample


def submitted_sample(sample_id: int) -> CodingSample | None:
    """The sample if its second coding is in (submitted or reconciled)."""
    sample = db.session.get(CodingSample, sample_id)
    return sample if sample is not None and sample.state != ModerationState.ASSIGNED else None


def themes() -> list[Theme]:
    return list(db.session.scalars(select(Theme).order_by(Theme.category, Theme.name)))


def _known(chosen: Sequence[int]) -> list[int]:
    ids = set(db.session.scalars(select(Theme.id).where(Theme.id.in_(set(chosen)))))
    if len(ids) != len(set(chosen)):
        raise ModerationError("A theme chosen is no longer in the codebook. Check the themes and save again.")
    return sorted(ids)


def save_second_coding(sample: CodingSample, chosen: Mapping[int, Sequence[int]], user: User, submit: bool) -> None:
    """Keep the second coder's themes (item key → theme keys); on ``submit`` the first coder's confirmed themes
    are copied beside them as they stand, and the audit's coding becomes visible to the second coder again."""
    if sample.state != ModerationState.ASSIGNED or sample.coder_id != user.id:
        raise ModerationError("This coding has been submitted and can no longer be changed.")
    first = (
        coding_data.confirmed_themes(sample.audit_id, [(i.source, i.source_key) for i in sample.items])
        if submit
        else {}
    )
    for item in sample.items:
        item.second_themes = _known(chosen.get(item.id, ()))
        if submit:
            item.first_themes = sorted(first.get((item.source, item.source_key), ()))
    if submit:
        check_move(MODERATION_MOVES, sample.state, ModerationState.SUBMITTED, error=ModerationError)
        sample.state = ModerationState.SUBMITTED
        sample.submitted_at = datetime.now(UTC)
        record_event("coding_sample.submitted", "coding_sample", sample.id, user=user)
    db.session.flush()


def differing(sample: CodingSample) -> list[CodingSampleItem]:
    """The sampled excerpts the two coders coded differently (once both codings are in)."""
    if sample.state == ModerationState.ASSIGNED:
        return []
    return [i for i in sample.items if set(i.first_themes) != set(i.second_themes)]


def agreement(sample: CodingSample) -> tuple[tuple[ThemeAgreement, ...], ThemeAgreement] | None:
    """Per theme either coder used, and overall, over the excerpts either coder coded; None before both are in."""
    if sample.state == ModerationState.ASSIGNED:
        return None
    names = {t.id: t.name for t in themes()}
    first = {str(i.id): [names[t] for t in i.first_themes if t in names] for i in sample.items}
    second = {str(i.id): [names[t] for t in i.second_themes if t in names] for i in sample.items}
    used = sorted({n for coded in (*first.values(), *second.values()) for n in coded})
    return coding_agreement(first, second, used)


def reconcile(sample: CodingSample, agreed: Mapping[int, Sequence[int]], definition: ToolDefinition, user: User) -> int:
    """Record the agreed themes of every excerpt the coders coded differently; they become the excerpt's
    confirmed codings (a theme either coder gave and the agreement left out is rejected). Returns how many
    excerpts changed."""
    audit = sample.audit
    if not coding_data.coding_editable(audit):
        raise ModerationError(coding_data.why_not_editable(audit))
    check_move(
        MODERATION_MOVES,
        sample.state,
        ModerationState.RECONCILED,
        "Only a submitted second coding can be reconciled, and only once.",
        error=ModerationError,
    )
    changed = 0
    for item in sample.items:
        if set(item.first_themes) == set(item.second_themes):
            item.agreed_themes = list(item.first_themes)
            continue
        offered = set(item.first_themes) | set(item.second_themes)
        chosen = set(agreed.get(item.id, ()))
        if not chosen <= offered:
            raise ModerationError("Choose the agreed themes from those the two coders gave.")
        item.agreed_themes = sorted(chosen)
        coding_data.settle_themes(audit, definition, item.source, item.source_key, chosen, offered - chosen, user)
        changed += 1
    sample.state = ModerationState.RECONCILED
    sample.reconciled_by_id, sample.reconciled_at = user.id, datetime.now(UTC)
    db.session.flush()
    record_event("coding_sample.reconciled", "coding_sample", sample.id, user=user, after={"excerpts": changed})
    return changed
