"""An agency's own case number for a sampled case, for that agency's auditors and the coordinators only."""

from __future__ import annotations

from flask import abort, current_app, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from audit_app.audits.routes import _audit_or_404, bp
from audit_app.data import audits as audit_data
from audit_app.data import frame_mapping as mapping_data
from audit_app.security import roles_required
from audit_app.transactions import saved
from audit_tools.states import Role


@bp.get("/<int:audit_id>/cases/<int:case_id>/case-number")
@roles_required(Role.COORDINATOR, Role.AUDITOR)
def case_number(audit_id: int, case_id: int) -> ResponseReturnValue:
    """Which child a pseudonymous case is, in the supplying agency's own numbering."""
    audit = _audit_or_404(audit_id)
    case = audit_data.get_case(audit, case_id) or abort(404)
    if not mapping_data.may_see_case_number(case, current_user):
        abort(403)
    with saved(tell=False) as outcome:  # the look is recorded in the audit trail
        number = mapping_data.case_number(case, current_user, current_app.config.get("CASE_NUMBER_KEY"))
    if not outcome.ok or number is None:
        abort(404)
    response = current_app.make_response(
        render_template("audits/case_number.html", audit=audit, case=case, number=number)
    )
    response.headers["Cache-Control"] = "no-store"
    return response
