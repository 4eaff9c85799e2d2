"""A published briefing's public address (issue 19): the business unit gives or withdraws it; anyone with
the address reads that one published version and its PDF without signing in, and nothing else."""

from __future__ import annotations

from flask import Response, abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from audit_app.briefings import rendering
from audit_app.briefings.access import BUSINESS_UNIT, briefing_or_404
from audit_app.briefings.routes import bp
from audit_app.data import briefing_versions as versions
from audit_app.forms import ConfirmForm
from audit_app.models import Briefing
from audit_app.security import roles_required
from audit_app.transactions import saved


@bp.post("/briefings/<int:briefing_id>/public")
@roles_required(*BUSINESS_UNIT)
def make_public(briefing_id: int) -> ResponseReturnValue:
    """Give the published version a public address, or withdraw it (``action=withdraw``)."""
    briefing = briefing_or_404(briefing_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if request.form.get("action") == "withdraw":
        with saved("The public address is withdrawn: it no longer shows this briefing."):
            versions.withdraw_public_address(briefing, current_user)
    else:
        with saved("This version now has a public address.", refusals=versions.BriefingError):
            versions.give_public_address(briefing, current_user)
    return redirect(url_for("briefings.page", briefing_id=briefing.id, _anchor="public-address"))


def _public_or_404(token: str) -> Briefing:
    return versions.public_briefing(token) or abort(404)


@bp.get("/public/briefings/<token>")
def public_page(token: str) -> ResponseReturnValue:
    """The published version, as its web page, for anyone with the address."""
    briefing = _public_or_404(token)
    content = rendering.content_of(briefing)
    return render_template(
        "briefings/public.html",
        briefing=briefing,
        content=content,
        chart_sources=rendering.chart_data_uris(content),
        logo_source=rendering.logo_data_uri(),
        token=token,
    )


@bp.get("/public/briefings/<token>.pdf")
def public_pdf(token: str) -> ResponseReturnValue:
    """The published version's PDF, exactly as kept when it was published."""
    briefing = _public_or_404(token)
    return Response(briefing.pdf or b"", mimetype="application/pdf", headers={"Content-Disposition": "inline"})
