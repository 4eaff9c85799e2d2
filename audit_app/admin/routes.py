"""Administration: users (invitations, disabling) and agencies."""

from typing import cast

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # not in the WTForms stubs yet

from audit_app.admin.forms import InviteForm
from audit_app.data import accounts
from audit_app.data.events import EventFilter, event_kinds, find_events, record_event
from audit_app.data.people import current_agencies
from audit_app.data.trail_check import CheckpointError, TrailCheck, make_checkpoint, parse_checkpoint, verify_trail
from audit_app.data.trail_seals import DIGEST
from audit_app.data.users import create_user, list_agencies, list_users
from audit_app.extensions import db
from audit_app.input_guard import database_id, page_number
from audit_app.links import external_url
from audit_app.models import Agency, User
from audit_app.security import roles_required
from audit_app.transactions import saved
from audit_tools.analysis import Sheet, to_csv
from audit_tools.states import Role

EVENT_COLUMNS = ("Event", "When (UTC)", "Who", "Action", "Object", "Object id", "Before", "After", "Seal")
EXPORT_LIMIT = 100_000
EVENTS_PER_PAGE = 100  # find_events' page size

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _invite_form() -> InviteForm:
    form = InviteForm()
    form.agency.choices = [SelectChoice("", "No agency")] + [
        SelectChoice(str(a.id), a.name) for a in current_agencies()
    ]
    return form


@bp.get("/users")
@roles_required(Role.ADMIN)
def users() -> ResponseReturnValue:
    return render_template("admin/users.html", users=list_users(), form=_invite_form())


@bp.post("/users")
@roles_required(Role.ADMIN)
def invite() -> ResponseReturnValue:
    """Create an account with no password and show a single-use link for the person to choose one."""
    form = _invite_form()
    if form.validate_on_submit():
        agency = db.session.get(Agency, int(form.agency.data)) if form.agency.data else None
        with saved(tell=False) as outcome:
            # all three are required fields, so set once the form is valid
            user = create_user(
                cast(str, form.email.data),
                cast(str, form.display_name.data),
                accounts.unusable_password(),
                cast(list[str], form.roles.data),
                agency,
            )
            token = accounts.invite(user, current_user)
        if outcome.ok:
            link = external_url("auth.invitation", token=token)
            return render_template("admin/invited.html", user=user, link=link)
        form.email.errors.append(str(outcome.error))  # type: ignore[attr-defined]  # a list once validated; the stubs say Sequence
    return render_template("admin/users.html", users=list_users(), form=form), 422


@bp.post("/users/<int:user_id>/disable")
@roles_required(Role.ADMIN)
def disable(user_id: int) -> ResponseReturnValue:
    user = db.session.get(User, user_id) or abort(404)
    if user.id == current_user.id:
        flash("You cannot disable your own account.", "error")
        return redirect(url_for("admin.users"))
    accounts.disable_user(user, current_user)
    db.session.commit()
    flash(f"{user.display_name} can no longer sign in, and every session they had has ended.", "success")
    return redirect(url_for("admin.users"))


@bp.get("/agencies")
@roles_required(Role.ADMIN, Role.COORDINATOR)
def agencies() -> ResponseReturnValue:
    return render_template("admin/agencies.html", agencies=list_agencies())


def _event_filter() -> EventFilter:
    return EventFilter(
        action=request.args.get("action", "")[:60],
        user_id=database_id(request.args.get("user")),
        object_type=request.args.get("object", "")[:40],
    )


@bp.get("/events")
@roles_required(Role.ADMIN, Role.COORDINATOR)
def events() -> ResponseReturnValue:
    """The audit trail, newest first, with filters; the chain's seals checked on request."""
    page = page_number(request.args.get("page"))
    rows, total = find_events(_event_filter(), page=page, per_page=EVENTS_PER_PAGE)
    if not rows and page > 1 and total:  # past the end (an old link, or a hand-made one): show the last page
        page = -(-total // EVENTS_PER_PAGE)
        rows, total = find_events(_event_filter(), page=page, per_page=EVENTS_PER_PAGE)
    actions, types = event_kinds()
    check, checkpoint_error, checkpoint = None, "", None
    if request.args.get("verify"):
        check, checkpoint_error = _check_seals(request.args.get("checkpoint", ""))
        if check and check.intact:
            checkpoint = make_checkpoint()
            current_app.logger.info("Audit trail checkpoint: %s", checkpoint.to_json())
    return render_template(
        "admin/events.html",
        rows=rows,
        total=total,
        page=page,
        actions=actions,
        types=types,
        users=list_users(),
        where=_event_filter(),
        check=check,
        args=request.args,
        checkpoint_error=checkpoint_error,
        new_checkpoint=checkpoint,
    )


def _check_seals(raw: str) -> tuple[TrailCheck | None, str]:
    """The seals checked against the checkpoint pasted in, if any; or why the checkpoint was not read."""
    try:
        checkpoint = parse_checkpoint(raw) if raw.strip() else None
    except CheckpointError as error:
        return None, str(error)
    return verify_trail(checkpoint), ""


@bp.get("/events.csv")
@roles_required(Role.ADMIN, Role.COORDINATOR)
def events_csv() -> ResponseReturnValue:
    where = _event_filter()
    rows, _ = find_events(where, per_page=EXPORT_LIMIT)
    record_event(
        "events.exported",
        "audit_events",
        None,
        user=current_user,
        after={
            "filter": {"action": where.action, "user": where.user_id, "object": where.object_type},
            "rows": len(rows),
        },
    )
    db.session.commit()
    sheet = Sheet(
        EVENT_COLUMNS,
        (
            [
                str(e.id),
                e.at.isoformat(timespec="seconds"),
                e.user.email if e.user else "",
                e.action,
                e.object_type,
                str(e.object_id or ""),
                _json(e.before),
                _json(e.after),
                e.hash,
            ]
            for e in rows
        ),
    )
    return Response(
        to_csv(sheet), mimetype="text/csv", headers={"Content-Disposition": 'attachment; filename="audit-trail.csv"'}
    )


@bp.app_template_filter("trail_payload")
def trail_payload(value: object) -> str:
    """A payload for people: each digest of typed text shown as its length, never as 64 hex digits."""
    import json

    def readable(item: object) -> object:
        if isinstance(item, dict) and set(item) == {DIGEST, "length"}:
            return f"‹text, {item['length']} characters›"
        if isinstance(item, dict):
            return {name: readable(inner) for name, inner in item.items()}
        return [readable(inner) for inner in item] if isinstance(item, list) else item

    return json.dumps(readable(value), ensure_ascii=False, sort_keys=True)


def _json(value: object) -> str:
    import json

    return json.dumps(value, ensure_ascii=False, sort_keys=True) if value else ""


# The pages for people and agencies add their views to bp when imported, so they come last.
from audit_app.admin import people  # noqa: E402,F401
