"""Administration: users and agencies."""

from flask import Blueprint, render_template

from audit_app.data.users import list_agencies, list_users
from audit_app.security import roles_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/users")
@roles_required("admin")
def users():
    return render_template("admin/users.html", users=list_users())


@bp.get("/agencies")
@roles_required("admin", "coordinator")
def agencies():
    return render_template("admin/agencies.html", agencies=list_agencies())
