"""The home page: what each signed-in person can do next."""

from flask import Blueprint, render_template

from audit_app.data.audits import list_audits

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    return render_template("main/index.html", audits=list_audits())
