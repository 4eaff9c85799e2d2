"""The disclosure check, overrides with reasons, approval and publication.

Draft → approved → published. Approval needs a clean check (every hit edited away or let
through with a reason) and, unless the settings allow it, someone other than the author.
Publication checks again, keeps the PDF (with its SHA-256) and the standalone page for good.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.wrappers import Response

from audit_app.briefings import rendering
from audit_app.briefings.access import BUSINESS_UNIT, briefing_or_404, findings_for, may_approve, working_or_409
from audit_app.briefings.forms import LockedForm, OverrideForm, RemoveOverrideForm
from audit_app.briefings.routes import bp
from audit_app.data import briefing_versions as versions
from audit_app.extensions import db
from audit_app.links import external_url
from audit_app.models import Briefing, User, utcnow
from audit_app.security import roles_required
from audit_app.transactions import saved
from audit_tools.briefing import Finding, content_from_dict, content_texts, unresolved
from audit_tools.states import BriefingState

CHANGED = "The briefing changed since you opened the page. Look at it again, then try once more."


@bp.route("/briefings/<int:briefing_id>/check", methods=["GET", "POST"])
@roles_required(*BUSINESS_UNIT)
def check(briefing_id: int) -> ResponseReturnValue:
    """Every possible identifier in context; each can be edited away or let through with a reason."""
    briefing = briefing_or_404(briefing_id, working=True)
    findings = findings_for(briefing)
    failed = None
    if request.method == "POST":
        working_or_409(briefing.id)
        form = OverrideForm()
        if form.validate_on_submit():
            return _override(briefing, findings, form)
        failed = form
    forms = [_override_form(n, finding, failed) for n, finding in enumerate(findings)]
    references, names = versions.disclosure_identifiers(briefing.audit)
    return render_template(
        "briefings/check.html",
        briefing=briefing,
        findings=findings,
        forms=forms,
        open=unresolved(findings),
        texts=len(content_texts(briefing.content)),
        references=len(references),
        names=len(names),
        form=failed,
        approve=LockedForm(lock_version=briefing.lock_version),
        may_approve=may_approve(briefing),
    )


def _override_form(n: int, finding: Finding, failed: OverrideForm | None) -> OverrideForm | None:
    if finding.override is not None:
        return None
    if failed is not None and failed.hit.data == str(n):
        form = failed
    else:
        kind, text, section = finding.key
        form = OverrideForm(formdata=None, data={"hit": n, "kind": kind, "text": text, "section": section})
    form.reason.id = f"reason-{n}"  # one form per hit on the page: each box needs its own id
    return form


def _override(briefing: Briefing, findings: list[Finding], form: OverrideForm) -> Response:
    posted = form.hit.data or ""
    n = int(posted) if posted.isdigit() else -1
    key = (form.kind.data, form.text.data, form.section.data)
    if not 0 <= n < len(findings) or findings[n].key != key:
        flash(CHANGED, "error")
        return redirect(url_for("briefings.check", briefing_id=briefing.id))
    hit = dict(zip(("kind", "text", "section"), findings[n].key, strict=True))  # the same as the posted key
    withdrawn = briefing.state == BriefingState.APPROVED
    versions.add_override(briefing, hit, cast(str, form.reason.data), current_user)  # validated: VisibleText
    db.session.commit()
    flash(f"“{form.text.data}” will stay in the briefing. Your reason is recorded.{_withdrawn(withdrawn)}", "success")
    return redirect(url_for("briefings.check", briefing_id=briefing.id))


def _withdrawn(withdrawn: bool) -> str:
    return " The approval was withdrawn: someone other than you must approve the briefing again." if withdrawn else ""


@bp.post("/briefings/<int:briefing_id>/check/remove")
@roles_required(*BUSINESS_UNIT)
def remove_override(briefing_id: int) -> ResponseReturnValue:
    """No longer let one hit stay: it is to resolve again (and an approval is withdrawn)."""
    briefing = working_or_409(briefing_id)
    form = RemoveOverrideForm()
    if form.validate_on_submit():
        withdrawn = briefing.state == BriefingState.APPROVED
        key = (form.kind.data or "", form.text.data or "", form.section.data or "")  # a missing field names no hit
        if versions.remove_override(briefing, key, current_user):
            db.session.commit()
            flash(f"“{form.text.data}” is to resolve again.{_withdrawn(withdrawn)}", "success")
        else:
            flash(CHANGED, "error")
    return redirect(url_for("briefings.check", briefing_id=briefing.id))


def _refused(briefing: Briefing, message: str) -> Response:
    flash(message, "error")
    return redirect(url_for("briefings.composer", audit_id=briefing.audit_id))


def _decide(briefing_id: int, act: Callable[[Briefing], None], message: str, then: str) -> Response:
    """Approve or publish, only from the version the person was looking at; any refusal is said on the composer."""
    briefing = working_or_409(briefing_id)
    form = LockedForm()
    if not form.validate_on_submit() or form.lock() != briefing.lock_version:
        return _refused(briefing, CHANGED)
    with saved(message.format(number=briefing.number), refusals=versions.BriefingError) as outcome:
        act(briefing)
    if not outcome.ok:
        return redirect(url_for("briefings.composer", audit_id=briefing.audit_id))
    if then == "page":
        return redirect(url_for("briefings.page", briefing_id=briefing.id))
    return redirect(url_for("briefings.composer", audit_id=briefing.audit_id))


@bp.post("/briefings/<int:briefing_id>/approve")
@roles_required(*BUSINESS_UNIT)
def approve(briefing_id: int) -> ResponseReturnValue:
    return _decide(
        briefing_id,
        lambda b: versions.approve(b, current_user, len(unresolved(findings_for(b)))),
        "Version {number} is approved. It can now be published.",
        "composer",
    )


@bp.route("/briefings/<int:briefing_id>/publish", methods=["GET", "POST"])
@roles_required(*BUSINESS_UNIT)
def publish(briefing_id: int) -> ResponseReturnValue:
    """GET: a page saying what becomes permanent; POST (from that page) publishes."""
    if request.method == "GET":
        briefing = working_or_409(briefing_id)
        return render_template(
            "briefings/publish.html", briefing=briefing, form=LockedForm(lock_version=briefing.lock_version)
        )
    return _decide(
        briefing_id,
        _publish,
        "Version {number} is published. Everyone in the partnership can now read it in the library.",
        "page",
    )


def _publish(briefing: Briefing) -> None:
    publish_version(briefing, current_user)


def publish_version(briefing: Briefing, user: User) -> None:
    """Check the content as it will be published once more, then build the PDF and the standalone page and keep both."""
    content = versions.content_for_publication(briefing)
    open_hits = len(unresolved(versions.disclosure_findings(briefing, content)))
    versions.ensure_publishable(briefing, open_hits)  # before the work of building anything
    # The PDF links to its accessible alternative, the web version of this very briefing.
    content = {**content, "web_url": external_url("briefings.page", briefing_id=briefing.id)}
    readable = content_from_dict(content)
    published_at = utcnow().replace(microsecond=0)
    versions.publish(
        briefing,
        user,
        content=content,
        pdf=rendering.briefing_pdf(readable, draft=False, created=published_at),
        published_at=published_at,
        html=rendering.standalone_html(readable),
        unresolved=open_hits,
    )
