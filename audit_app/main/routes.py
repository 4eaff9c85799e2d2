"""The home page: what each signed-in person can do next; the accessibility statement; the health check."""

from datetime import UTC, date, datetime
from typing import Any

from flask import Blueprint, current_app, jsonify, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from audit_app.data import home
from audit_app.data.concerns import open_concerns
from audit_app.maintenance.health import database_answers
from audit_tools.states import Role

bp = Blueprint("main", __name__)

# When the accessibility statement was written and last checked against the service (update both on review).
STATEMENT_PREPARED = date(2026, 11, 22)
STATEMENT_REVIEWED = date(2026, 12, 6)


@bp.get("/")
def index() -> ResponseReturnValue:
    """What needs this person, by role, most urgent first; each item links to the place to act."""
    return render_template("main/index.html", **needs(date.today(), datetime.now(UTC)))


def needs(today: date, now: datetime) -> dict[str, Any]:
    """Each of the person's roles' lists, and nothing for a role they do not have."""
    user = current_user
    found: dict[str, Any] = {"today": today}
    if not user.is_authenticated:
        return found
    if user.has_role(Role.COORDINATOR):
        found["concerns"] = open_concerns(user)  # first: a current safeguarding concern waits for nobody
        found["to_review"] = home.returns_awaiting_review(today)
        found["overdue"] = home.overdue_agencies(today)
        found["stages"] = home.audits_by_stage()
    if user.has_role(Role.AUDITOR) and user.agency_id:
        found["sent_back"], found["my_returns"] = home.my_returns(user, today)
    if user.has_role(Role.AUDITOR, Role.QUALITY, Role.COORDINATOR, Role.EDITOR):
        found["second_looks"] = home.second_looks(user)  # blind second gradings and codings named to them
    if user.has_role(Role.PANEL):
        found["judgements"] = home.cases_awaiting_judgement()
    if user.has_role(Role.EDITOR):
        found["to_code"] = home.excerpts_to_code()
        found["briefings_waiting"] = home.briefings_waiting(user)
        found["actions_due"] = home.actions_due(user, today)
    if user.has_role(Role.COORDINATOR, Role.PANEL, Role.EDITOR):
        found["results"] = home.audits_with_results()
    if user.has_role(Role.VIEWER):
        found["latest_briefings"] = home.latest_briefings()
        found["overdue_actions"] = home.overdue_action_count(user, today)
    if user.has_role(Role.ADMIN):
        found["invitations"] = home.invitations_not_taken_up(now)
        found["disabled"] = home.disabled_accounts()
    return found


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
