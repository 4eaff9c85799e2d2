"""The demonstration audit's excerpts coded to themes, as a business unit officer part-way through would leave them."""

from __future__ import annotations

from itertools import groupby

from sqlalchemy import select

from audit_app.data.coding import decide, suggest_codings
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
