"""Learning briefings: the composer of each audit's versions, the library, and every way to read one.

Editing sections lives in ``editing``, the disclosure check and the workflow in ``workflow``,
the partnership's briefing settings in ``settings_routes``; all add their routes to ``bp``.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from audit_app.briefings import rendering
from audit_app.briefings.access import (
    BUSINESS_UNIT,
    READERS,
    audit_or_404,
    briefing_or_404,
    findings_for,
    may_approve,
)
from audit_app.briefings.forms import LockedForm
from audit_app.data import branding
from audit_app.data import briefing_versions as versions
from audit_app.models import Briefing
from audit_app.security import roles_required
from audit_app.transactions import saved
from audit_tools.briefing import SECTIONS, content_texts, section_summary, unresolved
from audit_tools.states import AuditState, BriefingState
from reports.pdf_text import MISSING_MARK, unprintable

bp = Blueprint("briefings", __name__)


@bp.get("/audits/<int:audit_id>/briefings")
@roles_required(*BUSINESS_UNIT)
def composer(audit_id: int) -> ResponseReturnValue:
    """The audit's briefing versions, and the sections of the one being worked on."""
    audit = audit_or_404(audit_id)
    all_versions = versions.audit_briefings(audit)
    working = next((v for v in all_versions if v.state != BriefingState.PUBLISHED), None)
    latest = next((v for v in all_versions if v.state == BriefingState.PUBLISHED), None)
    open_hits = len(unresolved(findings_for(working))) if working else 0
    missing = unprintable(t.text for t in content_texts(working.content)) if working else []
    return render_template(
        "briefings/composer.html",
        audit=audit,
        versions=all_versions,
        working=working,
        latest=latest,
        sections=SECTIONS,
        section_summary=section_summary,
        open_hits=open_hits,
        unprintable=[(ch, f"U+{ord(ch):04X}") for ch in missing],
        missing_mark=MISSING_MARK,
        may_start=audit.state in versions.DRAFTING_STATES and working is None,
        not_now=versions.NOT_NOW.get(AuditState(audit.state), versions.NOT_NOW[AuditState.SETUP]),
        may_approve=may_approve(working) if working else False,
        form=LockedForm(lock_version=working.lock_version if working else ""),
    )


def _started(start: Callable[[], Briefing]) -> None:
    with saved() as outcome:
        briefing = start()
        outcome.success = f"Version {briefing.number} started. Change each section, then run the disclosure check."


@bp.post("/audits/<int:audit_id>/briefings/new")
@roles_required(*BUSINESS_UNIT)
def start_draft(audit_id: int) -> ResponseReturnValue:
    """Version N, drafted afresh from the audit's data."""
    audit = audit_or_404(audit_id)
    if LockedForm().validate_on_submit():
        _started(lambda: versions.start_draft(audit, current_user))
    return redirect(url_for("briefings.composer", audit_id=audit.id))


@bp.post("/briefings/<int:briefing_id>/new-version")
@roles_required(*BUSINESS_UNIT)
def new_version(briefing_id: int) -> ResponseReturnValue:
    """Version N+1, a copy of a published version to correct or bring up to date."""
    briefing = briefing_or_404(briefing_id, working=True)
    if briefing.state != BriefingState.PUBLISHED:
        flash(f"Version {briefing.number} is not published yet: carry on with it instead.", "error")
    elif LockedForm().validate_on_submit():
        _started(lambda: versions.start_draft(briefing.audit, current_user, copy_of=briefing))
    return redirect(url_for("briefings.composer", audit_id=briefing.audit_id))


@bp.get("/briefings")
@roles_required(*READERS)
def library() -> ResponseReturnValue:
    """Every published briefing, newest first, with its PDF's SHA-256 to check a copy against."""
    return render_template("briefings/library.html", briefings=versions.published_briefings())


@bp.get("/briefings/<int:briefing_id>")
@roles_required(*READERS)
def page(briefing_id: int) -> ResponseReturnValue:
    """The accessible web version: the published briefing, or a preview of a draft."""
    briefing = briefing_or_404(briefing_id)
    content = rendering.content_of(briefing)
    charts = [
        url_for("briefings.chart", briefing_id=briefing.id, position=n) for n in range(1, len(content.charts) + 1)
    ]
    return render_template(
        "briefings/page.html",
        briefing=briefing,
        content=content,
        chart_sources=charts,
        logo_source=url_for("briefings.logo") if branding.current_logo() else None,
    )


@bp.get("/briefings/<int:briefing_id>.pdf")
@roles_required(*READERS)
def pdf(briefing_id: int) -> ResponseReturnValue:
    """The stored PDF of a published version; a draft's is made now."""
    briefing = briefing_or_404(briefing_id)
    stored = (
        briefing.pdf if briefing.state == BriefingState.PUBLISHED else None
    )  # a published version always keeps its PDF
    data = stored or rendering.version_pdf(briefing)
    return _download(data, "application/pdf", briefing, "pdf")


@bp.get("/briefings/<int:briefing_id>.html")
@roles_required(*READERS)
def html_file(briefing_id: int) -> ResponseReturnValue:
    """The standalone web page as one file, to keep, e-mail or put on the partnership's website."""
    briefing = briefing_or_404(briefing_id)
    stored = briefing.html if briefing.state == BriefingState.PUBLISHED else None  # and its web page
    text = stored or rendering.standalone_html(rendering.content_of(briefing))
    return _download(text.encode("utf-8"), "text/html", briefing, "html")


def _download(data: bytes, mimetype: str, briefing: Briefing, extension: str) -> Response:
    draft = "" if briefing.state == BriefingState.PUBLISHED else "-draft"
    name = f"learning-briefing-{briefing.audit.year}-audit-{briefing.audit_id}-version-{briefing.number}{draft}"
    return Response(
        data, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}.{extension}"'}
    )


@bp.get("/briefings/<int:briefing_id>/charts/<int:position>.png")
@roles_required(*READERS)
def chart(briefing_id: int, position: int) -> ResponseReturnValue:
    briefing = briefing_or_404(briefing_id)
    data = rendering.chart_png(rendering.content_of(briefing), position)
    if data is None:
        abort(404)
    return Response(data, mimetype="image/png")


# The other briefing pages add their routes to bp when imported, so they come last.
from audit_app.briefings import editing, public, settings_routes, workflow  # noqa: E402,F401
