"""The optimistic lock's round trip, once for every form that two people may save at the same time.

A form carries the version of what it was opened from (a hidden field); the data layer refuses a
save from another version with a stale error (``transactions.saved`` rolls it back). Returns and
the panel's record also carry their *base*, the signed fingerprints of what the form held
(``saved_base``), so the conflict page can merge what only one person changed (``audit_tools.merge``)
and ask only about what both changed; the person's choices come back with the next post. Briefings
keep the version alone: a stale section is shown again as typed, to save deliberately.

The statuses stay as they are: 409 for a conflict page, 400 when a resolution needs correcting.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import request
from flask_wtf import FlaskForm

from audit_app.extensions import db
from audit_app.saved_base import read_base, sign_base
from audit_tools.merge import COMBINE, Merge, fingerprints

CHOOSE = "choose"  # a problem that is not a broken rule: a field both people changed has no choice yet
CHOICE, COMBINED = "choice_", "merged_"  # the conflict page's fields: a choice per clash, text combining both


def version_of(value: Any) -> int | None:
    """A posted version as a number; None when missing or garbled, which is treated as a stale form,
    never as "current"."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def posted_version(form: FlaskForm) -> int | None:
    """The version the posted form (with a ``version`` field) was opened from."""
    return version_of(form.version.data)


def base_token(kind: str, object_id: int, version: int, values: Mapping) -> str:
    """The signed base a form of ``kind`` carries: fingerprints of ``values``, stored at ``version``."""
    return sign_base(kind, object_id, version, fingerprints(values))


def posted_base(form: FlaskForm, kind: str, object_id: int) -> dict | None:
    """What the posted form started from; None (ask about everything) when missing or garbled."""
    return read_base(form.base.data, kind, object_id, posted_version(form))


def opened_from_other(form: FlaskForm, kind: str, object_id: int, saved: Mapping) -> bool:
    """The form was opened from other values than those saved now: a plain save must not overwrite them."""
    return posted_base(form, kind, object_id) not in (None, fingerprints(saved))


def resolving() -> bool:
    """The post comes from the conflict page (its choices settle the clashes), not from the plain form."""
    return bool(request.form.get("resolve_conflict"))


@dataclass(frozen=True)
class Resolution:
    """What the person chose on the conflict page: per clash ``mine``, ``saved`` or ``merged``, and the
    text they typed to combine both."""

    choices: dict[str, str]
    combined: dict[str, str]


def posted_resolution() -> Resolution:
    return Resolution(_prefixed(CHOICE), _prefixed(COMBINED))


def _prefixed(prefix: str) -> dict[str, str]:
    return {k.removeprefix(prefix): v for k, v in request.form.items() if k.startswith(prefix)}


def read_fresh() -> None:
    """Forget what this request loaded, so the conflict page shows what is saved now."""
    db.session.expire_all()


def conflict_context(
    kind: str,
    object_id: int,
    version: int,
    base: dict | None,
    merge: Merge,
    problems: dict[str, str] | None,
    describe: Callable[[str, str], str | None],
) -> dict:
    """What every conflict page holds besides the values: the version and base the next save starts from,
    the choices made so far (kept only when there are problems to correct) and the problems as
    GOV.UK error-summary entries, worded by ``describe(key, message)`` (None: not listed)."""
    resolution = posted_resolution()
    return {
        "version": version,
        "base_token": sign_base(kind, object_id, version, base),
        "choices": resolution.choices if problems else {},
        "combined": resolution.combined,
        "problems": _problem_list(merge, problems or {}, describe, resolution),
    }


def _problem_list(
    merge: Merge, problems: dict[str, str], describe: Callable[[str, str], str | None], resolution: Resolution
) -> list[dict]:
    """Each entry links to the choice (or the combined text, or the kept value) it is about."""
    listed = []
    for key, message in problems.items():
        text = describe(key, message)
        if text is None:
            continue
        if key in merge.clashes and message != CHOOSE and resolution.choices.get(key) == COMBINE:
            href = f"#{COMBINED}{key}"
        elif key in merge.clashes or message == CHOOSE:
            href = f"#{CHOICE}{key}-mine"
        else:
            href = f"#kept-{key}"
        listed.append({"text": text, "href": href})
    if problems and not listed:
        listed.append(
            {"text": "Some answers need correcting. Check your choices, then save again.", "href": "#save-choices"}
        )
    return listed
