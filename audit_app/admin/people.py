"""The administrator's pages for people (roles, agency, re-enabling) and agencies (add, rename, retire).

Views on the admin blueprint, kept apart from ``routes`` (users, invitations, the trail); every change
goes through ``audit_app.data.people`` inside ``transactions.saved``.
"""

from typing import cast

from flask import abort, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # not in the WTForms stubs yet

from audit_app.admin.forms import AgencyForm, PersonForm
from audit_app.admin.routes import bp
from audit_app.data import people
from audit_app.extensions import db
from audit_app.forms import ConfirmForm
from audit_app.models import Agency, User
from audit_app.security import roles_required
from audit_app.transactions import saved
from audit_tools.states import Role


def agency_choices(keep: Agency | None = None) -> list[SelectChoice]:
    """No agency, then every current agency (and ``keep``, the person's own, even if retired)."""
    offered = people.current_agencies()
    if keep is not None and keep not in offered:
        offered.append(keep)
    return [SelectChoice("", "No agency")] + [
        SelectChoice(str(a.id), a.name + (" (retired)" if a.retired else "")) for a in offered
    ]


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def person(user_id: int) -> ResponseReturnValue:
    """Change a person's roles and agency."""
    user = db.session.get(User, user_id) or abort(404)
    form = PersonForm(data={"roles": sorted(user.roles), "agency": str(user.agency_id or "")})
    form.agency.choices = agency_choices(user.agency)
    if form.validate_on_submit():
        agency = db.session.get(Agency, int(form.agency.data)) if form.agency.data else None
        with saved(tell=False) as outcome:
            changed = people.set_roles_and_agency(user, cast(list[str], form.roles.data), agency, current_user)
            outcome.success = f"{user.display_name}'s roles and agency are saved." if changed else "Nothing changed."
        if outcome.ok:
            return redirect(url_for("admin.users"))
        form.roles.errors.append(str(outcome.error))  # type: ignore[attr-defined]  # a list once validated
    return render_template("admin/person.html", person=user, form=form, confirm=ConfirmForm())


@bp.post("/users/<int:user_id>/enable")
@roles_required(Role.ADMIN)
def enable(user_id: int) -> ResponseReturnValue:
    user = db.session.get(User, user_id) or abort(404)
    if ConfirmForm().validate_on_submit():
        with saved(f"{user.display_name} can sign in again."):
            people.enable_user(user, current_user)
    return redirect(url_for("admin.users"))


@bp.route("/agencies/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new_agency() -> ResponseReturnValue:
    return _agency_page(None)


@bp.route("/agencies/<int:agency_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_agency(agency_id: int) -> ResponseReturnValue:
    """Rename an agency, or change its sector or its safeguarding lead's e-mail address."""
    return _agency_page(db.session.get(Agency, agency_id) or abort(404))


def _agency_page(agency: Agency | None) -> ResponseReturnValue:
    """Add an agency (``agency`` None) or change one; a refusal is shown on the form with what was typed."""
    form = AgencyForm(obj=agency)
    if form.validate_on_submit():
        fields = (
            cast(str, form.name.data),
            cast(str, form.short_name.data),
            cast(str, form.sector.data),
            form.safeguarding_lead_email.data,
        )
        with saved(tell=False) as outcome:
            if agency is None:
                added = people.add_agency(*fields, current_user)
                outcome.success = f"{added.name} is added."
            else:
                changed = people.change_agency(agency, *fields, current_user)
                outcome.success = f"{agency.name} is saved." if changed else "Nothing changed."
        if outcome.ok:
            return redirect(url_for("admin.agencies"))
        form.name.errors.append(str(outcome.error))  # type: ignore[attr-defined]  # a list once validated
    return render_template("admin/agency.html", agency=agency, form=form, confirm=ConfirmForm())


@bp.post("/agencies/<int:agency_id>/retire")
@roles_required(Role.ADMIN)
def retire_agency(agency_id: int) -> ResponseReturnValue:
    agency = db.session.get(Agency, agency_id) or abort(404)
    if ConfirmForm().validate_on_submit():
        with saved(
            f"{agency.name} is retired: it is no longer offered for new cases, returns or people. Its history stays."
        ):
            people.retire_agency(agency, current_user)
    return redirect(url_for("admin.agencies"))


@bp.post("/agencies/<int:agency_id>/restore")
@roles_required(Role.ADMIN)
def restore_agency(agency_id: int) -> ResponseReturnValue:
    agency = db.session.get(Agency, agency_id) or abort(404)
    if ConfirmForm().validate_on_submit():
        with saved(f"{agency.name} is offered again."):
            people.restore_agency(agency, current_user)
    return redirect(url_for("admin.agencies"))
