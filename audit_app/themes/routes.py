"""The theme codebook (list, add, edit, delete, CSV export and import), coding an audit's excerpts, theme counts."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable
from typing import cast

from flask import Blueprint, Response, abort, flash, make_response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response as WerkzeugResponse

from audit_app.data import coding as coding_data
from audit_app.data import themes as data
from audit_app.data.coding_reliability import coding_blind_to, sample_of
from audit_app.data.tools import definition_of
from audit_app.extensions import db
from audit_app.forms import ConfirmForm
from audit_app.models import Audit, Theme
from audit_app.results_access import results_audit_or_404
from audit_app.security import roles_required
from audit_app.themes.forms import (
    AddThemeForm,
    CodingFilterForm,
    ConfirmImportForm,
    DecisionForm,
    ImportCodebookForm,
    ThemeForm,
)
from audit_app.transactions import flash_problem, saved
from audit_tools.learning import CodebookError, ImportPlan
from audit_tools.states import Role

bp = Blueprint("themes", __name__)

CODEBOOK_EDITORS = (Role.COORDINATOR, Role.EDITOR)
CODEBOOK_READERS = (Role.COORDINATOR, Role.EDITOR, Role.PANEL)
MAX_CODEBOOK_BYTES = 256 * 1024  # base64 of this fits the confirm form under Flask's 500 kB form-field limit


def coding_audit_or_404(audit_id: int) -> Audit:
    """The audit whose coding is shown; refused (403) to its second coder until their blind coding is in."""
    audit = results_audit_or_404(audit_id)
    if coding_blind_to(current_user, audit):
        abort(make_response(render_template("themes/coding_blind.html", audit=audit, sample=sample_of(audit)), 403))
    return audit


# ---------------------------------------------------------------- the codebook


@bp.get("/themes")
@roles_required(*CODEBOOK_READERS)
def index() -> ResponseReturnValue:
    categories = data.themes_by_category()
    return render_template(
        "themes/index.html",
        categories=categories,
        count=sum(len(t) for _, t in categories),
        audits=data.audits_confirmed_in(),
        can_edit=current_user.has_role(*CODEBOOK_EDITORS),
    )


@bp.route("/themes/new", methods=["GET", "POST"])
@roles_required(*CODEBOOK_EDITORS)
def new() -> ResponseReturnValue:
    form = ThemeForm()
    if form.validate_on_submit():
        return _saved(form, None, lambda: data.create_theme(form.values(), current_user), "added to")
    return render_template("themes/edit.html", form=form, theme=None)


@bp.route("/themes/<int:theme_id>/edit", methods=["GET", "POST"])
@roles_required(*CODEBOOK_EDITORS)
def edit(theme_id: int) -> ResponseReturnValue:
    theme = data.get_theme(theme_id) or abort(404)
    form = ThemeForm(
        theme_id=theme.id,
        data=None if request.method == "POST" else {**data.theme_values(theme), "keywords": "\n".join(theme.keywords)},
    )
    if form.validate_on_submit():
        return _saved(form, theme, lambda: data.update_theme(theme, form.values(), current_user), "saved in")
    return render_template("themes/edit.html", form=form, theme=theme)


def _saved(form: ThemeForm, theme: Theme | None, save: Callable[[], object], done: str) -> ResponseReturnValue:
    with saved(f"{form.name.data} has been {done} the codebook.", tell=False) as outcome:
        save()
    if outcome.ok:
        return redirect(url_for("themes.index"))
    form.name.errors = [*form.name.errors, str(outcome.error)]
    return render_template("themes/edit.html", form=form, theme=theme)


@bp.route("/themes/<int:theme_id>/delete", methods=["GET", "POST"])
@roles_required(*CODEBOOK_EDITORS)
def delete(theme_id: int) -> ResponseReturnValue:
    theme = data.get_theme(theme_id) or abort(404)
    form = ConfirmForm()
    if form.validate_on_submit():
        with saved(f"{theme.name} has been deleted from the codebook.") as outcome:
            data.delete_theme(theme, current_user)
        if not outcome.ok:
            return redirect(url_for("themes.delete", theme_id=theme_id))
        return redirect(url_for("themes.index"))
    return render_template("themes/delete.html", theme=theme, uses=data.theme_uses(theme), form=form)


@bp.get("/themes.csv")
@roles_required(*CODEBOOK_EDITORS)
def export() -> ResponseReturnValue:
    """The codebook as a spreadsheet; no cell can run as a formula."""
    return Response(
        "\ufeff" + data.codebook_csv(),
        mimetype="text/csv",  # the mark makes Excel read UTF-8
        headers={"Content-Disposition": 'attachment; filename="theme-codebook.csv"'},
    )


@bp.route("/themes/import", methods=["GET", "POST"])
@roles_required(*CODEBOOK_EDITORS)
def import_file() -> ResponseReturnValue:
    form = ImportCodebookForm()
    problems: list[str] = []
    if form.validate_on_submit():
        raw = form.file.data.read(MAX_CODEBOOK_BYTES + 1)
        try:
            return _preview(_decoded(raw))
        except CodebookError as error:
            problems = error.problems
        form.file.errors = [
            *form.file.errors,
            "Nothing was imported. Correct the problems listed and choose the file again.",
        ]
    return render_template("themes/import.html", form=form, problems=problems)


def _decoded(raw: bytes) -> str:
    if len(raw) > MAX_CODEBOOK_BYTES:
        raise CodebookError(
            [
                f"The file is larger than {MAX_CODEBOOK_BYTES // 1024} kB; a codebook is much smaller. "
                "Check that you chose the right file."
            ]
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CodebookError(
            [
                "The file is not saved as UTF-8 text. In your spreadsheet, save it as "
                "“CSV UTF-8 (comma delimited)” and choose it again."
            ]
        ) from None


def _preview(text: str, changed_since: bool = False) -> str:
    plan = data.plan_codebook_import(text)
    confirm = ConfirmImportForm(
        formdata=None, codebook=base64.b64encode(text.encode("utf-8")).decode("ascii"), digest=_digest(plan)
    )
    return render_template(
        "themes/import_preview.html",
        plan=plan,
        form=confirm,
        changed_since=changed_since,
        now={t.id: data.theme_values(t) for t in data.list_themes()},
    )


def _themes(count: int) -> str:
    return f"{count} theme" if count == 1 else f"{count} themes"


def _digest(plan: ImportPlan) -> str:
    """What the person saw: the changes and the codebook they apply to (so that a colleague's edit is noticed)."""
    seen = json.dumps(plan.as_dict(), sort_keys=True) + data.codebook_csv()
    return hashlib.sha256(seen.encode("utf-8")).hexdigest()


@bp.post("/themes/import/confirm")
@roles_required(*CODEBOOK_EDITORS)
def import_confirm() -> ResponseReturnValue:
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        # the codebook is there: InputRequired
        text = base64.b64decode(cast(str, form.codebook.data), validate=True).decode("utf-8")
        plan = data.plan_codebook_import(text)
    except (binascii.Error, UnicodeDecodeError):
        abort(400)
    except CodebookError as error:  # the codebook changed since the check, so that the file no longer fits
        return render_template("themes/import.html", form=ImportCodebookForm(), problems=error.problems)
    if _digest(plan) != form.digest.data:
        return _preview(text, changed_since=True)
    data.apply_import(plan, current_user)
    db.session.commit()
    flash(f"Codebook imported: {_themes(len(plan.added))} added, {_themes(len(plan.updated))} updated.", "success")
    return redirect(url_for("themes.index"))


# ---------------------------------------------------------------- coding an audit's excerpts


def _filters(formdata: MultiDict[str, str], themes: list[Theme]) -> tuple[CodingFilterForm, coding_data.CodingFilters]:
    form = CodingFilterForm(formdata)
    form.theme.choices = [("", "Any theme")] + [(str(t.id), t.name) for t in themes]
    return form, form.filters()


@bp.get("/audits/<int:audit_id>/coding")
@roles_required(*CODEBOOK_EDITORS)
def coding(audit_id: int) -> ResponseReturnValue:
    audit = coding_audit_or_404(audit_id)
    definition = definition_of(audit.tool_version)
    themes = data.list_themes()
    form, filters = _filters(request.args, themes)
    return render_template(
        "themes/coding.html",
        audit=audit,
        form=form,
        filters=filters,
        themes=themes,
        found=coding_data.excerpts_page(audit, definition, filters),
        progress=data.coding_progress(audit),
        editable=coding_data.coding_editable(audit),
        coding_why_not=coding_data.why_not_editable(audit),
        confirm=ConfirmForm(),
        page_size=coding_data.PAGE_SIZE,
    )


def _editable_audit_or_404(audit_id: int) -> Audit:
    audit = coding_audit_or_404(audit_id)
    if not coding_data.coding_editable(audit):
        flash(coding_data.why_not_editable(audit), "error")
        abort(redirect(url_for("themes.coding", audit_id=audit.id)))
    return audit


@bp.post("/audits/<int:audit_id>/coding/suggest")
@roles_required(*CODEBOOK_EDITORS)
def suggest(audit_id: int) -> ResponseReturnValue:
    audit = _editable_audit_or_404(audit_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    added = coding_data.suggest_codings(audit, definition_of(audit.tool_version), current_user)
    db.session.commit()
    flash(
        f"{added} new {'suggestion' if added == 1 else 'suggestions'} to review."
        if added
        else "There are no new suggestions: every theme whose keywords appear in an uncoded excerpt has already been "
        "suggested.",
        "success",
    )
    return redirect(url_for("themes.coding", audit_id=audit.id))


@bp.post("/audits/<int:audit_id>/coding/<int:coding_id>")
@roles_required(*CODEBOOK_EDITORS)
def decide(audit_id: int, coding_id: int) -> ResponseReturnValue:
    audit = _editable_audit_or_404(audit_id)
    coding = coding_data.get_coding(audit, coding_id) or abort(404)
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400)
    was = coding.status
    coding_data.decide(coding, cast(str, form.decision.data), current_user)  # validated: InputRequired
    db.session.commit()
    name = coding.theme.name
    done = (
        f"{name} confirmed for"
        if form.decision.data == "confirm"
        else f"{name} removed from"
        if was == "confirmed"
        else f"Suggestion of {name} rejected for"
    )
    where = f"case {coding.case.reference}, {coding.agency.name if coding.agency else 'panel'}"
    return _back_to(audit, coding.source, coding.source_key, form.after.data, done, where)


@bp.post("/audits/<int:audit_id>/coding/add")
@roles_required(*CODEBOOK_EDITORS)
def add_coding(audit_id: int) -> ResponseReturnValue:
    audit = _editable_audit_or_404(audit_id)
    form = AddThemeForm()
    if not form.validate_on_submit() and form.errors.keys() - {"theme_id"}:
        abort(400)
    definition = definition_of(audit.tool_version)
    source, key = cast(str, form.excerpt_source.data), cast(str, form.excerpt_key.data)  # validated: InputRequired
    excerpt = coding_data.find_excerpt(audit, definition, source, key) or abort(404)
    theme = data.get_theme(form.theme_id.data) if form.theme_id.data else None
    if theme is None:
        flash_problem(f"Choose a theme to add to the excerpt from case {excerpt.reference}.", f"add-{excerpt.anchor}")
        return _back_to(audit, excerpt.source, excerpt.source_key, None, to_excerpt=False)
    coding_data.add_coding(audit, excerpt, theme, current_user)
    db.session.commit()
    return _back_to(
        audit,
        excerpt.source,
        excerpt.source_key,
        form.after.data,
        f"{theme.name} confirmed for",
        f"case {excerpt.reference}, {excerpt.agency or 'panel'}",
    )


def _back_to(
    audit: Audit,
    source: str,
    key: str,
    after: str | None,
    done: str | None = None,
    where: str = "",
    to_excerpt: bool = True,
) -> WerkzeugResponse:
    """The same page of the same filters, scrolled to the excerpt (or the next one, if it left the list),
    with what was ``done`` said in that excerpt's card, where the editor is looking, not at the top."""
    _form, filters = _filters(request.form, data.list_themes())
    anchor = coding_data.anchor(source, key)
    said = f"{done} this excerpt."  # ``done`` is "Neglect confirmed for", "… removed from" and so on
    if (
        to_excerpt
        and after
        and not coding_data.still_listed(audit, definition_of(audit.tool_version), filters, source, key)
    ):
        anchor, said = after, f"{done} the excerpt from {where}, which has left this list."
    if done:
        flash([anchor, said], "excerpt")  # type: ignore[arg-type]  # the "excerpt" category carries [anchor, text]
    return redirect(
        url_for("themes.coding", audit_id=audit.id, **filters.as_args(), _anchor=anchor if to_excerpt else None)
    )


# ---------------------------------------------------------------- theme counts


@bp.get("/audits/<int:audit_id>/themes")
@roles_required(*CODEBOOK_READERS)
def counts(audit_id: int) -> ResponseReturnValue:
    audit = coding_audit_or_404(audit_id)
    return render_template(
        "themes/counts.html",
        audit=audit,
        counts=data.theme_case_counts(audit),
        agency_table=data.theme_agency_table(audit),
        cases=data.included_case_count(audit),
        in_common=data.themes_in_common(audit),
        progress=data.coding_progress(audit),
        can_code=current_user.has_role(*CODEBOOK_EDITORS),
    )
