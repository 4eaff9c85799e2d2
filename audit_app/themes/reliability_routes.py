"""Coding-reliability pages (added to the themes blueprint): a coordinator or editor draws a reproducible
sample of the audit's excerpts and names a second coder; the second coder codes them blind; once that
coding is in, both are compared side by side, agreement is measured, and the differences are settled.
The blind rule is the data layer's (``data.coding_reliability``); these views only ask it."""

from __future__ import annotations

import secrets

from flask import abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # not in the WTForms stubs yet

from audit_app.data import coding as coding_data
from audit_app.data import coding_reliability as reliability_data
from audit_app.data.tools import definition_of
from audit_app.models import Audit, CodingSample
from audit_app.security import roles_required
from audit_app.themes.reliability_forms import CoderForm, ExcerptDrawForm, ThemesByExcerptBase, themes_by_excerpt_form
from audit_app.themes.routes import CODEBOOK_EDITORS, bp, coding_audit_or_404
from audit_app.transactions import flash_form_problems, saved
from audit_tools.reliability import alpha_words
from audit_tools.states import ModerationState

bp.add_app_template_filter(alpha_words, "alpha_words")


def _coder_form(sample: CodingSample | None) -> CoderForm | None:
    if sample is None or sample.state != ModerationState.ASSIGNED:
        return None
    form = CoderForm(data={"coder": sample.coder_id})
    people = [SelectChoice(p.id, p.display_name) for p in reliability_data.coder_choices(sample)]
    form.coder.choices = [SelectChoice(0, "Choose a second coder"), *people] if people else []
    return form


def _render_sample(audit: Audit, draw_form: ExcerptDrawForm | None = None) -> str:
    sample = reliability_data.sample_of(audit)
    return render_template(
        "themes/reliability.html",
        audit=audit,
        sample=sample,
        pool=reliability_data.excerpt_count(audit, definition_of(audit.tool_version)) if sample is None else 0,
        form=draw_form or ExcerptDrawForm(data={"seed": secrets.randbelow(1_000_000)}),
        coder_form=_coder_form(sample),
        agreement=reliability_data.agreement(sample) if sample else None,
        differing=reliability_data.differing(sample) if sample else [],
        why_not=None if coding_data.coding_editable(audit) else coding_data.why_not_editable(audit),
    )


@bp.get("/audits/<int:audit_id>/coding/reliability")
@roles_required(*CODEBOOK_EDITORS)
def coding_reliability(audit_id: int) -> ResponseReturnValue:
    return _render_sample(coding_audit_or_404(audit_id))


@bp.post("/audits/<int:audit_id>/coding/reliability/draw")
@roles_required(*CODEBOOK_EDITORS)
def draw_coding_sample(audit_id: int) -> ResponseReturnValue:
    audit = coding_audit_or_404(audit_id)
    form = ExcerptDrawForm()
    if not form.validate_on_submit():
        return _render_sample(audit, form), 400
    with saved() as outcome:
        rate, minimum, seed = form.rate_percent.data or 0, form.minimum.data or 0, form.seed.data or 0  # validated
        drawn = reliability_data.draw(audit, definition_of(audit.tool_version), rate, minimum, seed, current_user)
        outcome.success = f"The coding sample has been drawn: {len(drawn.items)} excerpts."
    if not outcome.ok:
        return _render_sample(audit, form), 409
    return redirect(url_for("themes.coding_reliability", audit_id=audit.id))


@bp.post("/audits/<int:audit_id>/coding/reliability/coder")
@roles_required(*CODEBOOK_EDITORS)
def name_second_coder(audit_id: int) -> ResponseReturnValue:
    audit = coding_audit_or_404(audit_id)
    form = _coder_form(reliability_data.sample_of(audit) or abort(404))
    if form is None:
        abort(409)
    if not form.validate_on_submit():
        flash_form_problems(form)
        return redirect(url_for("themes.coding_reliability", audit_id=audit.id))
    with saved(field=form.coder.id) as outcome:
        sample = reliability_data.sample_of(audit)
        coder = reliability_data.name_coder(sample, form.coder.data, current_user)  # type: ignore[arg-type]
        outcome.success = f"{coder.display_name} will code the sampled excerpts again."
    return redirect(url_for("themes.coding_reliability", audit_id=audit.id))


# ---------------------------------------------------------------- the second coder


def _theme_choices() -> list[tuple[int, str]]:
    return [(t.id, t.name) for t in reliability_data.themes()]


def _render_second(sample: CodingSample, form: ThemesByExcerptBase, error: str = "") -> str:
    return render_template(
        "themes/second_coding.html",
        sample=sample,
        audit=sample.audit,
        form=form,
        codebook=reliability_data.themes(),
        error_description=error,
    )


@bp.route("/coding-samples/<int:sample_id>/code", methods=["GET", "POST"])
@roles_required(*CODEBOOK_EDITORS)
def second_coding(sample_id: int) -> ResponseReturnValue:
    """The second coder's blind coding: the sampled excerpts and the codebook, nothing of the first coding."""
    done = reliability_data.submitted_sample(sample_id)
    if done is not None:  # nothing is blind any more: say so to any coder, with the way to the comparison
        return render_template("themes/coding_submitted.html", sample=done, audit=done.audit)
    sample = reliability_data.sample_for_coder(sample_id, current_user) or abort(404)
    offered = {item.id: _theme_choices() for item in sample.items}
    if request.method == "GET":
        data = {f"excerpt_{item.id}": item.second_themes for item in sample.items}
        return _render_second(sample, themes_by_excerpt_form(offered, data=data))
    form = themes_by_excerpt_form(offered)
    if not form.validate_on_submit():
        return _render_second(sample, form), 400
    submitting = bool(request.form.get("submit_coding"))
    message = "Your coding has been submitted." if submitting else "Your coding has been saved."
    with saved(message, tell=False) as outcome:
        reliability_data.save_second_coding(sample, form.chosen(), current_user, submitting)
    if not outcome.ok:
        return _render_second(sample, form, str(outcome.error)), 400
    if submitting:
        return redirect(url_for("themes.coding_reliability", audit_id=sample.audit_id))
    return redirect(url_for("themes.second_coding", sample_id=sample.id))


# ---------------------------------------------------------------- side by side, and the agreed coding


@bp.route("/audits/<int:audit_id>/coding/reliability/reconcile", methods=["GET", "POST"])
@roles_required(*CODEBOOK_EDITORS)
def reconcile_coding(audit_id: int) -> ResponseReturnValue:
    audit = coding_audit_or_404(audit_id)
    sample = reliability_data.sample_of(audit) or abort(404)
    if sample.state == ModerationState.ASSIGNED:
        return redirect(url_for("themes.coding_reliability", audit_id=audit.id))
    names = {t.id: t.name for t in reliability_data.themes()}
    differing = reliability_data.differing(sample)
    offered = {
        item.id: [(t, names[t]) for t in sorted(set(item.first_themes) | set(item.second_themes)) if t in names]
        for item in differing
    }
    form = themes_by_excerpt_form(offered) if sample.state == ModerationState.SUBMITTED else None
    status = 200
    if form is not None and form.is_submitted():
        if form.validate():
            with saved("The agreed coding has been recorded; the agreed themes are now the confirmed ones.") as outcome:
                reliability_data.reconcile(sample, form.chosen(), definition_of(audit.tool_version), current_user)
            if outcome.ok:
                return redirect(url_for("themes.reconcile_coding", audit_id=audit.id))
            status = 409
        else:
            status = 400
    return render_template(
        "themes/coding_compare.html", audit=audit, sample=sample, differing=differing, names=names, form=form
    ), status
