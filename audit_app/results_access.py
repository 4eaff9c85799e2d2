"""Who may open an audit's results (analysis, panel, themes, learning, briefings), checked on the server.

Coordinators follow an audit throughout. Panel members and editors wait until the coordinator closes
returns and reveals them; until then they get a 403 that says so, not the general "wrong role" page.
"""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from werkzeug.exceptions import Forbidden

from audit_app.data.audits import can_see_results, get_audit
from audit_app.models import Audit


class NotRevealed(Forbidden):
    """403 for a panel member or editor who comes before the reveal; the error page shows ``page``."""

    page = (
        "This audit's returns are not revealed yet",
        "Agencies are still completing their returns. You can read them here once the coordinator "
        "closes returns and reveals them to the panel.",
    )


def results_audit_or_404(audit_id: int) -> Audit:
    """The audit, if this person may see its results; 404 if there is none, NotRevealed if it is too early."""
    audit = get_audit(audit_id) or abort(404)
    if not can_see_results(current_user, audit):
        raise NotRevealed()
    return audit
