"""The demonstration audit's excerpts coded to themes, as a business unit officer part-way through would leave them."""

from __future__ import annotations

from itertools import groupby

from sqlalchemy import select

from audit_app.data import coding_reliability as reliability_data
from audit_app.data.coding import confirmed_themes, decide, suggest_codings
from audit_app.data.tools import definition_of
from audit_app.extensions import db
from audit_app.models import Audit, Coding, User

LEFT_TO_DO = 4  # every fourth excerpt keeps its suggestions waiting, so the work queue is not empty
REJECTED = 2


def code_demo_audit(audit: Audit, user: User, *, finished: bool = False) -> None:
    """Suggest themes for every excerpt, confirm the strongest suggestion of most, reject a couple of weak ones.

    ``finished``: as a published audit's coding is left, every excerpt's strongest suggestion confirmed and
    the rest rejected, nothing waiting. Deterministic: the same demo data always gives the same codings.
    Flushes, never commits.
    """
    suggest_codings(audit, definition_of(audit.tool_version), user)
    suggestions = db.session.scalars(
        select(Coding)
        .where(Coding.audit_id == audit.id, Coding.status == "suggested")
        .order_by(Coding.source, Coding.source_key, Coding.id)
    ).all()
    left: list[Coding] = []
    for number, (_, group) in enumerate(groupby(suggestions, lambda c: (c.source, c.source_key))):
        strongest, *others = group  # stored best first
        if number % LEFT_TO_DO == LEFT_TO_DO - 1 and not finished:
            continue
        decide(strongest, "confirm", user)
        left += others
    weakest = sorted(left, key=lambda c: (len(" ".join(c.matched)), c.id))[: len(left) if finished else REJECTED]
    for coding in weakest:
        decide(coding, "reject", user)


SAMPLE_SEED = 2026


def sample_demo_coding(audit: Audit, coordinator: User) -> None:
    """The demo audit's coding-reliability sample: a fifth of the excerpts (at least six) coded again, blind, by
    the coordinator, who coded none of them. The second coding is the first with a fixed pattern of
    differences (every fifth excerpt loses its first theme, every sixth gains one), submitted and waiting to be
    reconciled, so the agreement figures and the side-by-side view both have something to show."""
    sample = reliability_data.draw(audit, definition_of(audit.tool_version), 20, 6, SAMPLE_SEED, coordinator)
    sample.coder_id = coordinator.id  # named without the e-mail: nobody reads the demo's outbox for it
    first = confirmed_themes(audit.id, [(i.source, i.source_key) for i in sample.items])
    codebook = [t.id for t in reliability_data.themes()]
    chosen: dict[int, list[int]] = {}
    for number, item in enumerate(sample.items):
        themes = sorted(first.get((item.source, item.source_key), set()))
        if number % 5 == 4 and themes:
            themes = themes[1:]
        if number % 6 == 5:
            themes.append(next(t for t in codebook[number:] + codebook if t not in themes))
        chosen[item.id] = themes
    reliability_data.save_second_coding(sample, chosen, coordinator, submit=True)
