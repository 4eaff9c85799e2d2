"""The one base of every refusal the workbench explains to a person.

A domain function (here) or a data-access function (``audit_app.data``) that refuses an action
raises a subclass of ``WorkbenchError`` whose message is written for the person who asked:
what was wrong and what to do. Views catch ``WorkbenchError``, roll back and show the message as
it is; anything else is a fault, logged and answered by the error page.
"""

from __future__ import annotations


class WorkbenchError(ValueError):
    """A refusal whose message is meant for the person who asked (subclasses name the kind).

    ``field`` names the form field the refusal is about (its HTML id, e.g. ``"reason"``), so that the
    page links the message to that field and marks it; None when the refusal is about no one field.
    """

    def __init__(self, *args: object, field: str | None = None) -> None:
        super().__init__(*args)
        self.field = field
