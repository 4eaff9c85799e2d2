"""Who may open an audit's results (analysis, panel, themes, learning, briefings), checked on the server.

Coordinators follow an audit throughout. Panel members and editors wait until the coordinator closes
returns and reveals them; until then they get a 403 that says so, not the general "wrong role" page.
"""

from __future__ import annotations

from flask import abort, make_response, render_template
from flask_login import current_user

from audit_app.data.audits import can_see_results, get_audit
from audit_app.models import Audit

NOT_REVEALED = "This audit's returns are not revealed yet"
NOT_REVEALED_ADVICE = ("Agencies are still completing their returns. You can read them here once the coordinator "
                       "closes returns and reveals them to the panel.")


def results_audit_or_404(audit_id: int) -> Audit:
    """The audit, if this person may see its results; 404 if there is none, a 403 explaining the wait if it is
    too early for them."""
    audit = get_audit(audit_id) or abort(404)
    if not can_see_results(current_user, audit):
        abort(make_response(render_template("error.html", code=403, title=NOT_REVEALED, advice=NOT_REVEALED_ADVICE),
                            403))
    return audit
