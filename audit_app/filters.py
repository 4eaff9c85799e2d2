"""Jinja filters for dates and ages, written the way the partnership writes them."""

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from flask import Flask
from flask_wtf import FlaskForm
from govuk_frontend_wtf.main import wtforms_errors
from govuk_frontend_wtf.wtforms_widgets import GovDateInput

from audit_tools.text import format_age, long_date, uk_date_time, uk_time


def age_years(value: Decimal | float | None) -> str:
    return format_age(value)


def recorded_on(value: str | None) -> str:
    """The UK day of an instant stored as ISO text (in a JSON column), e.g. an override's time."""
    try:
        return long_date(datetime.fromisoformat(value)) if value else ""
    except ValueError:
        return value or ""


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


def init_app(app: Flask) -> None:
    app.add_template_global(error_summary)
    app.add_template_filter(long_date)
    app.add_template_filter(uk_time)
    app.add_template_filter(uk_date_time)
    app.add_template_filter(recorded_on)
    app.add_template_filter(age_years)
    app.add_template_filter(pairs, "zip")
