"""Jinja filters for dates and ages, written the way the partnership writes them."""

from datetime import date, datetime

from flask import Flask

from audit_tools.summary import format_age


def long_date(value: date | datetime | None) -> str:
    """27 March 2026"""
    return f"{value.day} {value:%B %Y}" if value else ""


def age_years(value) -> str:
    return format_age(value)


def pairs(first, second) -> list[tuple]:
    """Zip two sequences for a template loop (chart labels with their values)."""
    return list(zip(first, second))


def init_app(app: Flask) -> None:
    app.add_template_filter(long_date)
    app.add_template_filter(age_years)
    app.add_template_filter(pairs, "zip")
