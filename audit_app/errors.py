"""Error pages that say what happened and what to do next."""

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError

from flask_login import current_user

from audit_app.extensions import db
from audit_app.returns import rescue

MESSAGES = {
    400: ("Something was wrong with that request", "Go back, check what you entered and try again."),
    403: ("You do not have permission to see this page",
          "Your account does not have the role this page needs. Ask your administrator if you think it should."),
    404: ("Page not found", "Check the address, or go back to the home page."),
    405: ("That action is not allowed here", "Go back to the home page and try again."),
    409: ("This can no longer be changed",
          "Published tool versions never change, so audits that use them stay comparable. Create a new draft version instead."),
    413: ("The file is too large", "Files must be smaller than 16 MB. A sample frame needs only one short row per case."),
    500: ("Sorry, there is a problem with the service", "Try again later. Nothing you saved before this has been lost."),
}


def register_error_handlers(app: Flask) -> None:
    for code in MESSAGES:
        app.register_error_handler(code, _handler(code))
    app.register_error_handler(CSRFError, _csrf_error)


def _handler(code: int):
    def handle(_error):
        if code >= 500:
            db.session.rollback()  # the failed transaction must not break the error page too
        title, advice = MESSAGES[code]
        return render_template("error.html", code=code, title=title, advice=advice), code

    return handle


def _csrf_error(_error):
    if rescue.is_return_post() and (kept := rescue.keep_typed_work(signed_in=current_user.is_authenticated)):
        return kept  # the form expired mid-return: nothing typed is lost
    title = "Your form had expired"
    advice = ("For your security, forms expire when you sign out or your session ends. "
              "Go back, refresh the page and send the form again.")
    return render_template("error.html", code=400, title=title, advice=advice), 400
