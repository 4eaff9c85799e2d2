"""Jinja filters for dates and ages, written the way the partnership writes them."""

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from flask import Flask, before_render_template, get_flashed_messages, has_request_context
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


def flashed_problems() -> list[dict[str, str]]:
    """The problems flashed for this page (``transactions.flash_problem``), as error-summary items: each
    ``{"text", "href"}``, with no ``href`` for a problem about no one field."""
    if not has_request_context():
        return []
    problems = []
    for message in get_flashed_messages(category_filter=["error"]):
        if isinstance(message, dict):
            problems.append({"text": str(message["text"]), "href": f"#{message['field']}"})
        else:
            problems.append({"text": str(message)})
    return problems


def problem_for(field_id: str) -> str | None:
    """The flashed problem about the field with HTML id ``field_id``, for a field a template writes by hand."""
    return next((p["text"] for p in flashed_problems() if p.get("href") == f"#{field_id}"), None)


def page_error_summary(form: FlaskForm | None, description: str = "") -> dict[str, Any] | None:
    """The page's one error summary: the form's errors and every flashed problem, each linked to its field.

    A problem about no one field (a state the audit is in, an expired form) cannot link anywhere: it is said
    in words above the list, as the summary's description. None when there is nothing to say."""
    params = error_summary(form, description) if form is not None and form.errors else {"errorList": []}
    listed = {(item.get("href"), item["text"]) for item in params["errorList"]}
    unlinked = [description] if description else []
    for problem in flashed_problems():
        if "href" not in problem:
            unlinked.append(problem["text"])
        elif (problem["href"], problem["text"]) not in listed:
            params["errorList"].append(problem)
    if unlinked:
        params["descriptionText"] = " ".join(dict.fromkeys(unlinked))
    if not params["errorList"] and not unlinked:
        return None
    return {**params, "titleText": "There is a problem"}


def mark_flashed_fields(_app: Flask, template: object, context: dict[str, Any]) -> None:
    """Put each flashed problem on its field in any form the page shows, so that the field is marked (red
    border, the message above it, ``aria-describedby``) as if the form had just been checked."""
    forms = [value for value in context.values() if isinstance(value, FlaskForm)]
    for value in context.values():  # a page with a form for each row passes them in a dict or a list
        items = value.values() if isinstance(value, dict) else value if isinstance(value, list | tuple) else ()
        forms += [item for item in items if isinstance(item, FlaskForm)]
    for problem in flashed_problems():
        target = problem.get("href", "")[1:]
        for form in forms:
            for field in form:
                if field.id == target and problem["text"] not in field.errors:
                    field.errors = [*field.errors, problem["text"]]


def init_app(app: Flask) -> None:
    app.add_template_global(error_summary)
    app.add_template_global(page_error_summary)
    app.add_template_global(problem_for)
    before_render_template.connect(mark_flashed_fields, app)
    app.add_template_filter(long_date)
    app.add_template_filter(uk_time)
    app.add_template_filter(uk_date_time)
    app.add_template_filter(recorded_on)
    app.add_template_filter(age_years)
    app.add_template_filter(pairs, "zip")
