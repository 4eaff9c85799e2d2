"""The home page: what each signed-in person can do next."""

from flask import Blueprint, render_template
from flask_login import current_user

from audit_app.data.audits import can_see_results, list_audits

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    """What each person can do next, by role."""
    audits = list_audits()
    return render_template("main/index.html", audits=audits,
                           result_audits=[a for a in audits if can_see_results(current_user, a)])
