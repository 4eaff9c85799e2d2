"""Jinja filters for dates and ages, written the way the partnership writes them."""

from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask
from flask_wtf import FlaskForm
from govuk_frontend_wtf.main import wtforms_errors
from govuk_frontend_wtf.wtforms_widgets import GovDateInput

from audit_tools.text import format_age, long_date


def age_years(value: Decimal | float | None) -> str:
    return format_age(value)


def pairs(first: Iterable[Any], second: Iterable[Any]) -> list[tuple[Any, Any]]:
    """Zip two sequences for a template loop (chart labels with their values)."""
    return list(zip(first, second, strict=False))


def error_summary(form: FlaskForm, description: str = "") -> dict[str, Any]:
    """GOV.UK error-summary parameters for a form, each link landing on a focusable input.

    govuk-frontend-wtf links a date to its container; GOV.UK asks for its first box (the day).
    """
    params = wtforms_errors(form, {"descriptionText": description} if description else {})
    dates = {f"#{field.id}" for field in form if isinstance(field.widget, GovDateInput)}
    for error in params["errorList"]:
        if error["href"] in dates:
            error["href"] += "-day"
    return params


UK = ZoneInfo("Europe/London")


def uk_date_time(value: datetime | None) -> str:
    """A stored UTC time in the UK's local time (GMT or BST), saying so: "27 March 2026 at 14:05 (UK time)"."""
    if value is None:
        return ""
    local = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UK)
    return f"{local.day} {local:%B %Y} at {local:%H:%M} (UK time)"


def init_app(app: Flask) -> None:
    app.add_template_global(error_summary)
    app.add_template_filter(long_date)
    app.add_template_filter(age_years)
    app.add_template_filter(uk_date_time)
    app.add_template_filter(pairs, "zip")
