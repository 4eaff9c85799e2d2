"""Editing one section of a draft briefing, one page per section, with no JavaScript needed.

List sections show a box per item and one more to add an item; "Move up", "Move down" and
"Remove" rearrange what is on the page without saving, so nothing typed is lost, and "Save"
stores the lot. Each page carries the version it was made from: a save over someone else's
change is refused, and what was typed is shown again to save deliberately.
"""

from __future__ import annotations

from typing import Any

from flask import abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.2; types-WTForms lacks it

from audit_app.briefings.access import BUSINESS_UNIT, working_or_409
from audit_app.briefings.forms import ChartsForm, ListFormBase, LockedForm, fields_form, list_form
from audit_app.briefings.routes import bp
from audit_app.data import briefing_versions as versions
from audit_app.models import Briefing
from audit_app.security import roles_required
from audit_app.transactions import saved
from audit_tools.briefing import BY_KEY, MAX_ITEMS, REFRESH_ALSO, Section, is_blank, items_of, move, stored
from audit_tools.states import BriefingState

FIELDS_FORMS = {s.key: fields_form(s) for s in BY_KEY.values() if s.kind == "fields"}
LIST_FORMS = {s.key: list_form(s) for s in BY_KEY.values() if s.kind == "list"}
CONFLICT = (
    "Someone else saved a change to this briefing while you were editing it, so yours was not saved. "
    "What you typed is still below. Check the preview to see their change, then save again to replace "
    "this section with yours."
)


def _section_or_404(section: str) -> Section:
    return BY_KEY.get(section) or abort(404)


def _back(briefing: Briefing, section: Section) -> Response:
    return redirect(url_for("briefings.composer", audit_id=briefing.audit_id, _anchor=f"section-{section.key}"))


def _save(
    briefing: Briefing,
    section: Section,
    values: dict,
    form: LockedForm,
    *,
    action: str = "briefing.section_saved",
    message: str = "",
) -> str | None:
    """Store the section; None when saved, else the conflict message (the form then carries the current version)."""
    withdrawn = (
        " The approval was withdrawn: the briefing needs approving again."
        if briefing.state == BriefingState.APPROVED
        else ""
    )
    with saved(
        (message or f"{section.heading} saved.") + withdrawn, tell=False, refusals=versions.BriefingError
    ) as outcome:
        versions.save_section(briefing, values, form.lock(), current_user, section=section.key, action=action)
    if isinstance(outcome.error, versions.StaleBriefing):
        form.lock_version.data = str(briefing.lock_version)  # saving again is now a deliberate choice
        return CONFLICT
    if outcome.error is not None:
        working_or_409(briefing.id)  # published meanwhile: its page says so
        raise outcome.error
    return None


def _render(
    template: str, briefing: Briefing, section: Section, form: LockedForm, conflict: str | None = None, **extra: Any
) -> str:
    return render_template(
        template,
        briefing=briefing,
        section=section,
        form=form,
        error_description=conflict,
        max_items=MAX_ITEMS,
        **extra,
    )


@bp.route("/briefings/<int:briefing_id>/sections/<section>", methods=["GET", "POST"])
@roles_required(*BUSINESS_UNIT)
def edit_section(briefing_id: int, section: str) -> ResponseReturnValue:
    briefing = working_or_409(briefing_id)
    spec = _section_or_404(section)
    edit = {"fields": _edit_fields, "list": _edit_list, "charts": _edit_charts}[spec.kind]
    return edit(briefing, spec)


def _edit_fields(briefing: Briefing, section: Section) -> ResponseReturnValue:
    form = FIELDS_FORMS[section.key](
        data={
            **{name: briefing.content.get(name) or "" for name in section.fields},
            "lock_version": briefing.lock_version,
        }
    )
    conflict = None
    if form.validate_on_submit():
        conflict = _save(briefing, section, {name: form[name].data for name in section.fields}, form)
        if conflict is None:
            return _back(briefing, section)
    return _render("briefings/section_fields.html", briefing, section, form, conflict)


def _edit_list(briefing: Briefing, section: Section) -> ResponseReturnValue:
    form_class = LIST_FORMS[section.key]
    if request.method == "GET":
        form = list_form_with_slot(
            form_class, items_of(section, briefing.content.get(section.fields[0]) or []), briefing.lock_version
        )
        return _render("briefings/section_list.html", briefing, section, form)
    form, done = handle_list_post(form_class)
    conflict = None
    if done:
        conflict = _save(briefing, section, {section.fields[0]: stored(section, form.typed_items())}, form)
        if conflict is None:
            return _back(briefing, section)
    return _render("briefings/section_list.html", briefing, section, form, conflict or form.problem)


def list_form_with_slot(
    form_class: type[ListFormBase], items: list[dict], lock_version: int | str | None
) -> ListFormBase:
    """A list form showing ``items`` and, while there is room, an empty box to add one."""
    slot: list[dict] = [{}] if len(items) < MAX_ITEMS else []
    form = form_class(formdata=None, data={"items": items + slot, "lock_version": lock_version})
    form.label_items()
    form.problem = None
    return form


def handle_list_post(form_class: type[ListFormBase]) -> tuple[ListFormBase, bool]:
    """Read a posted list page. Returns the form to show and whether it is ready to save.

    Any button but "Save" only rearranges what was typed; "Save" validates, and a form with
    problems is shown again as typed, each problem beside its box.
    """
    form = form_class()
    action = request.form.get("action", "save")
    if action != "save":
        typed = [
            {part.name: entry.form[part.name].data or "" for part in form.section.parts} for entry in form.items.entries
        ]
        items = [item for item in move(typed, action) if not is_blank(item)]
        return list_form_with_slot(form_class, items, form.lock_version.data), False
    form.problem = None
    if not form.validate_on_submit():
        form.problem = "Nothing was saved. Correct the problems shown below and save again." if form.errors else None
        return form, False
    form.problem = form.too_many()
    if form.problem is None:
        return form, True
    return form, False


def _edit_charts(briefing: Briefing, section: Section) -> ResponseReturnValue:
    current = list(briefing.content.get("charts") or [])
    available = current + [c for c in versions.drafted_charts(briefing.audit) if c not in current]
    form = ChartsForm(data={"charts": list(range(len(current))), "lock_version": briefing.lock_version})
    form.charts.choices = [SelectChoice(n, _chart_label(chart)) for n, chart in enumerate(available)]
    conflict = None
    if form.validate_on_submit():
        chosen = [available[n] for n in sorted(set(form.charts.data or []))]
        conflict = _save(briefing, section, {"charts": chosen}, form)
        if conflict is None:
            return _back(briefing, section)
    return _render("briefings/section_charts.html", briefing, section, form, conflict)


def _chart_label(chart: dict) -> str:
    bars = "; ".join(
        f"{label}: {value}" for label, value in zip(chart.get("labels", []), chart.get("values", []), strict=False)
    )
    return f"{chart.get('title', '')} ({bars})" if bars else chart.get("title", "")


@bp.route("/briefings/<int:briefing_id>/sections/<section>/refresh", methods=["GET", "POST"])
@roles_required(*BUSINESS_UNIT)
def refresh_section(briefing_id: int, section: str) -> ResponseReturnValue:
    """Draft one section afresh from the audit's data, after a confirmation that says what is lost."""
    briefing = working_or_409(briefing_id)
    spec = _section_or_404(section)
    form = LockedForm(data={"lock_version": briefing.lock_version})
    conflict = None
    if form.validate_on_submit():
        values = versions.redrafted_section(briefing, spec.fields + REFRESH_ALSO.get(spec.key, ()))
        conflict = _save(
            briefing,
            spec,
            values,
            form,
            action="briefing.section_refreshed",
            message=f"{spec.heading} was drafted again from the audit's data.",
        )
        if conflict is None:
            return _back(briefing, spec)
    return _render("briefings/refresh.html", briefing, spec, form, conflict)
