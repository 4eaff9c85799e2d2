"""Error pages that say what happened and what to do next."""

from collections.abc import Callable
from types import SimpleNamespace

from flask import Flask, current_app, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from sqlalchemy.exc import DataError

from audit_app import rescue
from audit_app.transactions import discard_changes

MESSAGES = {
    400: ("Something was wrong with that request", "Go back, check what you entered and try again."),
    403: (
        "You do not have permission to see this page",
        "Your account does not have the role this page needs. Ask your administrator if you think it should.",
    ),
    404: ("Page not found", "Check the address, or go back to the home page."),
    405: ("That action is not allowed here", "Go back to the home page and try again."),
    409: (
        "This can no longer be changed",
        "Published tool versions never change, so audits that use them stay comparable. Create a new draft "
        "version instead.",
    ),
    413: (
        "The file is too large",
        "Files must be smaller than 16 MB. A sample frame needs only one short row per case.",
    ),
    500: (
        "Sorry, there is a problem with the service",
        "Try again later. Nothing you saved before this has been lost.",
    ),
}


def register_error_handlers(app: Flask) -> None:
    for code in MESSAGES:
        app.register_error_handler(code, _handler(code))
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(DataError, _unstorable)
    app.register_error_handler(RecursionError, _unstorable)
    app.register_error_handler(OverflowError, _unstorable)  # SQLite's answer to an integer past 64 bits


UNSTORABLE = (
    "Something you sent could not be stored",
    "A number was too large, or some text held a character that cannot be stored, or the data was nested "
    "too deeply. Nothing from that request was saved. Go back, check what you entered and try again.",
)


def _unstorable(error: Exception) -> ResponseReturnValue:
    """The last net under the input guard: the database refused a value (an id out of range, a NUL), or
    a value was nested past Python's recursion limit. The request's fault, so a 400, never a 500."""
    discard_changes()
    current_app.logger.warning("Refused a request the database could not store: %s", type(error).__name__)
    return _handler(400)(SimpleNamespace(page=UNSTORABLE))


# Used only when the error page itself cannot be drawn (say the database is down and the header
# needs the signed-in user): still the service's look, still no detail of what went wrong.
PLAIN_PAGE = """<!DOCTYPE html>
<html lang="en" class="govuk-template"><head><meta charset="utf-8"><title>{title} – {service}</title>
<link rel="stylesheet" href="{css}"></head>
<body class="govuk-template__body"><div class="govuk-width-container">
<main class="govuk-main-wrapper" id="main-content">
<h1 class="govuk-heading-l">{title}</h1><p class="govuk-body">{advice}</p>
<p class="govuk-body"><a class="govuk-link" href="/">Go to the home page</a></p></main></div></body></html>
"""


def _handler(code: int) -> Callable[[object], ResponseReturnValue]:
    def handle(error: object) -> ResponseReturnValue:
        # An error raised with a ``page`` of its own (title, advice) says more than the code's general words.
        title, advice = getattr(error, "page", None) or MESSAGES[code]
        try:
            if code >= 500:
                discard_changes()  # the failed transaction must not break the error page too
            return render_template("error.html", code=code, title=title, advice=advice), code
        except Exception:  # last resort: the details go to the log, never to the person
            current_app.logger.exception("The %s error page could not be drawn", code)
            return _plain_page(title, advice), code, {"Content-Type": "text/html; charset=utf-8"}

    return handle


def _plain_page(title: str, advice: str) -> str:
    return PLAIN_PAGE.format(
        title=escape(title),
        advice=escape(advice),
        service=escape(current_app.config["PARTNERSHIP_NAME"]),
        css=escape(url_for("static", filename="dist/css/main.css")),
    )


def _csrf_error(_error: CSRFError) -> ResponseReturnValue:
    if rescue.is_return_post() and (kept := rescue.keep_typed_work(signed_in=current_user.is_authenticated)):
        return kept  # the form expired mid-return: nothing typed is lost
    title = "Your form had expired"
    advice = (
        "For your security, forms expire when you sign out or your session ends. "
        "Go back, refresh the page and send the form again."
    )
    return render_template("error.html", code=400, title=title, advice=advice), 400
