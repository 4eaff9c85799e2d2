"""When a return not yet submitted, or an action, is reminded of: the stages of `flask notify run`."""

from __future__ import annotations

from datetime import date

ESCALATE_AFTER_DAYS = 14  # the default number of days overdue after which the agency's lead is told


def reminder_stage(due: date, today: date) -> str | None:
    """The reminder due today for a return due on ``due``, named so that each fires once.

    "week": due within the next 7 days (from a week before); "day": due tomorrow or today;
    "overdue-N": overdue, once a week (N = 0 on the first day overdue, 1 a week later, ...)."""
    days = (due - today).days
    if days > 7:
        return None
    if days > 1:
        return "week"
    if days >= 0:
        return "day"
    return f"overdue-{(-days - 1) // 7}"


def escalation_due(due: date, today: date, after_days: int = ESCALATE_AFTER_DAYS) -> bool:
    """Whether a return due on ``due`` is ``after_days`` or more days overdue today."""
    return (today - due).days >= after_days


def action_stage(due: date, today: date) -> str | None:
    """An action due on ``due``: "soon" within the next 7 days, "overdue" once past, else nothing."""
    days = (due - today).days
    if days < 0:
        return "overdue"
    if days <= 7:
        return "soon"
    return None
