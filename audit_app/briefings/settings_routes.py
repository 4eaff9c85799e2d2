"""The partnership's briefing settings: name, logo, colour, series title, definition, resources, rules.

Changes apply to briefings drafted (or sections drafted again) afterwards; a published
briefing keeps what it was published with.
"""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.wrappers import Response as WerkzeugResponse

from audit_app.briefings.access import READERS
from audit_app.briefings.editing import handle_list_post, list_form_with_slot
from audit_app.briefings.forms import LockedForm, LogoForm, SettingsForm, list_form
from audit_app.briefings.routes import bp
from audit_app.data import branding
from audit_app.extensions import db
from audit_app.security import roles_required
from audit_app.transactions import saved
from audit_tools.briefing import MAX_ITEMS, SETTINGS_RESOURCES, items_of, stored
from audit_tools.states import Role

SETTINGS_ROLES = (Role.EDITOR, Role.COORDINATOR, Role.ADMIN)
RESOURCES_FORM = list_form(SETTINGS_RESOURCES)
SCALARS = ("partnership_name", "series_title", "accent_colour", "definition", "suppression_threshold")


def _to_settings() -> WerkzeugResponse:
    return redirect(url_for("briefings.settings"))


def _saved(changed: list[str]) -> None:
    flash(
        "Your changes are saved. New briefings, and sections drafted again, will use them."
        if changed
        else "Nothing was changed.",
        "success",
    )


@bp.route("/settings/briefing", methods=["GET", "POST"])
@roles_required(*SETTINGS_ROLES)
def settings() -> ResponseReturnValue:
    values = branding.briefing_settings_values()
    form = SettingsForm(
        data={
            **{key: values[key] for key in SCALARS},
            "author_may_approve": "yes" if values["author_may_approve"] else "no",
        }
    )
    if form.validate_on_submit():
        new = {key: form[key].data for key in SCALARS}
        new["accent_colour"] = new["accent_colour"].lower()
        new["author_may_approve"] = form.author_may_approve.data == "yes"
        changed = branding.change_settings(new, current_user)
        db.session.commit()
        _saved(changed)
        return _to_settings()
    return render_template(
        "briefings/settings.html", form=form, logo=branding.current_logo(), resources=values["resources"]
    )


@bp.get("/settings/briefing/logo")
@roles_required(*READERS)
def logo() -> ResponseReturnValue:
    """The logo's bytes, as stored after checking and re-encoding."""
    current = branding.current_logo() or abort(404)
    return Response(current.data, mimetype=current.mimetype)


@bp.route("/settings/briefing/logo/new", methods=["GET", "POST"])
@roles_required(*SETTINGS_ROLES)
def upload_logo() -> ResponseReturnValue:
    form = LogoForm()
    if form.validate_on_submit():
        with saved(tell=False) as outcome:
            info = branding.save_logo(form.logo.data.read(branding.MAX_LOGO_BYTES + 1), current_user)
            outcome.success = f"The logo is saved ({info.width} by {info.height} pixels). New briefings will show it."
        if outcome.ok:
            return _to_settings()
        form.logo.errors = [str(outcome.error)]
    return render_template("briefings/settings_logo.html", form=form, logo=branding.current_logo())


@bp.post("/settings/briefing/logo/remove")
@roles_required(*SETTINGS_ROLES)
def remove_logo() -> ResponseReturnValue:
    if LockedForm().validate_on_submit() and branding.remove_logo(current_user):
        db.session.commit()
        flash("The logo is removed. Briefings published from now on will have none.", "success")
    return _to_settings()


@bp.route("/settings/briefing/resources", methods=["GET", "POST"])
@roles_required(*SETTINGS_ROLES)
def resources() -> ResponseReturnValue:
    """The links every new briefing ends with, edited like a list section of a briefing."""
    if request.method == "GET":
        form = list_form_with_slot(
            RESOURCES_FORM, items_of(SETTINGS_RESOURCES, branding.briefing_settings_values()["resources"]), ""
        )
        return render_template(
            "briefings/settings_resources.html", form=form, section=SETTINGS_RESOURCES, max_items=MAX_ITEMS
        )
    form, done = handle_list_post(RESOURCES_FORM)
    if done:
        changed = branding.change_settings({"resources": stored(SETTINGS_RESOURCES, form.typed_items())}, current_user)
        db.session.commit()
        _saved(changed)
        return _to_settings()
    return render_template(
        "briefings/settings_resources.html",
        form=form,
        section=SETTINGS_RESOURCES,
        error_description=form.problem,
        max_items=MAX_ITEMS,
    )
