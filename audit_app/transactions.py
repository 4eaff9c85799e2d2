"""One way to change the database for a person: commit what worked, or roll back and say why.

Data functions flush, and refuse with a ``WorkbenchError`` whose message is written for the person
(audit_tools/errors.py); the request commits once. ``saved`` is that rule in one place::

    with saved("Auditors saved.") as outcome:
        set_assignments(audit, chosen, current_user)
    if outcome.ok:
        return redirect(...)

A refusal is rolled back and flashed as an error, or, with ``tell=False``, left on
``outcome.error`` for the view to show beside a field or on a conflict page. Anything else is a
fault: it propagates to the error page. This module is the only place in ``audit_app`` that rolls
back (tests/unit/test_one_transaction_helper.py keeps it so).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import flash
from flask_wtf import FlaskForm

from audit_app.extensions import db
from audit_tools.errors import WorkbenchError


@dataclass
class Outcome:
    """What became of a change: ``success`` is flashed once committed (the block may set it from what
    it made); ``error`` is the refusal, if any."""

    success: str = ""
    error: Exception | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def flash_problem(message: str, field: str | None = None) -> None:
    """Tell the person about a problem on the next page they see, in its error summary.

    ``field`` (the HTML id of the field it is about) makes the summary link to that field and marks
    the field itself wherever the page shows it (``audit_app/filters.py: mark_flashed_fields``).
    """
    flash({"text": message, "field": field} if field else message, "error")  # type: ignore[arg-type]


EXPIRED = "That form had expired. Please try again."


def flash_form_problems(form: FlaskForm) -> None:
    """Flash a checked form's problems for the page the view sends the person back to, each linked to
    its field; a stale form (its CSRF token) is about no one field and is said in words."""
    for name, messages in form.errors.items():
        field = form._fields.get(name)
        for message in messages:
            if name == "csrf_token" or field is None:
                flash_problem(EXPIRED)
            else:
                flash_problem(str(message), field.id)


@contextmanager
def saved(
    success: str = "",
    *,
    tell: bool = True,
    refusals: type[Exception] | tuple[type[Exception], ...] = WorkbenchError,
    field: str | None = None,
) -> Iterator[Outcome]:
    """Commit the block's changes and flash ``success``; on a refusal roll back and flash its message
    (``tell=False``: leave it on ``outcome.error``). ``refusals`` narrows or widens what counts as one.
    The message links to the refusal's own ``field``, else to ``field``, else (about no one field) to none."""
    outcome = Outcome(success)
    try:
        yield outcome
    except refusals as error:
        discard_changes()
        outcome.error = error
        if tell:
            flash_problem(str(error), getattr(error, "field", None) or field)
        return
    db.session.commit()
    if outcome.success:
        flash(outcome.success, "success")


def discard_changes() -> None:
    """Roll back what the request changed and has not committed: after a refusal, a statement the
    database did not answer, or a fault on the way to the error page."""
    db.session.rollback()
