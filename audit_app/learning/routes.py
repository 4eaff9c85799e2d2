"""Learning points, recommendations and the action plan that outlives each audit."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date
from typing import Any, cast

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from wtforms import Field
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.2; types-WTForms lacks it

from audit_app.data import learning as data
from audit_app.data.audits import get_audit
from audit_app.data.moderation import reliability_sentences
from audit_app.data.users import list_agencies
from audit_app.extensions import db
from audit_app.forms import ConfirmForm
from audit_app.learning.forms import (
    ActionPlanFilters,
    CategoryForm,
    LearningPointForm,
    ProgressUpdateForm,
    RecommendationForm,
)
from audit_app.models import (
    AUDIENCES,
    Audit,
    LearningPoint,
    Recommendation,
    RecommendationCategory,
    User,
)
from audit_app.results_access import results_audit_or_404
from audit_app.security import roles_required
from audit_app.transactions import saved
from audit_tools.files import spreadsheet_safe
from audit_tools.learning import AUDIENCE_HEADINGS, rag_counts, rag_words
from audit_tools.states import Role

bp = Blueprint("learning", __name__)
bp.add_app_template_filter(rag_words)

BUSINESS_UNIT = (Role.COORDINATOR, Role.EDITOR)
PLAN_READERS = (Role.COORDINATOR, Role.EDITOR, Role.PANEL, Role.VIEWER)
STEPS = {"up": -1, "down": 1}


def _audit_or_404(audit_id: int, *, editing_from: str | None = None) -> Audit:
    """The audit, if this person may see its results; when editing, only while its learning is open to change
    (else back to ``editing_from``, saying why)."""
    audit = results_audit_or_404(audit_id)
    if editing_from and not data.learning_editable(audit):
        flash(_why_not_editable(audit), "error")
        abort(redirect(url_for(editing_from, audit_id=audit.id)))
    return audit


def _why_not_editable(audit: Audit) -> str:
    if audit.state in data.PUBLISHED_STATES:
        return "This audit's briefing has been published, so its learning and recommendations can no longer change."
    return "Learning and recommendations can be written once the returns have been revealed to the panel."


def _button(change: Callable[[User], object], message: str, back: str) -> ResponseReturnValue:
    """A button's change (its form checked for CSRF): made and committed at once, then said and gone back."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    change(current_user)
    db.session.commit()
    flash(message, "success")
    return redirect(back)


def _point_or_404(audit_id: int, point_id: int) -> tuple[Audit, LearningPoint]:
    audit = _audit_or_404(audit_id, editing_from="learning.learning_points")
    return audit, data.get_learning_point(audit, point_id) or abort(404)


def _recommendation_or_404(audit_id: int, recommendation_id: int) -> tuple[Audit, Recommendation]:
    audit = _audit_or_404(audit_id, editing_from="learning.recommendations")
    return audit, data.get_recommendation(recommendation_id, audit) or abort(404)


# ---------------------------------------------------------------- learning points


@bp.get("/audits/<int:audit_id>/learning")
@roles_required(*BUSINESS_UNIT)
def learning_points(audit_id: int) -> ResponseReturnValue:
    audit = _audit_or_404(audit_id)
    points = data.learning_points(audit)
    groups = [
        (audience, AUDIENCE_HEADINGS[audience], [p for p in points if p.audience == audience]) for audience in AUDIENCES
    ]
    return render_template(
        "learning/points.html",
        audit=audit,
        groups=groups,
        evidence=data.evidence_counts(audit),
        case_count=data.included_case_count(audit),
        editable=data.learning_editable(audit),
        why_not=_why_not_editable(audit),
        confirm=ConfirmForm(),
    )


@bp.route("/audits/<int:audit_id>/learning/new", methods=["GET", "POST"])
@roles_required(*BUSINESS_UNIT)
def new_learning_point(audit_id: int) -> ResponseReturnValue:
    audit = _audit_or_404(audit_id, editing_from="learning.learning_points")
    return _learning_point_form(audit, None, {"audience": request.args.get("audience")})


@bp.route("/audits/<int:audit_id>/learning/<int:point_id>", methods=["GET", "POST"])
@roles_required(*BUSINESS_UNIT)
def edit_learning_point(audit_id: int, point_id: int) -> ResponseReturnValue:
    audit, point = _point_or_404(audit_id, point_id)
    return _learning_point_form(
        audit, point, {"audience": point.audience, "text": point.text, "themes": [t.id for t in point.themes]}
    )


def _learning_point_form(audit: Audit, point: LearningPoint | None, initial: dict) -> ResponseReturnValue:
    form = LearningPointForm(data=initial)
    codebook = data.codebook()
    form.themes.choices = [SelectChoice(t.id, t.name) for t in codebook]
    if form.validate_on_submit():
        saved = data.save_learning_point(
            audit,
            point,
            current_user,
            audience=form.audience.data,
            text=cast(str, form.text.data),  # validated: VisibleText
            theme_ids=form.themes.data or [],
        )
        db.session.commit()
        flash("Learning point saved.", "success")
        return redirect(url_for("learning.learning_points", audit_id=audit.id, _anchor=f"point-{saved.id}"))
    return render_template(
        "learning/point_form.html", audit=audit, point=point, form=form, codebook=codebook, confirm=ConfirmForm()
    )


@bp.post("/audits/<int:audit_id>/learning/<int:point_id>/delete")
@roles_required(*BUSINESS_UNIT)
def delete_learning_point(audit_id: int, point_id: int) -> ResponseReturnValue:
    audit, point = _point_or_404(audit_id, point_id)
    return _button(
        lambda user: data.delete_learning_point(point, user),
        "Learning point deleted.",
        url_for("learning.learning_points", audit_id=audit.id),
    )


@bp.post("/audits/<int:audit_id>/learning/<int:point_id>/move/<any(up, down):direction>")
@roles_required(*BUSINESS_UNIT)
def move_learning_point(audit_id: int, point_id: int, direction: str) -> ResponseReturnValue:
    audit, point = _point_or_404(audit_id, point_id)
    return _button(
        lambda user: data.move_learning_point(point, STEPS[direction], user),
        f"Learning point moved {direction}.",
        url_for("learning.learning_points", audit_id=audit.id, _anchor=f"point-{point.id}"),
    )


# ---------------------------------------------------------------- recommendations of one audit


@bp.get("/audits/<int:audit_id>/recommendations")
@roles_required(*BUSINESS_UNIT)
def recommendations(audit_id: int) -> ResponseReturnValue:
    audit = _audit_or_404(audit_id)
    return render_template(
        "learning/recommendations.html",
        audit=audit,
        recommendations=data.recommendations(audit),
        category_names={c.slug: c.name for c in data.categories()},
        today=date.today(),
        editable=data.learning_editable(audit),
        why_not=_why_not_editable(audit),
        confirm=ConfirmForm(),
    )


@bp.route("/audits/<int:audit_id>/recommendations/new", methods=["GET", "POST"])
@roles_required(*BUSINESS_UNIT)
def new_recommendation(audit_id: int) -> ResponseReturnValue:
    audit = _audit_or_404(audit_id, editing_from="learning.recommendations")
    return _recommendation_form(audit, None, {"rag": "amber"})


@bp.route("/audits/<int:audit_id>/recommendations/<int:recommendation_id>/edit", methods=["GET", "POST"])
@roles_required(*BUSINESS_UNIT)
def edit_recommendation(audit_id: int, recommendation_id: int) -> ResponseReturnValue:
    audit, rec = _recommendation_or_404(audit_id, recommendation_id)
    return _recommendation_form(
        audit,
        rec,
        {
            "text": rec.text,
            "category": rec.category,
            "rag": rec.rag,
            "lead_agency": rec.lead_agency_id,
            "timeframe": rec.timeframe,
            "due_date": rec.due_date,
        },
    )


def _recommendation_form(audit: Audit, rec: Recommendation | None, initial: dict) -> ResponseReturnValue:
    form = RecommendationForm(data=initial)
    form.category.choices = [SelectChoice("", "Choose a category")] + [
        SelectChoice(c.slug, c.name) for c in data.categories()
    ]
    form.lead_agency.choices = [SelectChoice("", "Choose the lead agency")] + [
        SelectChoice(a.id, a.name) for a in list_agencies()
    ]
    if rec is not None:
        form.rag.validators = []  # after it is made, the status changes only with a progress update
        form.rag.data = rec.rag
    if form.validate_on_submit():
        saved = data.save_recommendation(
            audit,
            rec,
            current_user,
            text=form.text.data,
            category=form.category.data,
            lead_agency_id=form.lead_agency.data,
            timeframe=(form.timeframe.data or "").strip(),
            due_date=form.due_date.data,
            rag=form.rag.data,
        )
        db.session.commit()
        flash("Recommendation saved.", "success")
        return redirect(url_for("learning.recommendations", audit_id=audit.id, _anchor=f"recommendation-{saved.id}"))
    return render_template("learning/recommendation_form.html", audit=audit, rec=rec, form=form, confirm=ConfirmForm())


@bp.post("/audits/<int:audit_id>/recommendations/<int:recommendation_id>/delete")
@roles_required(*BUSINESS_UNIT)
def delete_recommendation(audit_id: int, recommendation_id: int) -> ResponseReturnValue:
    audit, rec = _recommendation_or_404(audit_id, recommendation_id)
    return _button(
        lambda user: data.delete_recommendation(rec, user),
        "Recommendation deleted, with its progress updates.",
        url_for("learning.recommendations", audit_id=audit.id),
    )


@bp.post("/audits/<int:audit_id>/recommendations/<int:recommendation_id>/move/<any(up, down):direction>")
@roles_required(*BUSINESS_UNIT)
def move_recommendation(audit_id: int, recommendation_id: int, direction: str) -> ResponseReturnValue:
    audit, rec = _recommendation_or_404(audit_id, recommendation_id)
    return _button(
        lambda user: data.move_recommendation(rec, STEPS[direction], user),
        f"Recommendation moved {direction}.",
        url_for("learning.recommendations", audit_id=audit.id, _anchor=f"recommendation-{rec.id}"),
    )


# ---------------------------------------------------------------- one action's progress


def _visible_recommendation_or_404(recommendation_id: int) -> tuple[Recommendation, Audit]:
    rec = data.get_recommendation(recommendation_id) or abort(404)
    audit = get_audit(rec.audit_id) or abort(404)
    if audit.state not in data.visible_states(current_user):
        abort(404)
    return rec, audit


@bp.get("/recommendations/<int:recommendation_id>")
@roles_required(*PLAN_READERS)
def recommendation(recommendation_id: int) -> ResponseReturnValue:
    rec, audit = _visible_recommendation_or_404(recommendation_id)
    return _recommendation_page(rec, audit, ProgressUpdateForm(data={"rag": rec.rag}))


@bp.post("/recommendations/<int:recommendation_id>/updates")
@roles_required(*BUSINESS_UNIT)
def add_progress_update(recommendation_id: int) -> ResponseReturnValue:
    rec, audit = _visible_recommendation_or_404(recommendation_id)
    form = ProgressUpdateForm()
    if form.validate_on_submit():
        data.add_progress_update(
            rec,
            current_user,
            text=cast(str, form.text.data),  # validated: VisibleText
            rag=form.rag.data,
        )
        db.session.commit()
        flash(f"Progress update added. The status is now {rag_words(form.rag.data)}.", "success")
        return redirect(url_for("learning.recommendation", recommendation_id=rec.id))
    return _recommendation_page(rec, audit, form)


def _recommendation_page(rec: Recommendation, audit: Audit, form: ProgressUpdateForm) -> str:
    category = data.get_category(rec.category)
    return render_template(
        "learning/recommendation.html",
        rec=rec,
        audit=audit,
        form=form,
        category_name=category.name if category else rec.category,
        updates=data.progress_updates(rec),
        today=date.today(),
        can_update=current_user.has_role(*BUSINESS_UNIT),
    )


# ---------------------------------------------------------------- the action plan across audits


_UNKNOWN_FILTER = {
    "audit": "That audit has no actions in the plan you can see, so the actions of every audit are shown. "
    "Choose an audit from the list.",
    "": "The {what} in the address is not one of the choices, so the plan is not filtered by {what}. "
    "Choose one from the list.",
}


def _plan_filters() -> tuple[ActionPlanFilters, data.ActionFilters]:
    """The filters as typed in the query string, and the ones that are valid (a bad value is shown, then ignored)."""
    form = ActionPlanFilters(request.args)
    form.audit.choices = [SelectChoice("", "All audits")] + [
        SelectChoice(a.id, a.title_with_year) for a in data.plan_audits(current_user)
    ]
    form.lead_agency.choices = [SelectChoice("", "All agencies")] + [
        SelectChoice(a.id, a.name) for a in list_agencies()
    ]
    form.category.choices = [SelectChoice("", "All categories")] + [
        SelectChoice(c.slug, c.name) for c in data.categories()
    ]
    form.validate()
    for field in form:
        if field.errors:  # an old or edited link: say what happened in words, never "Not a valid choice."
            field.errors = [_UNKNOWN_FILTER.get(field.name, _UNKNOWN_FILTER[""]).format(what=field.label.text.lower())]

    def valid(field: Field, empty: object) -> Any:
        return empty if field.errors else (field.data or empty)

    return form, data.ActionFilters(
        audit_id=valid(form.audit, None),
        lead_agency_id=valid(form.lead_agency, None),
        category=valid(form.category, ""),
        rag=valid(form.rag, ""),
        overdue_only=bool(form.overdue.data),
    )


@bp.get("/actions")
@roles_required(*PLAN_READERS)
def action_plan() -> ResponseReturnValue:
    form, filters = _plan_filters()
    actions = data.action_plan(current_user, filters, date.today())
    chosen: dict[str, Any] = request.args.to_dict()  # url_for's stub types only its own keywords
    return render_template(
        "learning/actions.html",
        form=form,
        actions=actions,
        filtered=filters != data.ActionFilters(),
        counts=rag_counts(a.recommendation.rag for a in actions),
        csv_url=url_for("learning.action_plan_csv", **chosen),
    )


@bp.get("/actions.csv")
@roles_required(*PLAN_READERS)
def action_plan_csv() -> ResponseReturnValue:
    """The filtered action plan as a spreadsheet; no cell can run as a formula."""
    _form, filters = _plan_filters()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            "Recommendation",
            "Audit",
            "Year",
            "Category",
            "Lead agency",
            "Time frame",
            "Due date",
            "Status",
            "Overdue",
            "Last update",
        ]
    )
    for action in data.action_plan(current_user, filters, date.today()):
        rec = action.recommendation
        writer.writerow(
            [
                spreadsheet_safe(rec.text),
                spreadsheet_safe(action.audit.title),
                action.audit.year,
                spreadsheet_safe(action.category_name),
                spreadsheet_safe(rec.lead_agency.name if rec.lead_agency else ""),
                spreadsheet_safe(rec.timeframe),
                rec.due_date.isoformat() if rec.due_date else "",
                rag_words(rec.rag),
                "Yes" if action.overdue else "No",
                action.last_update.date().isoformat() if action.last_update else "",
            ]
        )
    return Response(
        buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="action-plan.csv"'},
    )


# ---------------------------------------------------------------- recommendation categories


@bp.route("/categories", methods=["GET", "POST"])
@roles_required(*BUSINESS_UNIT)
def categories() -> ResponseReturnValue:
    form = CategoryForm()
    if _category_saved(form, data.add_category, "added"):
        return redirect(url_for("learning.categories"))
    return render_template(
        "learning/categories.html",
        form=form,
        categories=data.categories(),
        usage=data.category_usage(),
        confirm=ConfirmForm(),
    )


@bp.route("/categories/<slug>/edit", methods=["GET", "POST"])
@roles_required(*BUSINESS_UNIT)
def rename_category(slug: str) -> ResponseReturnValue:
    category = data.get_category(slug) or abort(404)
    form = CategoryForm(data={"name": category.name})
    form.submit.label.text = "Save name"
    if _category_saved(form, lambda name, user: data.rename_category(category, name, user), "renamed"):
        return redirect(url_for("learning.categories"))
    return render_template("learning/category_form.html", category=category, form=form)


def _category_saved(form: CategoryForm, save: Callable[[str, User], RecommendationCategory], done: str) -> bool:
    """Save the name typed; a name already taken becomes the field's error. True once saved."""
    if not form.validate_on_submit():
        return False
    with saved(tell=False) as outcome:
        category = save(cast(str, form.name.data), current_user)  # validated: VisibleText
        outcome.success = f"Category ‘{category.name}’ {done}."
    if not outcome.ok:
        form.name.errors = [*form.name.errors, str(outcome.error)]
    return outcome.ok


@bp.post("/categories/<slug>/delete")
@roles_required(*BUSINESS_UNIT)
def delete_category(slug: str) -> ResponseReturnValue:
    category = data.get_category(slug) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with saved(f"Category ‘{category.name}’ deleted."):
        data.delete_category(category, current_user)
    return redirect(url_for("learning.categories"))


@bp.post("/categories/<slug>/move/<any(up, down):direction>")
@roles_required(*BUSINESS_UNIT)
def move_category(slug: str, direction: str) -> ResponseReturnValue:
    category = data.get_category(slug) or abort(404)
    return _button(
        lambda user: data.move_category(category, STEPS[direction], user),
        f"Category ‘{category.name}’ moved {direction}.",
        url_for("learning.categories"),
    )


# ---------------------------------------------------------------- year on year


@bp.get("/trends")
@roles_required(Role.COORDINATOR, Role.EDITOR, Role.PANEL)
def trends() -> ResponseReturnValue:
    audits = data.revealed_audits()
    return render_template(
        "learning/trends.html",
        audits=audits,
        themes=data.theme_trend_table(audits),
        compliance=data.compliance_table(audits),
        reliability=reliability_sentences(audits),
    )
