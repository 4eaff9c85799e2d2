"""Who may see which briefing, checked on the server for every request.

Everyone signed in reads published briefings. Drafts are the business unit's: editors and
coordinators, and editors only once the audit's returns have been revealed.
"""

from __future__ import annotations

from flask import abort, make_response, render_template
from flask_login import current_user

from audit_app.data import briefing_versions as versions
from audit_app.data.audits import can_see_results
from audit_app.data.briefing_approval import changed_since_approval
from audit_app.data.settings import get_setting
from audit_app.models import ROLES, Briefing
from audit_app.results_access import results_audit_or_404
from audit_tools.briefing import Finding
from audit_tools.states import BriefingState, Role

BUSINESS_UNIT = (Role.EDITOR, Role.COORDINATOR)
READERS = ROLES
audit_or_404 = results_audit_or_404  # the views take it from here


def briefing_or_404(briefing_id: int, *, working: bool = False) -> Briefing:
    """The briefing, if this person may read it (or, with ``working``, work on it)."""
    briefing = versions.get_briefing(briefing_id) or abort(404)
    may_work = current_user.has_role(*BUSINESS_UNIT) and can_see_results(current_user, briefing.audit)
    if (working or briefing.state != BriefingState.PUBLISHED) and not may_work:
        abort(403)
    return briefing


def working_or_409(briefing_id: int) -> Briefing:
    """A version that can still change; a published one gets a page saying why not and what to do."""
    briefing = briefing_or_404(briefing_id, working=True)
    if briefing.state == BriefingState.PUBLISHED:
        abort(make_response(render_template("briefings/published.html", briefing=briefing), 409))
    return briefing


def may_approve(briefing: Briefing) -> bool:
    """Whether this person may approve the version: anyone in the business unit but its author (unless allowed)
    and anyone who changed it since it was last approved (never allowed: a change needs a second person)."""
    if briefing.created_by_id == current_user.id and not get_setting("author_may_approve"):
        return False
    return briefing.state != BriefingState.DRAFT or current_user.id not in changed_since_approval(briefing)


def findings_for(briefing: Briefing) -> list[Finding]:
    """The disclosure check of the version as it is now, with the overrides recorded on it."""
    return versions.disclosure_findings(briefing)
