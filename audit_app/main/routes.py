"""The home page: what each signed-in person can do next; and the health check for monitoring."""

from flask import Blueprint, jsonify, render_template
from flask_login import current_user

from audit_app.data.audits import can_see_results, list_audits
from audit_app.maintenance.health import database_answers

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    """What each person can do next, by role."""
    audits = list_audits()
    return render_template("main/index.html", audits=audits,
                           result_audits=[a for a in audits if can_see_results(current_user, a)])


@bp.get("/health")
def health():
    """Public, for load balancers and uptime checks: whether the database answers, and nothing else."""
    ok = database_answers()
    state = "ok" if ok else "unavailable"
    response = jsonify(status=state, database=state)
    response.status_code = 200 if ok else 503
    response.headers["Cache-Control"] = "no-store"
    return response
