"""The home page: what each signed-in person can do next; the accessibility statement; the health check."""

from datetime import date

from flask import Blueprint, current_app, jsonify, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from audit_app.data.audits import can_see_results, list_audits
from audit_app.maintenance.health import database_answers

bp = Blueprint("main", __name__)

# When the accessibility statement was written and last checked against the service (update both on review).
STATEMENT_PREPARED = date(2026, 11, 22)
STATEMENT_REVIEWED = date(2026, 11, 22)


@bp.get("/")
def index() -> ResponseReturnValue:
    """What each person can do next, by role."""
    audits = list_audits()
    return render_template(
        "main/index.html", audits=audits, result_audits=[a for a in audits if can_see_results(current_user, a)]
    )


@bp.get("/accessibility")
def accessibility() -> ResponseReturnValue:
    """Public: the accessibility statement, which anyone must be able to read before (or without) signing in."""
    return render_template(
        "main/accessibility.html",
        contact=current_app.config["MAIL_FROM"],
        prepared=STATEMENT_PREPARED,
        reviewed=STATEMENT_REVIEWED,
    )


@bp.get("/health")
def health() -> ResponseReturnValue:
    """Public, for load balancers and uptime checks: whether the database answers, and nothing else."""
    ok = database_answers()
    state = "ok" if ok else "unavailable"
    response = jsonify(status=state, database=state)
    response.status_code = 200 if ok else 503
    response.headers["Cache-Control"] = "no-store"
    return response
